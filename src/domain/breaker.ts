/**
 * The route-health circuit breakers as a pure state machine: no Temporal import, time passed in (epoch ms). The
 * routeHealth workflow (src/workflows/route-health.ts) owns one `Breakers` and feeds it batches, AWS Health
 * events and clock ticks; every call returns the state changes it caused. The design, with figures, is in
 * docs/route-health.md.
 *
 * Per key: closed → open when a failure class trips (per class, over its sliding window of per-second buckets:
 * at least `minVolume` outcomes and a failure ratio of at least `failureRatio`, or `consecutiveFailures` failures
 * with no success after them); open → half-open when the opening class's `cooldown` has passed; half-open → closed
 * after `halfOpenProbes` successes of sends made while half-open, → open again (a new cooldown) on any failure of
 * such a send. An AWS Health `open` event holds the key open, whatever the counts, until its `closed` event.
 */
import {
  addBucket,
  bucketOf,
  COUNTED_CLASSES,
  p95,
  windowCounts,
  type Bucket,
  type CountedClass,
  type ReportedCounts,
} from './breaker-counts';
import { restoreBreakers, type BreakersState, type KeyBreaker } from './breaker-state';
import { regionKey, type BreakerState, type FailureClass } from './route-health';
import type { BreakerThresholds } from './route-health-config';

export type { BreakersState, HealthHold, KeyBreaker } from './breaker-state';

/** What the breakers need of the config's `routeHealth` section (durations in ms). */
export interface BreakerConfig {
  breakers: Record<CountedClass, BreakerThresholds>;
  /** A send is overdue when no final receipt came within max(overdueAfter, latencyFactor × p95 receipt latency). */
  overdueAfter: number;
  latencyFactor: number;
}

/** A state change as people see it (aws-health holds included). */
export interface Transition {
  key: string;
  from: BreakerState;
  to: BreakerState;
  at: number;
  why: string;
}

/** A key as the breakers see it: the effective state (an AWS Health hold shows as open) and recent counts. */
export interface BreakerView {
  key: string;
  state: BreakerState;
  since: number;
  why: string;
  recent: { ok: number; failures: Partial<Record<FailureClass, number>>; probes: number };
}

/** The AWS Health event fields the breakers use (the `awsHealthEvent` signal's payload). */
export interface HealthEvent {
  eventArn: string;
  region: string;
  eventTypeCode: string;
  statusCode: string;
  at: number;
  description?: string;
}

const MAX_BUCKETS_PER_KEY = 3600;
const MAX_LATENCIES = 100;
const MAX_LATENCIES_PER_BATCH = 50;
const MAX_HOLDS = 50;
/** Keys held at once: far more than any config has routes × originators × countries. */
const MAX_KEYS = 10_000;
/**
 * Receipts becoming overdue are checked on a timer of this granularity when no batch arrives (a batch touching the
 * key checks at once): under steady traffic most sends get their receipt in time, and a timer per second would
 * double the workflow's history.
 */
const OVERDUE_TICK_MS = 5000;
/** Sends reported further in the future than this (clock skew between hosts) are refused. */
const MAX_FUTURE_MS = 300_000;
/**
 * How long a batch's processing lag counts: the overdue limit is extended by the longest lag any process reported in
 * this last minute. A process that is behind (a burst's backlog) sees receipts late, not the route losing them.
 */
const LAG_MEMORY_MS = 60_000;
const MAX_LAG_SAMPLES = 120;
const MAX_LAG_MS = 3_600_000;
const CLASS_NOUN: Record<CountedClass, string> = {
  'send-error': 'sends failed',
  'receipt-failure': 'receipts were failures',
  'no-receipt': 'sends got no final receipt',
};

export class Breakers {
  private readonly keys = new Map<string, KeyBreaker>();
  /** Processing lags the batches reported (ms), with when they came; not carried over continue-as-new. */
  private lags: { at: number; ms: number }[] = [];
  /** What restoring the carried state dropped (for the log). */
  readonly restoreNotes: string[];

  constructor(
    private readonly config: BreakerConfig,
    carried?: unknown,
  ) {
    const restored = restoreBreakers(carried);
    for (const k of restored.keys) this.keys.set(k.key, k);
    this.restoreNotes = restored.notes;
  }

