/**
 * Pure aggregation of the delivery report: rates by route and channel over the attempts of the messages with
 * a status record read (closed, or delivered and listening for feedback), and time-to-delivery percentiles.
 */
import { higherLevel } from '../domain/plan';
import { deliveredAt, mayHaveSent, type AttemptRecord, type StatusRecord } from '../domain/status';
import type { ClosedMessage, Percentiles, RateRow } from './model';

/** Nearest-rank percentile of sorted values (p in 0..100). */
export function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, medianSeconds: percentile(sorted, 50), p95Seconds: percentile(sorted, 95) };
}

const FAILED_STATES = new Set<AttemptRecord['state']>(['send-failed', 'failed', 'timed-out']);

function routeOf(a: AttemptRecord): string {
  return `${a.account}/${a.region}`;
}

/** Per-key rates over every attempt of the given records. */
export function rates(records: StatusRecord[], keyOf: (a: AttemptRecord) => string): RateRow[] {
  const rows = new Map<string, RateRow>();
  for (const r of records) {
    for (const a of r.attempts) {
      const key = keyOf(a);
      let row = rows.get(key);
      if (!row) {
        row = { key, attempts: 0, sent: 0, delivered: 0, failed: 0 };
        rows.set(key, row);
      }
      row.attempts++;
      if (mayHaveSent(a.state)) row.sent++;
      if (a.state === 'delivered') row.delivered++;
      else if (FAILED_STATES.has(a.state)) row.failed++;
    }
  }
  for (const row of rows.values()) {
    const settled = row.delivered + row.failed;
    row.rate = settled > 0 ? row.delivered / settled : undefined;
  }
  return [...rows.values()].sort((a, b) => b.attempts - a.attempts || a.key.localeCompare(b.key));
}

export const ratesByRoute = (records: StatusRecord[]): RateRow[] => rates(records, routeOf);
export const ratesByChannel = (records: StatusRecord[]): RateRow[] => rates(records, (a) => a.channel);

/** The highest level among a record's attempts (what `SmsLevel` shows). */
export function highestLevel(record: StatusRecord): string {
  return record.attempts.length === 0 ? 'none' : record.attempts.map((a) => a.level).reduce(higherLevel);
}

/**
 * Seconds from the message's start to its delivery: the first success receipt of the delivering attempt as
 * the workflow saw it (also while the workflow still listens for feedback); for a message confirmed by
 * feedback without a receipt, when that attempt settled.
 */
export function timeToDeliverySeconds(record: StatusRecord): number | undefined {
  if (record.status !== 'DELIVERED' && record.status !== 'CONFIRMED') return undefined;
  const at = deliveredAt(record);
  if (at === undefined) return undefined;
  return Math.max(0, (at - record.startedAt) / 1000);
}

export interface ClosedSummary {
  byRoute: RateRow[];
  byChannel: RateRow[];
  samples: { seconds: number; level: string }[];
  abnormal: { workflowId: string; executionStatus: string }[];
}

/** `closed` messages (with or without a record) and the records of running ones that are delivered. */
export function summarize(closed: ClosedMessage[], listening: StatusRecord[] = []): ClosedSummary {
  const records = [...closed.map((c) => c.record).filter((r): r is StatusRecord => r !== undefined), ...listening];
  const samples: ClosedSummary['samples'] = [];
  for (const r of records) {
    const seconds = timeToDeliverySeconds(r);
    if (seconds !== undefined) samples.push({ seconds, level: highestLevel(r) });
  }
  return {
    byRoute: ratesByRoute(records),
    byChannel: ratesByChannel(records),
    samples,
    abnormal: closed
      .filter((c) => !c.record)
      .map((c) => ({ workflowId: c.workflowId, executionStatus: c.executionStatus })),
  };
}
