/**
 * What the routeHealth workflow holds, without Temporal: the breakers (src/domain/breaker.ts), the operators'
 * drains with their expiry, and what people and messages see of them (route views, the snapshot, the Web UI's
 * details table). Every change is returned as a `Change` for the workflow to log and act on.
 */
import { Breakers, type BreakerConfig, type BreakerView, type Transition } from '../domain/breaker';
import { COUNTED_CLASSES, HEALTH_KEY_FORMS, isHealthKey, type CountedClass } from '../domain/breaker-counts';
import type { BreakerThresholds } from '../domain/route-health-config';
import type { RouteHealthEntry, RouteHealthSnapshot } from '../domain/route-health';
import type { DrainRequest, RouteView, UndrainRequest } from './route-health-definitions';

export interface Drain {
  reason: string;
  by: string;
  since: number;
  until?: number;
}

/** A change of what messages see of a key: a breaker transition, a drain, an undrain or a drain's expiry. */
export interface Change {
  key: string;
  what: 'breaker' | 'drained' | 'undrained' | 'drain-expired';
  from: string;
  to: string;
  why: string;
  /** The key just became unusable (opened or drained): messages waiting on it may be woken. */
  wake: boolean;
}

export interface CarriedState {
  breakers: unknown;
  drains: Record<string, Drain>;
}

/** The longest drain `--for` accepted: a year (as every duration of the config). */
const MAX_DRAIN_MS = 365 * 24 * 3600_000;
const MAX_DRAINS = 1000;
const DEFAULT_THRESHOLDS: BreakerThresholds = {
  minVolume: 5,
  failureRatio: 0.5,
  consecutiveFailures: 5,
  window: 30_000,
  cooldown: 30_000,
  halfOpenProbes: 3,
};

/** The breaker config of an input, every missing or malformed value replaced by its default (never throws). */
export function breakerConfigOf(raw: unknown): BreakerConfig {
  const input = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<Record<string, unknown>>;
  const breakers = (typeof input.breakers === 'object' && input.breakers !== null ? input.breakers : {}) as Record<
    string,
    unknown
  >;
  const thresholds = (v: unknown): BreakerThresholds => {
    const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
    const out = { ...DEFAULT_THRESHOLDS };
    for (const name of Object.keys(DEFAULT_THRESHOLDS) as (keyof BreakerThresholds)[]) {
      const n = o[name];
      if (typeof n === 'number' && Number.isFinite(n) && n >= 0) out[name] = n;
    }
    return out;
  };
  const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : d);
  return {
    breakers: Object.fromEntries(COUNTED_CLASSES.map((c) => [c, thresholds(breakers[c])])) as Record<
      CountedClass,
      BreakerThresholds
    >,
    overdueAfter: num(input.overdueAfter, 10_000),
    latencyFactor: Math.max(1, num(input.latencyFactor, 3)),
  };
}

/** Why a drain request is refused, or undefined when it is fine. */
export function drainProblem(req: DrainRequest): string | undefined {
  if (typeof req !== 'object' || req === null) return 'drain: the request is not an object';
  if (!isHealthKey(req.key)) return `drain: ${JSON.stringify(req.key)} is not a route-health key (${HEALTH_KEY_FORMS})`;
  if (typeof req.reason !== 'string' || req.reason.trim() === '') return `drain ${req.key}: a reason is required`;
  if (req.reason.length > 500) return `drain ${req.key}: the reason is longer than 500 characters`;
  if (typeof req.by !== 'string' || req.by.trim() === '') return `drain ${req.key}: who asks (by) is required`;
  if (req.forMs !== undefined) {
    const ok = typeof req.forMs === 'number' && Number.isInteger(req.forMs) && req.forMs > 0;
    if (!ok || req.forMs > MAX_DRAIN_MS) return `drain ${req.key}: forMs must be a whole number of ms, 1 ms to 365 d`;
  }
  return undefined;
}

export class RouteHealthState {
  readonly breakers: Breakers;
  private readonly drains = new Map<string, Drain>();
  readonly restoreNotes: string[];

  constructor(config: BreakerConfig, carried?: unknown) {
    const c = (typeof carried === 'object' && carried !== null ? carried : {}) as Partial<Record<string, unknown>>;
    this.breakers = new Breakers(config, c.breakers);
    this.restoreNotes = [...this.breakers.restoreNotes];
    const drains = typeof c.drains === 'object' && c.drains !== null ? (c.drains as Record<string, unknown>) : {};
    for (const [key, d] of Object.entries(drains)) {
      const drain = d as Partial<Drain> | null;
      if (isHealthKey(key) && drain && typeof drain.reason === 'string' && typeof drain.since === 'number') {
        const until = typeof drain.until === 'number' ? drain.until : undefined;
        this.drains.set(key, { reason: drain.reason, by: String(drain.by ?? 'unknown'), since: drain.since, until });
      } else this.restoreNotes.push(`dropped a carried drain of ${JSON.stringify(key).slice(0, 120)}`);
    }
  }

