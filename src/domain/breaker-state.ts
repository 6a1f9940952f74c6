/**
 * The breakers' state as plain data (carried over continue-as-new as is), and reading it back. Whatever it is handed (an
 * older version, a hand-edited input, garbage) it returns what it can use and a note per part it dropped: the
 * routeHealth workflow must start whatever its input says.
 */
import { COUNTED_CLASSES, isHealthKey, type Bucket, type CountedClass } from './breaker-counts';
import { BREAKER_STATES, type BreakerState } from './route-health';

/** An open AWS Health event holding a key open. */
export interface HealthHold {
  eventArn: string;
  eventTypeCode: string;
  since: number;
  description?: string;
}

/** One key's breaker: plain data, carried over continue-as-new as is. */
export interface KeyBreaker {
  key: string;
  state: BreakerState;
  since: number;
  why: string;
  /** The class that opened it (its cooldown and its kind of probe success apply). */
  openedBy?: CountedClass;
  cooldownUntil?: number;
  /** Buckets before this send second do not count towards opening (set when the key closes). */
  countFrom: number;
  /** Sends of this second or later are the half-open probes. */
  halfOpenFrom?: number;
  probeSuccesses: number;
  reasons: Partial<Record<CountedClass, string>>;
  buckets: Bucket[];
  /** Recent receipt latencies (ms), newest last. */
  latencies: number[];
  health: HealthHold[];
}

export interface BreakersState {
  version: 1;
  keys: KeyBreaker[];
}

type Raw = Record<string, unknown>;

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const optNum = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v.slice(0, 500) : fallback);
const isClass = (v: unknown): v is CountedClass => COUNTED_CLASSES.includes(v as CountedClass);

function bucket(v: unknown): Bucket | undefined {
  if (!isObject(v) || typeof v.second !== 'number' || !Number.isInteger(v.second)) return undefined;
  const failures: Bucket['failures'] = {};
  if (isObject(v.failures)) {
    for (const cls of COUNTED_CLASSES) {
      const n = num(v.failures[cls], 0);
      if (n > 0) failures[cls] = n;
    }
  }
  return {
    second: v.second,
    sent: Math.max(0, num(v.sent, 0)),
    delivered: Math.max(0, num(v.delivered, 0)),
    failures,
    awaiting: num(v.awaiting, 0),
    probeOk: Math.max(0, num(v.probeOk, 0)),
    probeFailures: Math.max(0, num(v.probeFailures, 0)),
  };
}

function hold(v: unknown): HealthHold | undefined {
  if (!isObject(v) || typeof v.eventArn !== 'string' || v.eventArn === '') return undefined;
  const description = typeof v.description === 'string' ? v.description.slice(0, 500) : undefined;
  return { eventArn: v.eventArn, eventTypeCode: str(v.eventTypeCode, 'unknown'), since: num(v.since, 0), description };
}

function keyBreaker(v: unknown): KeyBreaker | undefined {
  if (!isObject(v) || !isHealthKey(v.key)) return undefined;
  const state: BreakerState = BREAKER_STATES.includes(v.state as BreakerState) ? (v.state as BreakerState) : 'closed';
  const reasons: KeyBreaker['reasons'] = {};
  if (isObject(v.reasons)) for (const cls of COUNTED_CLASSES) if (v.reasons[cls]) reasons[cls] = str(v.reasons[cls]);
  const buckets = (Array.isArray(v.buckets) ? v.buckets : []).map(bucket).filter((b) => b !== undefined);
  buckets.sort((a, b) => a.second - b.second);
  const k: KeyBreaker = {
    key: v.key,
    state,
    since: num(v.since, 0),
    why: str(v.why),
    openedBy: isClass(v.openedBy) ? v.openedBy : undefined,
    cooldownUntil: optNum(v.cooldownUntil),
    countFrom: num(v.countFrom, 0),
    halfOpenFrom: optNum(v.halfOpenFrom),
    probeSuccesses: Math.max(0, num(v.probeSuccesses, 0)),
    reasons,
    buckets: buckets.filter((b, i) => i === 0 || b.second !== buckets[i - 1].second),
    latencies: (Array.isArray(v.latencies) ? v.latencies : []).filter(
      (x): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0,
    ),
    health: (Array.isArray(v.health) ? v.health : []).map(hold).filter((h) => h !== undefined),
  };
  // An open breaker without a cooldown would never leave `open`: give it one that is already over.
  if (k.state === 'open' && k.cooldownUntil === undefined) k.cooldownUntil = 0;
  if (k.state === 'half-open' && k.halfOpenFrom === undefined) k.halfOpenFrom = Math.floor(k.since / 1000);
  return k;
}

/** The keys of a carried `BreakersState`, and a note per part that was dropped. */
export function restoreBreakers(carried: unknown): { keys: KeyBreaker[]; notes: string[] } {
  if (carried === undefined || carried === null) return { keys: [], notes: [] };
  if (!isObject(carried) || carried.version !== 1 || !Array.isArray(carried.keys)) {
    return { keys: [], notes: ['carried breaker state is not version 1: starting with every key closed'] };
  }
  const keys: KeyBreaker[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  for (const raw of carried.keys) {
    const k = keyBreaker(raw);
    if (!k || seen.has(k.key)) {
      notes.push(`dropped a carried breaker: ${JSON.stringify(raw)?.slice(0, 120)}`);
      continue;
    }
    seen.add(k.key);
    keys.push(k);
  }
  return { keys, notes };
}
