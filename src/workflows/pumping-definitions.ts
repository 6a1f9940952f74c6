/**
 * The contract of the SMS pumping guard between its parts (docs/pumping.md): the `pumpingGuard` workflow's signal,
 * update and queries (worker processes, the CLI, the API), the sink deliverMessage reports feedback through, and the
 * local activity a message is checked with before its first send.
 */
import { defineQuery, defineSignal, defineUpdate, type Sinks } from '@temporalio/workflow';
import type { Block } from '../domain/conversion-watch';
import type { CountRecord, PumpingSubject } from '../domain/pumping';
import type { ConversionWatchConfig, VelocityLimit } from '../domain/pumping-config';

export const PUMPING_GUARD_WORKFLOW_TYPE = 'pumpingGuard';

/** One pumpingGuard workflow per task queue: the messages of one deployment share it. */
export function pumpingGuardWorkflowId(taskQueue: string): string {
  return `pumping-guard:${taskQueue}`;
}

/** What the workflow runs with (from the config's `pumping` section at its start). */
export interface PumpingGuardConfig {
  velocity: Record<string, VelocityLimit[]>;
  conversion?: ConversionWatchConfig;
  /** Continue-as-new once the history has this many events (default 4,000). */
  maxHistoryEvents?: number;
}

export interface PumpingGuardInput {
  config: PumpingGuardConfig;
  /** State carried over by continue-as-new; malformed parts are dropped with a logged note. */
  carried?: unknown;
}

/** One process's counts since its last flush. */
export interface PumpingBatch {
  /** `worker@host:pid`, for logs. */
  source: string;
  counts: CountRecord[];
  /** The process's sequence number of its newest count in the batch (the snapshot says which it has applied). */
  seq?: number;
}
export const pumpingCountsSignal = defineSignal<[PumpingBatch]>('pumpingCounts');

/** A key the guard holds back: blocked by the conversion watch, or tripped (a velocity limit stopped a message). */
export interface GuardEntry {
  /** `prefix:+4470`, `country:GB`. */
  key: string;
  state: 'blocked' | 'tripped';
  why: string;
  since: number;
  until?: number;
}

/** What processes cache: the admitted counts per count key and second, and the keys held back. */
export interface PumpingSnapshot {
  at: number;
  /**
   * `otp|prefix:+4470` → [[second, requests], …] over the longest window: the messages let through, plus the ones a
   * velocity limit of that key stopped (what the limits count).
   */
  admitted: Record<string, [number, number][]>;
  entries: GuardEntry[];
  /** Per process (`source`), the `seq` of the newest batch applied: its counts up to there are in `admitted`. */
  applied?: Record<string, number>;
}
export const pumpingSnapshotQuery = defineQuery<PumpingSnapshot>('pumpingSnapshot');

/** One key for operators (`resilient-sms pumping`, `GET /pumping`). */
export interface PumpingKeyView extends Partial<GuardEntry> {
  key: string;
  /** Watched use cases' sends and RECEIVED in the decided part of the conversion window. */
  sends: number;
  received: number;
  stopped: number;
}
export interface PumpingView {
  at: number;
  blocks: Block[];
  keys: PumpingKeyView[];
}
export const pumpingViewQuery = defineQuery<PumpingView>('pumpingView');

export interface UnblockRequest {
  /** `prefix:+4470` or `country:GB`. */
  key: string;
  by: string;
}
/** Ends a conversion block now; answers the block that ended. */
export const unblockUpdate = defineUpdate<Block, [UnblockRequest]>('unblock');

// --- What deliverMessage uses ---------------------------------------------------------------------------

/** Asked before the first send (`admit: true`: counted when let through) and after a spend limit (`admit: false`). */
export interface CheckPumpingInput {
  subject: PumpingSubject;
  admit: boolean;
}
export interface PumpingVerdict {
  /** Set when the message must stop: `VELOCITY_LIMIT: …` or `PUMPING_BLOCKED: …`. */
  stop?: string;
  /** Set when its prefix or country is held back: why (the planner never moves a spend limit to another account). */
  tripped?: string;
  /** Epoch ms it was counted at (admitted), so feedback lands in the same second. */
  at: number;
}
export type CheckPumping = (input: CheckPumpingInput) => Promise<PumpingVerdict>;

/** The sink deliverMessage reports feedback RECEIVED through (installed on the worker; never called on replay). */
export interface PumpingSinks extends Sinks {
  pumping: {
    received(subject: PumpingSubject, admittedAt: number): void;
  };
}
