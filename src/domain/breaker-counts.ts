/**
 * The counts behind the breakers (./breaker.ts): one bucket per key per *send* second, summed over every process
 * and every batch. Sums are commutative, so batches of different processes and late batches of one process
 * combine in any order; a receipt is counted in the bucket of the second its send was made (`sentAt`), so a
 * bucket holds both the sends of a second and what became of them. Pure functions, no Temporal import.
 */
import type { FailureClass } from './route-health';

/** The failure classes counted in windows (aws-health is an event, not a count). */
export const COUNTED_CLASSES = ['send-error', 'receipt-failure', 'no-receipt'] as const;
export type CountedClass = (typeof COUNTED_CLASSES)[number];

/**
 * What one process saw of one key, for the sends made in one second (epoch second `second`), aggregated. Every
 * count is a delta added to the workflow's bucket (key, second): batches of several processes, and several
 * batches of one process for the same second, simply add up, in any order (docs/route-health.md, "How counts
 * combine"). An outcome is counted in the second of *its send*: a receipt or a no-receipt under its `sentAt`.
 */
export interface KeyCounts {
  key: string;
  /** The epoch second the counted sends were made. */
  second: number;
  /** Successes: accepted sends (every key of the rung) and delivered receipts (the originator key). */
  ok: number;
  /**
   * Failures by class: `send-error` a send failed (or was ambiguous) and its scope blames this key; `receipt-failure`
   * a final receipt said it failed; `no-receipt` the message's step ended without a final receipt. Not `aws-health`.
   */
  failures: Partial<Record<FailureClass, number>>;
  /**
   * Receipts still awaited, as a signed delta on the originator key: +1 per accepted send, -1 per final receipt
   * (delivered or failed) and per no-receipt report of a send of this second. Summed over processes, what stays
   * positive after max(overdueAfter, latencyFactor x p95 latency) counts as `no-receipt` (silent filtering).
   */
  awaitingReceipt?: number;
  /** How many of `ok` are delivered receipts (the rest are accepted sends); absent = 0. Report it: the receipt classes count only these as successes. */
  delivered?: number;
  /** Probes (canaries, half-open probes) among the above: `ok` and failure counts of probes only. */
  probeOk?: number;
  probeFailures?: number;
  /** The latest failure reason seen (for `why`). */
  lastReason?: string;
  /** The latest failure reason per class (for `why`); wins over `lastReason`. */
  reasons?: Partial<Record<FailureClass, string>>;
}

/** What the breakers take in: the `KeyCounts` the processes report. */
export type ReportedCounts = KeyCounts;

/** One key's counts in one send second. */
export interface Bucket {
  second: number;
  /** Accepted sends. */
  sent: number;
  /** Final receipts that said delivered. */
  delivered: number;
  failures: Partial<Record<CountedClass, number>>;
  /** Accepted sends still without a final receipt or a no-receipt report (signed sum of the processes' deltas). */
  awaiting: number;
  probeOk: number;
  probeFailures: number;
}

/** The successes and failures of one class over a window of buckets. */
export interface ClassCounts {
  failures: number;
  outcomes: number;
  /** Failures since the newest bucket with a success of this class (buckets ordered by send second). */
  trailing: number;
}

const MAX_COUNT = 1_000_000;
const KEY_PATTERN =
  /^(region:[a-z0-9-]{1,40}|route:[^/\s]{1,64}\/[a-z0-9-]{1,40}|originator:[^/\s]{1,64}\/[a-z0-9-]{1,40}\/[^@\s]{1,256}@([A-Z]{2}|\*))$/;

/** True for a key of src/domain/route-health.ts: `region:…`, `route:<account>/<region>`, `originator:…@<CC|*>`. */
export function isHealthKey(key: unknown): key is string {
  return typeof key === 'string' && KEY_PATTERN.test(key);
}

export const HEALTH_KEY_FORMS =
  'region:<region>, route:<account>/<region> or originator:<account>/<region>/<originator>@<country|*>';

function count(value: unknown, signed = false): number | undefined {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value)) return undefined;
  if (Math.abs(value) > MAX_COUNT || (!signed && value < 0)) return undefined;
  return value;
}

/**
 * The bucket delta of one reported record, or a sentence saying what is wrong with it. `ok` counts accepted sends
 * and delivered receipts; `delivered` says how many of them were receipts (absent: none).
 */
