/**
 * The aggregator behind the `routeHealth.observe` sink: what the messages running in this process saw, summed
 * per key per second (`KeyCounts`) until the flusher (./flusher.ts) sends it as one `observations` batch.
 *
 * - `send` ok: +1 `ok` on every key of the rung; the attempt then waits for its receipt (see below).
 * - `send` failure: +1 `send-error` on the key its scope blames (no key: counted in metrics only).
 * - `send` ambiguous: metrics only; the step's end (`no-receipt`) or a receipt settles it.
 * - `receipt`: +1 `ok` or `receipt-failure` on the originator key; its latency (receipt time - send time) is a sample.
 * - `no-receipt` (the step ended without a final receipt): +1 `no-receipt`, unless the overdue detector already
 *   counted that send.
 * - The overdue detector (silent filtering): an accepted send with no final receipt after
 *   max(`overdueAfter`, `latencyFactor` x p95 of the originator's recent receipt latencies seen here) counts
 *   +1 `no-receipt` at once, without waiting for the step to end. A receipt arriving later still counts.
 *   It sees only what this process saw: a message whose send and receipt ran on two processes (its workflow moved
 *   between workers) may be counted overdue falsely; workflows stay on one worker while it runs (sticky queues).
 * - Probes count like any send and again in `probeOk` / `probeFailures`.
 *
 * Bounded: at most `maxBuckets` (key, second) counts (past it the oldest second goes, counted in `dropped`), at most
 * `maxPending` sends awaiting a receipt (past it the oldest are forgotten), 100 latencies per key for the p95 and
 * 50 per key per batch.
 */
import type { FailureClass, RouteObservation } from '../domain/route-health';
import type { KeyCounts, ObservationBatch } from '../workflows/route-health-definitions';

export interface AggregatorOptions {
  overdueAfterMs: number;
  latencyFactor: number;
  /** Default 10 000 (key, second) buckets. */
  maxBuckets?: number;
  /** Default 20 000 sends awaiting a receipt. */
  maxPending?: number;
  now?: () => number;
}

export const LATENCY_SAMPLES_PER_BATCH = 50;
const LATENCY_WINDOW = 100;
/** Fewer samples than this: the p95 is not trusted and `overdueAfter` alone decides. */
const MIN_LATENCY_SAMPLES = 5;
const MAX_REASON_CHARS = 200;

interface Pending {
  key: string;
  sentAt: number;
  second: number;
  count: number;
  /** Counted by the overdue detector already. */
  overdue: boolean;
  probe: boolean;
}

export function secondOf(ms: number): number {
  return Math.floor(ms / 1000);
}

/** The originator key with a destination country (not `@*`) among a rung's keys. */
export function originatorKeyOf(keys: readonly string[]): string | undefined {
  return keys.find((k) => k.startsWith('originator:') && !k.endsWith('@*'));
}

function p95(values: readonly number[]): number | undefined {
  if (values.length < MIN_LATENCY_SAMPLES) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)];
}

export class ObservationAggregator {
  /** `${second}|${key}` -> counts, oldest first. */
  private buckets = new Map<string, KeyCounts>();
  /** `${key}|${sentAt}` -> sends awaiting a receipt, oldest first. */
  private readonly pending = new Map<string, Pending>();
  private readonly latencies = new Map<string, number[]>();
  private batchLatencies = new Map<string, number[]>();
  private readonly maxBuckets: number;
  private readonly maxPending: number;
  private readonly now: () => number;
  /** Counts lost to the bounds: buckets dropped, pending sends forgotten. */
  readonly dropped = { buckets: 0, pending: 0 };

  constructor(private readonly opts: AggregatorOptions) {
    this.maxBuckets = opts.maxBuckets ?? 10_000;
    this.maxPending = opts.maxPending ?? 20_000;
    this.now = opts.now ?? Date.now;
  }

  get size(): { buckets: number; pending: number } {
    return { buckets: this.buckets.size, pending: this.pending.size };
  }

  observe(o: RouteObservation): void {
    switch (o.kind) {
      case 'send':
        if (o.outcome === 'ok') {
          for (const key of o.keys) this.count(key, o.at, null, o.probe);
          const orig = originatorKeyOf(o.keys);
          if (orig) this.await(orig, o.at, o.probe);
        } else if (o.outcome === 'failure' && o.blamed) {
          this.count(o.blamed, o.at, 'send-error', o.probe, o.reason);
        }
        return;
      case 'receipt': {
        this.settle(o.key, o.sentAt);
        this.count(o.key, o.at, o.ok ? null : 'receipt-failure', o.probe, o.reason);
        this.sample(o.key, o.at - o.sentAt);
        return;
      }
      case 'no-receipt':
        if (this.settle(o.key, o.sentAt)?.overdue) return; // the detector counted it already
        this.count(o.key, o.at, 'no-receipt', o.probe, 'no final receipt within the step');
        return;
    }
  }

