/**
 * The delivery report's data: what `resilient-sms report` prints, renders as HTML, or emits as JSON.
 * Pure aggregation of what visibility and closed workflows' results say; no personal data (workflow ids,
 * countries, use cases, routes and levels only).
 */
import type { MessageStatus, StatusRecord } from '../domain/status';
import type { ProtectionSummary } from './protection';

export const FINAL_STATUSES = ['DELIVERED', 'CONFIRMED', 'FAILED', 'STOPPED', 'CANCELLED'] as const;

/** A running message, from its search attributes. */
export interface WaitingMessage {
  workflowId: string;
  startedAt: string;
  ageSeconds: number;
  status?: string;
  level?: string;
  route?: string;
  channel?: string;
  attempts?: number;
  country?: string;
  useCase?: string;
}

/** A status record that could not be read (a running message's `status` query failed). */
export interface ReadError {
  workflowId: string;
  error: string;
}

/** A closed message, from its result (the status record). */
export interface ClosedMessage {
  workflowId: string;
  /** The workflow itself failed, was terminated or timed out: no status record. */
  executionStatus: string;
  record?: StatusRecord;
  /** From the search attributes, when there is no record. */
  level?: string;
}

export interface RateRow {
  key: string;
  attempts: number;
  /** Accepted by the service (or possibly: ambiguous sends count). */
  sent: number;
  delivered: number;
  /** Refused at send, failed receipt, or no final receipt in time. */
  failed: number;
  /** delivered / (delivered + failed); undefined when nothing settled. */
  rate?: number;
}

export interface Percentiles {
  count: number;
  medianSeconds?: number;
  p95Seconds?: number;
}

export interface DeliveryReport {
  generatedAt: string;
  since: string;
  namespace: string;
  query: string;
  /** Exact, from visibility counts. */
  totals: {
    messages: number;
    byStatus: Record<string, number>;
    /** Messages by the highest escalation level they needed (`SmsLevel`); `none` = never sent. */
    byLevel: Record<string, number>;
    running: number;
  };
  /** What happened to the users (exact, from counts); every message is in exactly one of these but `listening`. */
  outcomes: {
    /** The receipt arrived (SmsStatus DELIVERED or CONFIRMED), whether the workflow closed or still listens. */
    delivered: number;
    /** Of `delivered`: still running, listening for feedback. */
    listening: number;
    /** Ended without a delivery: FAILED, STOPPED, or a workflow that ended abnormally. */
    notDelivered: number;
    /** Cancelled before a delivery: not in the delivery rate. */
    cancelled: number;
    /** Running and not delivered yet: not in the delivery rate. */
    inProgress: number;
  };
  /** delivered / (delivered + notDelivered): over the messages with an outcome; cancelled and in-progress left out. */
  deliveryRate?: number;
  /** Status records read: completed messages (bounded by --limit) and delivered ones listening for feedback. */
  examined: number;
  truncated: boolean;
  byRoute: RateRow[];
  byChannel: RateRow[];
  timeToDelivery: Percentiles & { byLevel: Record<string, Percentiles>; samplesSeconds: number[] };
  /** Closed workflows that ended without a status record (failed, terminated, timed out). */
  abnormal: { workflowId: string; executionStatus: string }[];
  /** Delivered messages listening for feedback whose record could not be read: not in the rates or times. */
  unread: ReadError[];
  /** Protect-configuration blocks and pumping-guard stops among the records read (./protection.ts). */
  protection?: ProtectionSummary;
  /** Running and not delivered yet. */
  waiting: WaitingMessage[];
  /** Delivered, running only to listen for feedback. */
  listening: WaitingMessage[];
}

/** What the delivery rate is computed over, as the report says it. */
export const DELIVERY_RATE_BASIS =
  'delivered / (delivered + not delivered); cancelled and in-progress messages are not counted';

export type { MessageStatus };
