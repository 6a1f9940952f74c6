/**
 * The contract of route health between its parts: the `routeHealth` workflow's signals, updates and queries
 * (used by worker processes, the ingester, the CLI and the API), the sink deliverMessage reports through, the
 * local activity a message reads health with, and the signal that wakes a message whose route opened.
 */
import { defineQuery, defineSignal, defineUpdate, type Sinks } from '@temporalio/workflow';
import type { KeyCounts } from '../domain/breaker-counts';
import type {
  BreakerState,
  FailureClass,
  RouteCondition,
  RouteHealthEntry,
  RouteHealthSnapshot,
  RouteObservation,
} from '../domain/route-health';

export const ROUTE_HEALTH_WORKFLOW_TYPE = 'routeHealth';

/** One routeHealth workflow per task queue: messages of one deployment share it. */
export function routeHealthWorkflowId(taskQueue: string): string {
  return `route-health:${taskQueue}`;
}

// --- Reported by processes -----------------------------------------------------------------------------

/** One key's counts in one send second (defined with the breakers, which add them up). */
export type { KeyCounts } from '../domain/breaker-counts';

/** A batch of observations from one process: sent at most once per flush interval. */
export interface ObservationBatch {
  /** `worker@host:pid`, for logs. */
  source: string;
  counts: KeyCounts[];
  /** Receipt latencies (ms) per originator key seen in this batch, at most 50 samples per key. */
  receiptLatencyMs?: Record<string, number[]>;
  /**
   * The longest this process's message workflows took, in this batch, to see an accepted send or a receipt after it
   * happened (ms): how far behind they are. The workflow waits that much longer before a send counts as overdue.
   */
  processingLagMs?: number;
}

export const observationsSignal = defineSignal<[ObservationBatch]>('observations');

// --- AWS Health -----------------------------------------------------------------------------------------

/** An AWS Health event about End User Messaging SMS in a Region the config uses (parsed by the ingester). */
export interface AwsHealthEventSignal {
  /** The event's ARN: the `closed` event names the same ARN as its `open` one. */
  eventArn: string;
  region: string;
  eventTypeCode: string;
  statusCode: 'open' | 'closed' | 'upcoming';
  /** Epoch ms of the event's lastUpdatedTime (or the EventBridge time). */
  at: number;
  description?: string;
}

export const awsHealthEventSignal = defineSignal<[AwsHealthEventSignal]>('awsHealthEvent');

// --- Operators ------------------------------------------------------------------------------------------

export interface DrainRequest {
  /** A health key (`region:…`, `route:…`, `originator:…`). Config route ids are mapped before sending. */
  key: string;
  reason: string;
  /** Who asked (CLI user, API caller), for the log. */
  by: string;
  /** Ends on its own after this many ms; forever when absent. */
  forMs?: number;
}

export interface UndrainRequest {
  key: string;
  by: string;
}

/** Answers of the drain/undrain updates: the key's view after the change. */
export const drainUpdate = defineUpdate<RouteView, [DrainRequest]>('drain');
export const undrainUpdate = defineUpdate<RouteView, [UndrainRequest]>('undrain');

/** One key as operators see it (`resilient-sms routes`, `GET /routes`). */
export interface RouteView {
  key: string;
  state: BreakerState;
  condition: RouteCondition | 'closed';
  since: number;
  why: string;
  /** Counts in the current window: successes and failures by class, probes apart. */
  recent: { ok: number; failures: Partial<Record<FailureClass, number>>; probes: number };
  drain?: { reason: string; by: string; since: number; until?: number };
}

export const routesQuery = defineQuery<RouteView[]>('routes');
/** Only the keys that are not closed (what message snapshots are filtered from). */
export const healthSnapshotQuery = defineQuery<RouteHealthSnapshot>('snapshot');

// --- What deliverMessage uses ---------------------------------------------------------------------------

/** The sink deliverMessage reports through (installed on the worker; never called on replay). */
export interface RouteHealthSinks extends Sinks {
  routeHealth: {
    observe(observation: RouteObservation): void;
  };
}

/** The local activity's name and input: the snapshot entries for these keys (the plan's). */
export interface ReadRouteHealthInput {
  keys: string[];
}
export type ReadRouteHealth = (input: ReadRouteHealthInput) => Promise<RouteHealthSnapshot>;

/** Sent to in-flight messages on a key that just opened or drained, so they need not sit out their wait. */
export interface RouteChangedSignal {
  entry: RouteHealthEntry;
}
export const routeChangedSignal = defineSignal<[RouteChangedSignal]>('routeChanged');