  /** Why an undrain is refused, or undefined. */
  undrainProblem(req: UndrainRequest): string | undefined {
    if (typeof req !== 'object' || req === null) return 'undrain: the request is not an object';
    if (!isHealthKey(req.key))
      return `undrain: ${JSON.stringify(req.key)} is not a route-health key (${HEALTH_KEY_FORMS})`;
    if (typeof req.by !== 'string' || req.by.trim() === '') return `undrain ${req.key}: who asks (by) is required`;
    if (!this.drains.has(req.key)) return `undrain: ${req.key} is not drained`;
    return undefined;
  }

  drainProblem(req: DrainRequest): string | undefined {
    const problem = drainProblem(req);
    if (problem) return problem;
    if (!this.drains.has(req.key) && this.drains.size >= MAX_DRAINS) return `drain: ${MAX_DRAINS} keys are drained`;
    return undefined;
  }

  drain(req: DrainRequest, now: number): Change {
    const was = this.drains.get(req.key);
    const from = this.condition(req.key, now);
    const until = req.forMs === undefined ? undefined : now + req.forMs;
    this.drains.set(req.key, { reason: req.reason.trim(), by: req.by.trim(), since: was?.since ?? now, until });
    return { key: req.key, what: 'drained', from, to: 'drained', why: this.drainWhy(req.key)!, wake: !was };
  }

  undrain(req: UndrainRequest, now: number): Change {
    this.drains.delete(req.key);
    const to = this.condition(req.key, now);
    return { key: req.key, what: 'undrained', from: 'drained', to, why: `undrained by ${req.by.trim()}`, wake: false };
  }

  /** Drains whose time is up end; breakers move on time. */
  tick(now: number): Change[] {
    const changes: Change[] = [];
    for (const [key, d] of this.drains) {
      if (d.until === undefined || d.until > now) continue;
      this.drains.delete(key);
      const why = `drain by ${d.by} (${d.reason}) expired`;
      changes.push({ key, what: 'drain-expired', from: 'drained', to: this.condition(key, now), why, wake: false });
    }
    return [...changes, ...this.fromTransitions(this.breakers.tick(now))];
  }

  /** Breaker transitions as changes: a drained key's breaker still changes, but messages keep seeing it drained. */
  fromTransitions(transitions: readonly Transition[]): Change[] {
    return transitions.map((t) => ({
      key: t.key,
      what: 'breaker',
      from: t.from,
      to: t.to,
      why: t.why,
      wake: t.to === 'open' && !this.drains.has(t.key),
    }));
  }

  nextDue(now: number): number | undefined {
    const times = [...this.drains.values()].map((d) => d.until).filter((t): t is number => t !== undefined);
    const breakerDue = this.breakers.nextDue(now);
    if (breakerDue !== undefined) times.push(breakerDue);
    return times.length > 0 ? Math.max(now + 1, Math.min(...times)) : undefined;
  }

  view(key: string, now: number): RouteView {
    const b: BreakerView = this.breakers.view(key, now) ?? {
      key,
      state: 'closed',
      since: 0,
      why: '',
      recent: { ok: 0, failures: {}, probes: 0 },
    };
    const drain = this.drains.get(key);
    const view: RouteView = {
      key,
      state: b.state,
      condition: drain ? 'drained' : b.state,
      since: drain ? drain.since : b.since,
      why: drain ? this.drainWhy(key)! : b.why,
      recent: b.recent,
    };
    if (drain) view.drain = { ...drain };
    return view;
  }

  views(now: number): RouteView[] {
    const keys = new Set([...this.breakers.views(now).map((v) => v.key), ...this.drains.keys()]);
    return [...keys].sort().map((key) => this.view(key, now));
  }

  /** The keys that are not closed (or are drained), as messages read them. */
  snapshot(now: number): RouteHealthSnapshot {
    const entries: RouteHealthEntry[] = [];
    for (const v of this.views(now)) {
      if (v.condition !== 'closed') entries.push({ key: v.key, condition: v.condition, since: v.since, why: v.why });
    }
    return { at: now, entries };
  }

  entry(key: string, now: number): RouteHealthEntry | undefined {
    return this.snapshot(now).entries.find((e) => e.key === key);
  }

  /** The Web UI's details: a markdown table of the keys that are not closed. */
  details(now: number): string {
    const { entries } = this.snapshot(now);
    const head = `**Route health** · ${new Date(now).toISOString()}`;
    if (entries.length === 0) return `${head} · every route and originator closed`;
    const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
    const rows = entries.map(
      (e) => `| ${cell(e.key)} | ${e.condition} | ${new Date(e.since).toISOString()} | ${cell(e.why)} |`,
    );
    return [
      `${head} · ${entries.length} not closed`,
      '',
      '| key | state | since | why |',
      '|---|---|---|---|',
      ...rows,
    ].join('\n');
  }

  serialize(): CarriedState {
    return { breakers: this.breakers.serialize(), drains: Object.fromEntries(this.drains) };
  }

  private condition(key: string, now: number): string {
    return this.drains.has(key) ? 'drained' : (this.breakers.view(key, now)?.state ?? 'closed');
  }

  private drainWhy(key: string): string | undefined {
    const d = this.drains.get(key);
    if (!d) return undefined;
    const until = d.until === undefined ? '' : ` until ${new Date(d.until).toISOString()}`;
    return `drained by ${d.by}: ${d.reason}${until}`;
  }
}
