/**
 * The aggregator behind the `routeHealth.observe` sink: what the messages running in this process saw, summed into
 * per-key-per-send-second deltas (`KeyCounts`, src/workflows/route-health-definitions.ts) until the flusher
 * (./flusher.ts) sends them as one `observations` batch. Every outcome is counted in the second of *its send*:
 *
 * - `send` ok: +1 `ok` on every key of the rung, +1 `awaitingReceipt` on its originator key;
 * - `send` failure or ambiguous blamed on a key (its scope's): +1 `send-error` there (no key: metrics only);
 * - `receipt` (under `sentAt`): +1 `ok` and `delivered`, or +1 `receipt-failure`; -1 `awaitingReceipt`; its latency
 *   (receipt time - send time) is a sample of the batch;
 * - `no-receipt` (the step ended without a final receipt, under `sentAt`): +1 `no-receipt`, -1 `awaitingReceipt`;
 * - probes count like any send and again in `probeOk` / `probeFailures`.
 *
 * Deltas add up, so the routeHealth workflow combines the batches of every process in any order, and the send and
 * receipt of one message may be seen by different processes; the workflow decides what is overdue (silent
 * filtering) from the summed `awaitingReceipt` and the latency samples.
 *
 * Bounded: at most `maxBuckets` (key, second) records (past it the oldest second goes, counted in `dropped`) and 50
 * latency samples per key per batch (the newest).
 */
import type { FailureClass, RouteObservation } from '../domain/route-health';
import type { KeyCounts, ObservationBatch } from '../workflows/route-health-definitions';

export interface AggregatorOptions {
  /** Default 10 000 (key, second) records. */
  maxBuckets?: number;
}

export const LATENCY_SAMPLES_PER_BATCH = 50;
/** A lag past an hour is not believed (clock skew): capped. */
const MAX_LAG_MS = 3_600_000;
const MAX_REASON_CHARS = 200;

export function secondOf(ms: number): number {
  return Math.floor(ms / 1000);
}

/** The originator key with a destination country (not `@*`) among a rung's keys. */
export function originatorKeyOf(keys: readonly string[]): string | undefined {
  return keys.find((k) => k.startsWith('originator:') && !k.endsWith('@*'));
}

type Counted = FailureClass | 'ok' | 'delivered';

export class ObservationAggregator {
  /** `${second}|${key}` -> deltas, oldest first. */
  private buckets = new Map<string, KeyCounts>();
  private batchLatencies = new Map<string, number[]>();
  /** The longest processing lag (ms) of the observations since the last drain. */
  private batchLag = 0;
  private readonly maxBuckets: number;
  /** Records lost to the bound. */
  readonly dropped = { buckets: 0 };

  constructor(opts: AggregatorOptions = {}) {
    this.maxBuckets = opts.maxBuckets ?? 10_000;
  }

  get size(): number {
    return this.buckets.size;
  }

  observe(o: RouteObservation): void {
    if (o.kind !== 'no-receipt' && typeof o.lagMs === 'number' && Number.isFinite(o.lagMs)) {
      this.batchLag = Math.max(this.batchLag, Math.min(o.lagMs, MAX_LAG_MS));
    }
    switch (o.kind) {
      case 'send': {
        if (o.outcome === 'ok') {
          for (const key of o.keys) this.count(key, o.at, 'ok', o.probe);
          const orig = originatorKeyOf(o.keys);
          if (orig) this.bucket(orig, secondOf(o.at)).awaitingReceipt = this.awaiting(orig, o.at) + 1;
        } else if (o.blamed) {
          this.count(o.blamed, o.at, 'send-error', o.probe, o.reason ?? `${o.outcome} send`);
        }
        return;
      }
      case 'receipt':
        this.count(o.key, o.sentAt, o.ok ? 'delivered' : 'receipt-failure', o.probe, o.reason);
        this.bucket(o.key, secondOf(o.sentAt)).awaitingReceipt = this.awaiting(o.key, o.sentAt) - 1;
        this.sample(o.key, o.at - o.sentAt);
        return;
      case 'no-receipt':
        this.count(o.key, o.sentAt, 'no-receipt', o.probe, 'no final receipt within the step');
        this.bucket(o.key, secondOf(o.sentAt)).awaitingReceipt = this.awaiting(o.key, o.sentAt) - 1;
        return;
    }
  }