  /**
   * Adds one batch of counts (and the reporting process's processing lag, ms); returns the state changes and a
   * sentence per record it refused.
   */
  record(
    counts: readonly ReportedCounts[],
    latencies: Record<string, unknown> | undefined,
    now: number,
    processingLagMs?: unknown,
  ): { transitions: Transition[]; rejected: string[] } {
    this.noteLag(processingLagMs, now);
    const rejected: string[] = [];
    const before = new Map<string, BreakerView>();
    const touch = (key: string): KeyBreaker => {
      if (!before.has(key)) before.set(key, this.effective(this.keys.get(key), key));
      return this.keyOf(key, now);
    };
    for (const c of counts) {
      const parsed = bucketOf(c);
      if (typeof parsed === 'string') rejected.push(parsed);
      else if (parsed.bucket.second * 1000 > now + MAX_FUTURE_MS) rejected.push(`${c.key}: second is in the future`);
      else if (!this.keys.has(c.key) && this.keys.size >= MAX_KEYS) rejected.push(`${c.key}: ${MAX_KEYS} keys known`);
      else this.add(touch(c.key), parsed.bucket, parsed.reasons, now);
    }
    for (const [key, samples] of Object.entries(latencies ?? {})) {
      if (!this.keys.has(key) || !Array.isArray(samples)) continue;
      const k = touch(key);
      const valid = samples.filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0);
      k.latencies.push(...valid.slice(0, MAX_LATENCIES_PER_BATCH));
      if (k.latencies.length > MAX_LATENCIES) k.latencies.splice(0, k.latencies.length - MAX_LATENCIES);
    }
    for (const key of before.keys()) this.evaluate(this.keys.get(key)!, now);
    return { transitions: this.changes(before, now), rejected };
  }

  /** Applies an AWS Health event to its Region's key: `open` holds it open, `closed` releases that hold. */
  healthEvent(ev: HealthEvent, now: number): { transitions: Transition[]; note?: string } {
    const key = regionKey(ev.region);
    const before = new Map([[key, this.effective(this.keys.get(key), key)]]);
    const k = this.keyOf(key, now);
    const held = k.health.findIndex((h) => h.eventArn === ev.eventArn);
    let note: string | undefined;
    if (ev.statusCode === 'open') {
      const since = Number.isFinite(ev.at) && ev.at > 0 && ev.at <= now ? ev.at : now;
      const hold = { eventArn: ev.eventArn, eventTypeCode: ev.eventTypeCode, since, description: ev.description };
      if (held >= 0) k.health[held] = { ...hold, since: k.health[held].since };
      else if (k.health.length >= MAX_HOLDS) note = `${key} already holds ${MAX_HOLDS} AWS Health events`;
      else k.health.push(hold);
    } else if (ev.statusCode === 'closed') {
      if (held >= 0) k.health.splice(held, 1);
      else note = `no open AWS Health event ${ev.eventArn} on ${key}`;
    } else {
      note = `AWS Health event ${ev.eventArn} is ${ev.statusCode}: nothing to do`;
    }
    return { transitions: this.changes(before, now), note };
  }

  /** Time-driven changes: cooldowns over (open → half-open), sends overdue for their receipt, old buckets dropped. */
  tick(now: number): Transition[] {
    const before = new Map<string, BreakerView>();
    for (const k of this.keys.values()) before.set(k.key, this.effective(k, k.key));
    for (const k of this.keys.values()) {
      if (k.state === 'open' && k.cooldownUntil !== undefined && now >= k.cooldownUntil) this.halfOpen(k, now);
      this.evaluate(k, now);
    }
    return this.changes(before, now);
  }

  /** The next time (epoch ms, after `now`) a tick may change something, or undefined (overdue checks: see OVERDUE_TICK_MS). */
  nextDue(now: number): number | undefined {
    let due: number | undefined;
    const consider = (t: number) => {
      if (t > now && (due === undefined || t < due)) due = t;
    };
    for (const k of this.keys.values()) {
      if (k.state === 'open' && k.cooldownUntil !== undefined) consider(k.cooldownUntil);
      if (k.state === 'open') continue;
      const overdueMs = this.overdueMs(k, now);
      const pending = k.buckets.find((b) => b.awaiting > 0 && (b.second + 1) * 1000 + overdueMs > now);
      if (pending) consider(Math.ceil(((pending.second + 1) * 1000 + overdueMs) / OVERDUE_TICK_MS) * OVERDUE_TICK_MS);
    }
    return due;
  }

  view(key: string, now: number): BreakerView | undefined {
    const k = this.keys.get(key);
    return k ? this.effective(k, key, now) : undefined;
  }

  views(now: number): BreakerView[] {
    return [...this.keys.values()].map((k) => this.effective(k, k.key, now));
  }

  /**
   * The overdue limit of a key: max(overdueAfter, latencyFactor × its p95 receipt latency), plus the longest processing
   * lag a process reported in the last minute (its messages see receipts that much late).
   */
  overdueMs(k: KeyBreaker, now: number): number {
    const p = p95(k.latencies);
    const base = Math.max(this.config.overdueAfter, p === undefined ? 0 : Math.round(this.config.latencyFactor * p));
    return base + this.lagAt(now);
  }

  /** The longest processing lag reported in the last minute, ms (0: none). */
  lagAt(now: number): number {
    let lag = 0;
    for (const l of this.lags) if (l.at > now - LAG_MEMORY_MS && l.ms > lag) lag = l.ms;
    return lag;
  }

  private noteLag(value: unknown, now: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return;
    this.lags = this.lags.filter((l) => l.at > now - LAG_MEMORY_MS);
    this.lags.push({ at: now, ms: Math.min(value, MAX_LAG_MS) });
    if (this.lags.length > MAX_LAG_SAMPLES) this.lags.splice(0, this.lags.length - MAX_LAG_SAMPLES);
  }

  serialize(): BreakersState {
    return { version: 1, keys: [...this.keys.values()] };
  }

  private keyOf(key: string, now: number): KeyBreaker {
    let k = this.keys.get(key);
    if (!k) {
      k = { key, state: 'closed', since: now, why: '', countFrom: 0, probeSuccesses: 0, reasons: {} } as KeyBreaker;
      Object.assign(k, { buckets: [], latencies: [], health: [] });
      this.keys.set(key, k);
    }
    return k;
  }

  private add(k: KeyBreaker, b: Bucket, reasons: Partial<Record<CountedClass, string>>, now: number): void {
    addBucket(k.buckets, b);
    if (k.buckets.length > MAX_BUCKETS_PER_KEY) k.buckets.splice(0, k.buckets.length - MAX_BUCKETS_PER_KEY);
    Object.assign(k.reasons, reasons);
    if (k.state !== 'half-open' || b.second < (k.halfOpenFrom ?? Infinity)) return;
    const failed = COUNTED_CLASSES.find((cls) => (b.failures[cls] ?? 0) > 0);
    if (failed) {
      this.open(k, now, failed, `a probe failed (${this.label(k, failed)}); open again`);
      return;
    }
    k.probeSuccesses += k.openedBy === 'send-error' ? b.sent : b.delivered;
    const needed = this.config.breakers[k.openedBy ?? 'send-error'].halfOpenProbes;
    if (k.probeSuccesses >= needed) {
      Object.assign(k, { state: 'closed', since: now, countFrom: Math.floor(now / 1000) });
      k.why = `${k.probeSuccesses} probes succeeded after the cooldown`;
      k.openedBy = k.cooldownUntil = k.halfOpenFrom = undefined;
    }
  }

  /** Closed: opens when a class trips. Half-open: opens again when a probe's receipt is overdue. Drops old buckets. */
  private evaluate(k: KeyBreaker, now: number): void {
    const overdueMs = this.overdueMs(k, now);
    if (k.state === 'closed') {
      for (const cls of COUNTED_CLASSES) {
        const why = this.trips(k, cls, now, overdueMs);
        if (why) {
          this.open(k, now, cls, why);
          break;
        }
      }
    } else if (k.state === 'half-open') {
      const from = k.halfOpenFrom ?? 0;
      if (windowCounts(k.buckets, 'no-receipt', Infinity, now, overdueMs, from).failures > 0) {
        this.open(k, now, 'no-receipt', `a probe got no final receipt within ${secs(overdueMs)}; open again`);
      }
    }
    this.prune(k, now, overdueMs);
  }

  /** Why `cls` trips on this key now, or undefined. */
  private trips(k: KeyBreaker, cls: CountedClass, now: number, overdueMs: number): string | undefined {
    const th = this.config.breakers[cls];
    const w = windowCounts(k.buckets, cls, th.window, now, overdueMs, k.countFrom);
    const within = cls === 'no-receipt' ? ` within ${secs(overdueMs)}` : '';
    if (w.failures > 0 && w.outcomes >= th.minVolume && w.failures / w.outcomes >= th.failureRatio) {
      return `${w.failures} of ${w.outcomes} ${CLASS_NOUN[cls]}${within} (${this.label(k, cls)})`;
    }
    if (th.consecutiveFailures > 0 && w.trailing >= th.consecutiveFailures) {
      return `${w.trailing} ${CLASS_NOUN[cls]}${within} in a row (${this.label(k, cls)})`;
    }
    return undefined;
  }

  private label(k: KeyBreaker, cls: CountedClass): string {
    return k.reasons[cls] ? `${cls}: ${k.reasons[cls]}` : cls;
  }

  private open(k: KeyBreaker, now: number, cls: CountedClass, why: string): void {
    Object.assign(k, { state: 'open', since: now, why, openedBy: cls, probeSuccesses: 0 });
    k.cooldownUntil = now + this.config.breakers[cls].cooldown;
    k.halfOpenFrom = undefined;
  }

  private halfOpen(k: KeyBreaker, now: number): void {
    const needed = this.config.breakers[k.openedBy ?? 'send-error'].halfOpenProbes;
    const was = k.why;
    Object.assign(k, { state: 'half-open', since: now, halfOpenFrom: Math.floor(now / 1000), probeSuccesses: 0 });
    k.why = `cooldown over, waiting for ${needed} probe successes (opened: ${was})`;
  }

  private prune(k: KeyBreaker, now: number, overdueMs: number): void {
    const longest = Math.max(...COUNTED_CLASSES.map((c) => this.config.breakers[c].window));
    const oldest = Math.floor((now - longest - overdueMs) / 1000) - 1;
    const keepFrom = k.state === 'half-open' ? Math.min(oldest, k.halfOpenFrom ?? oldest) : oldest;
    const drop = k.buckets.findIndex((b) => b.second >= keepFrom);
    k.buckets.splice(0, drop < 0 ? k.buckets.length : drop);
    if (k.state === 'closed' && k.buckets.length === 0 && k.health.length === 0) this.keys.delete(k.key);
  }

  private effective(k: KeyBreaker | undefined, key: string, now?: number): BreakerView {
    const recent = k && now !== undefined ? this.recent(k, now) : { ok: 0, failures: {}, probes: 0 };
    if (!k) return { key, state: 'closed', since: 0, why: '', recent };
    if (k.health.length > 0) {
      const [first] = k.health;
      const more = k.health.length > 1 ? ` and ${k.health.length - 1} more` : '';
      const text = first.description ? `: ${first.description.slice(0, 160)}` : '';
      const since = Math.min(...k.health.map((h) => h.since));
      return { key, state: 'open', since, why: `AWS Health ${first.eventTypeCode}${more}${text}`, recent };
    }
    return { key, state: k.state, since: k.since, why: k.why, recent };
  }

  private recent(k: KeyBreaker, now: number): BreakerView['recent'] {
    const overdueMs = this.overdueMs(k, now);
    const failures: Partial<Record<FailureClass, number>> = {};
    for (const cls of COUNTED_CLASSES) {
      const n = windowCounts(k.buckets, cls, this.config.breakers[cls].window, now, overdueMs, 0).failures;
      if (n > 0) failures[cls] = n;
    }
    if (k.health.length > 0) failures['aws-health'] = k.health.length;
    const longest = Math.max(...COUNTED_CLASSES.map((c) => this.config.breakers[c].window));
    const inWindow = k.buckets.filter((b) => b.second * 1000 >= now - longest);
    const ok = inWindow.reduce((n, b) => n + b.sent + b.delivered, 0);
    const probes = inWindow.reduce((n, b) => n + b.probeOk + b.probeFailures, 0);
    return { ok, failures, probes };
  }

  private changes(before: Map<string, BreakerView>, now: number): Transition[] {
    const out: Transition[] = [];
    for (const [key, was] of before) {
      const is = this.effective(this.keys.get(key), key);
      if (is.state !== was.state) out.push({ key, from: was.state, to: is.state, at: now, why: is.why });
    }
    return out;
  }
}

function secs(msValue: number): string {
  return `${Math.round(msValue / 100) / 10} s`;
}