  /**
   * Runs the overdue detector, then hands over what was counted since the last drain (and forgets it), with
   * each bucket's sends still awaiting a receipt; undefined when there is nothing to send.
   */
  drain(source: string): ObservationBatch | undefined {
    this.detectOverdue();
    if (this.buckets.size === 0 && this.batchLatencies.size === 0) return undefined;
    const awaiting = new Map<string, number>();
    for (const p of this.pending.values()) {
      if (p.overdue) continue;
      const id = `${p.second}|${p.key}`;
      awaiting.set(id, (awaiting.get(id) ?? 0) + p.count);
    }
    const counts = [...this.buckets.entries()].map(([id, c]) => {
      const n = awaiting.get(id);
      return n ? { ...c, awaitingReceipt: n } : c;
    });
    const batch: ObservationBatch = { source, counts };
    if (this.batchLatencies.size > 0) batch.receiptLatencyMs = Object.fromEntries(this.batchLatencies);
    this.buckets = new Map();
    this.batchLatencies = new Map();
    return batch;
  }

  /** Puts back a batch that could not be sent: its counts are added to what came since (within the bounds). */
  restore(batch: ObservationBatch): void {
    const since = this.buckets;
    this.buckets = new Map();
    for (const c of [...batch.counts, ...since.values()]) {
      const b = this.bucket(c.key, c.second);
      b.ok += c.ok;
      for (const [cls, n] of Object.entries(c.failures) as [FailureClass, number][]) {
        b.failures[cls] = (b.failures[cls] ?? 0) + n;
      }
      if (c.probeOk) b.probeOk = (b.probeOk ?? 0) + c.probeOk;
      if (c.probeFailures) b.probeFailures = (b.probeFailures ?? 0) + c.probeFailures;
      if (c.lastReason !== undefined) b.lastReason = c.lastReason;
    }
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

  private count(key: string, at: number, failure: FailureClass | null, probe: boolean, reason?: string): void {
    const b = this.bucket(key, secondOf(at));
    if (failure === null) {
      b.ok++;
      if (probe) b.probeOk = (b.probeOk ?? 0) + 1;
      return;
    }
    b.failures[failure] = (b.failures[failure] ?? 0) + 1;
    if (probe) b.probeFailures = (b.probeFailures ?? 0) + 1;
    if (reason) b.lastReason = reason.slice(0, MAX_REASON_CHARS);
  }

  private await(key: string, sentAt: number, probe: boolean): void {
    const id = `${key}|${sentAt}`;
    const p = this.pending.get(id);
    if (p) {
      p.count++;
      return;
    }
    while (this.pending.size >= this.maxPending) {
      const oldest = this.pending.keys().next().value as string;
      this.dropped.pending += this.pending.get(oldest)?.count ?? 1;
      this.pending.delete(oldest);
    }
    this.pending.set(id, { key, sentAt, second: secondOf(sentAt), count: 1, overdue: false, probe });
  }

  /** One send of (key, sentAt) got its answer: returns what was pending, if anything. */
  private settle(key: string, sentAt: number): Pending | undefined {
    const id = `${key}|${sentAt}`;
    const p = this.pending.get(id);
    if (!p) return undefined;
    const settled = { ...p, count: 1 };
    if (--p.count <= 0) this.pending.delete(id);
    return settled;
  }

  private sample(key: string, latencyMs: number): void {
    if (!Number.isFinite(latencyMs) || latencyMs < 0) return;
    const window = this.latencies.get(key) ?? [];
    window.push(latencyMs);
    if (window.length > LATENCY_WINDOW) window.shift();
    this.latencies.set(key, window);
    const batch = this.batchLatencies.get(key) ?? [];
    batch.push(latencyMs);
    if (batch.length > LATENCY_SAMPLES_PER_BATCH) batch.shift();
    this.batchLatencies.set(key, batch);
  }

  /** How long a send of this originator key may wait for its receipt before it counts as overdue. */
  overdueAfter(key: string): number {
    const p = p95(this.latencies.get(key) ?? []);
    return Math.max(this.opts.overdueAfterMs, p === undefined ? 0 : this.opts.latencyFactor * p);
  }

  private detectOverdue(): void {
    const now = this.now();
    const limits = new Map<string, number>();
    for (const p of this.pending.values()) {
      if (p.overdue) continue;
      let limit = limits.get(p.key);
      if (limit === undefined) limits.set(p.key, (limit = this.overdueAfter(p.key)));
      if (now - p.sentAt < limit) continue;
      p.overdue = true;
      const reason = `no final receipt within ${Math.round(limit / 1000)} s`;
      for (let i = 0; i < p.count; i++) this.count(p.key, now, 'no-receipt', p.probe, reason);
    }
  }
}