  /** Hands over what was counted since the last drain (and forgets it); undefined when there is nothing to send. */
  drain(source: string): ObservationBatch | undefined {
    if (this.buckets.size === 0 && this.batchLatencies.size === 0) return undefined;
    const batch: ObservationBatch = { source, counts: [...this.buckets.values()] };
    if (this.batchLatencies.size > 0) batch.receiptLatencyMs = Object.fromEntries(this.batchLatencies);
    if (this.batchLag > 0) batch.processingLagMs = this.batchLag;
    this.buckets = new Map();
    this.batchLatencies = new Map();
    this.batchLag = 0;
    return batch;
  }

  /** Puts back a batch that could not be sent: its deltas are added to what came since (within the bounds). */
  restore(batch: ObservationBatch): void {
    const since = this.buckets;
    this.buckets = new Map();
    for (const c of [...batch.counts, ...since.values()]) {
      const b = this.bucket(c.key, c.second);
      b.ok += c.ok;
      for (const [cls, n] of Object.entries(c.failures) as [FailureClass, number][]) {
        b.failures[cls] = (b.failures[cls] ?? 0) + n;
      }
      for (const field of ['awaitingReceipt', 'delivered', 'probeOk', 'probeFailures'] as const) {
        if (c[field]) b[field] = (b[field] ?? 0) + c[field];
      }
      if (c.reasons) b.reasons = { ...b.reasons, ...c.reasons };
      if (c.lastReason !== undefined) b.lastReason = c.lastReason;
    }
    this.batchLag = Math.max(this.batchLag, batch.processingLagMs ?? 0);
    for (const [key, samples] of Object.entries(batch.receiptLatencyMs ?? {})) {
      const now = this.batchLatencies.get(key) ?? [];
      this.batchLatencies.set(key, [...samples, ...now].slice(-LATENCY_SAMPLES_PER_BATCH));
    }
  }

  private bucket(key: string, second: number): KeyCounts {
    const id = `${second}|${key}`;
    let b = this.buckets.get(id);
    if (!b) {
      while (this.buckets.size >= this.maxBuckets) {
        const oldest = this.buckets.keys().next().value as string;
        this.buckets.delete(oldest);
        this.dropped.buckets++;
      }
      b = { key, second, ok: 0, failures: {} };
      this.buckets.set(id, b);
    }
    return b;
  }

  private awaiting(key: string, at: number): number {
    return this.buckets.get(`${secondOf(at)}|${key}`)?.awaitingReceipt ?? 0;
  }

  private count(key: string, sentAt: number, what: Counted, probe: boolean, reason?: string): void {
    const b = this.bucket(key, secondOf(sentAt));
    if (what === 'ok' || what === 'delivered') {
      b.ok++;
      if (what === 'delivered') b.delivered = (b.delivered ?? 0) + 1;
      if (probe) b.probeOk = (b.probeOk ?? 0) + 1;
      return;
    }
    b.failures[what] = (b.failures[what] ?? 0) + 1;
    if (probe) b.probeFailures = (b.probeFailures ?? 0) + 1;
    if (reason) {
      const text = reason.slice(0, MAX_REASON_CHARS);
      b.lastReason = text;
      b.reasons = { ...b.reasons, [what]: text };
    }
  }

  private sample(key: string, latencyMs: number): void {
    if (!Number.isFinite(latencyMs) || latencyMs < 0) return;
    const batch = this.batchLatencies.get(key) ?? [];
    batch.push(latencyMs);
    if (batch.length > LATENCY_SAMPLES_PER_BATCH) batch.shift();
    this.batchLatencies.set(key, batch);
  }
}
