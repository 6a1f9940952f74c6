/**
 * The delivery report's data: what `resilient-sms report` prints, renders as HTML, or emits as JSON.
 * Pure aggregation of what visibility and closed workflows' results say; no personal data (workflow ids,
 * countries, use cases, routes and levels only).
 */
import type { MessageStatus, StatusRecord } from '../domain/status';

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
  /** DELIVERED + CONFIRMED over closed messages (exact, from counts). */
  deliveryRate?: number;
  /** Closed messages whose results were read (bounded by --limit). */
  examined: number;
  truncated: boolean;
  byRoute: RateRow[];
  byChannel: RateRow[];
  timeToDelivery: Percentiles & { byLevel: Record<string, Percentiles>; samplesSeconds: number[] };
  /** Closed workflows that ended without a status record (failed, terminated, timed out). */
  abnormal: { workflowId: string; executionStatus: string }[];
  waiting: WaitingMessage[];
}

export type { MessageStatus };