export function bucketOf(
  c: ReportedCounts,
): { bucket: Bucket; reasons: Partial<Record<CountedClass, string>> } | string {
  if (typeof c !== 'object' || c === null) return 'not an object';
  if (!isHealthKey(c.key)) return `key ${JSON.stringify(c.key)} is not one of ${HEALTH_KEY_FORMS}`;
  if (typeof c.second !== 'number' || !Number.isInteger(c.second) || c.second < 0) return `${c.key}: bad second`;
  const ok = count(c.ok);
  const delivered = count(c.delivered);
  const awaiting = count(c.awaitingReceipt, true);
  const probeOk = count(c.probeOk);
  const probeFailures = count(c.probeFailures);
  if ([ok, delivered, awaiting, probeOk, probeFailures].some((v) => v === undefined)) return `${c.key}: bad count`;
  if (typeof c.failures !== 'object' || c.failures === null) return `${c.key}: failures is not an object`;
  const failures: Partial<Record<CountedClass, number>> = {};
  for (const cls of COUNTED_CLASSES) {
    const n = count(c.failures[cls]);
    if (n === undefined) return `${c.key}: bad ${cls} count`;
    if (n > 0) failures[cls] = n;
  }
  const reasons: Partial<Record<CountedClass, string>> = {};
  for (const cls of COUNTED_CLASSES) {
    const reason = c.reasons?.[cls] ?? (failures[cls] ? c.lastReason : undefined);
    if (typeof reason === 'string' && reason.length > 0) reasons[cls] = reason.slice(0, 200);
  }
  const sent = Math.max(0, ok! - delivered!);
  const bucket: Bucket = {
    second: c.second,
    sent,
    delivered: delivered!,
    failures,
    awaiting: awaiting!,
    probeOk: probeOk!,
    probeFailures: probeFailures!,
  };
  return { bucket, reasons };
}

/** Adds `delta` into the sorted bucket list (a new bucket when its second is new). */
export function addBucket(buckets: Bucket[], delta: Bucket): void {
  let i = buckets.length;
  while (i > 0 && buckets[i - 1].second > delta.second) i--;
  const at = buckets[i - 1];
  if (at && at.second === delta.second) {
    at.sent += delta.sent;
    at.delivered += delta.delivered;
    at.awaiting += delta.awaiting;
    at.probeOk += delta.probeOk;
    at.probeFailures += delta.probeFailures;
    for (const cls of COUNTED_CLASSES) {
      const n = (at.failures[cls] ?? 0) + (delta.failures[cls] ?? 0);
      if (n > 0) at.failures[cls] = n;
    }
    return;
  }
  buckets.splice(i, 0, { ...delta, failures: { ...delta.failures } });
}

/** A bucket's sends still awaiting a receipt, counted as failures once `overdueMs` has passed since its second. */
export function overdueOf(b: Bucket, now: number, overdueMs: number): number {
  return decided(b, now, overdueMs) ? Math.max(0, b.awaiting) : 0;
}

function decided(b: Bucket, now: number, overdueMs: number): boolean {
  return (b.second + 1) * 1000 + overdueMs <= now;
}

/** The successes and failures of `cls` in one bucket. */
export function bucketClass(b: Bucket, cls: CountedClass, now: number, overdueMs: number): [number, number] {
  switch (cls) {
    case 'send-error':
      return [b.sent, b.failures['send-error'] ?? 0];
    case 'receipt-failure':
      return [b.delivered, b.failures['receipt-failure'] ?? 0];
    case 'no-receipt':
      // A final receipt, failed or not, proves the route is not silent.
      return [
        b.delivered + (b.failures['receipt-failure'] ?? 0),
        (b.failures['no-receipt'] ?? 0) + overdueOf(b, now, overdueMs),
      ];
  }
}

/**
 * The counts of `cls` over the window: buckets whose send second lies within `windowMs` before `now` (for
 * no-receipt: before `now - overdueMs`, and only buckets old enough to be decided), not before `fromSecond`.
 */
export function windowCounts(
  buckets: readonly Bucket[],
  cls: CountedClass,
  windowMs: number,
  now: number,
  overdueMs: number,
  fromSecond: number,
): ClassCounts {
  const end = cls === 'no-receipt' ? now - overdueMs : now;
  const startSecond = Math.max(fromSecond, Math.floor((end - windowMs) / 1000));
  let failures = 0;
  let outcomes = 0;
  let trailing = 0;
  let run = true;
  for (let i = buckets.length - 1; i >= 0; i--) {
    const b = buckets[i];
    if (b.second < startSecond) break;
    if (cls === 'no-receipt' && !decided(b, now, overdueMs)) continue;
    const [ok, failed] = bucketClass(b, cls, now, overdueMs);
    failures += failed;
    outcomes += ok + failed;
    if (run && ok > 0) run = false;
    if (run) trailing += failed;
  }
  return { failures, outcomes, trailing };
}

/** The 95th percentile of the samples (nearest rank), or undefined for fewer than 5. */
export function p95(samples: readonly number[]): number | undefined {
  if (samples.length < 5) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.ceil(0.95 * sorted.length) - 1];
}
