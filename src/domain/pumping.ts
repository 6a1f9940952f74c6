/**
 * The SMS pumping guard's pure core (docs/pumping.md): the keys a message is counted under (its number as a tag,
 * its prefix, its country), per-second counts over sliding windows, and the velocity check. Safe in workflow code:
 * no I/O, no clock (the time is passed in).
 */
import { sha256Hex } from './number-tag';
import type { VelocityLimit, VelocityScope } from './pumping-config';

/** What the guard knows of one message: never the number itself, only its tag and prefix. */
export interface PumpingSubject {
  useCase: string;
  country: string;
  /** `+` and the first `prefixLength` digits of the E.164 number. */
  prefix: string;
  /** `numberKeyTag(number)`: the same number gives the same tag in every message of a deployment. */
  numberTag: string;
}

/**
 * The tag a number is counted under: the first 16 hex digits of SHA-256(`pumping` LF number). Unlike `numberTag` in
 * ./number-tag.ts it is not salted per message (the guard must count one number across messages); like it, it is
 * not a secret (the number space is small enough to search), only kept out of ids, logs and metrics in clear.
 */
export function numberKeyTag(e164: string): string {
  return sha256Hex(`pumping\n${e164}`).slice(0, 16);
}

/** `+` and the first `length` digits of an E.164 number. */
export function prefixOf(e164: string, length: number): string {
  const digits = e164.replace(/^\+/, '');
  return `+${digits.slice(0, length)}`;
}

/** What the guard counts a message under, from its request, country and the config's `pumping.prefixLength`. */
export function pumpingSubject(
  request: { useCase: string; destination: string },
  country: string,
  section: { prefixLength: number },
): PumpingSubject {
  return {
    useCase: request.useCase,
    country,
    prefix: prefixOf(request.destination, section.prefixLength),
    numberTag: numberKeyTag(request.destination),
  };
}

/** The guard key of a subject in one scope: `number:<tag>`, `prefix:+4470`, `country:GB`. */
export function scopeKey(subject: PumpingSubject, scope: VelocityScope): string {
  switch (scope) {
    case 'number':
      return `number:${subject.numberTag}`;
    case 'prefix':
      return `prefix:${subject.prefix}`;
    case 'country':
      return `country:${subject.country}`;
  }
}

/** Counts are kept per use case: `otp|prefix:+4470`. */
export function countKey(useCase: string, key: string): string {
  return `${useCase}|${key}`;
}

const KEY_PATTERN = /^[a-z0-9_-]{1,64}\|(number:[0-9a-f]{16}|prefix:\+[0-9]{1,15}|country:[A-Z]{2})$/;

/** Is `key` a count key of one of the forms above? */
export function isCountKey(key: unknown): key is string {
  return typeof key === 'string' && KEY_PATTERN.test(key);
}

/** How a key is shown to people: a number's tag shortened, prefixes and countries as they are. */
export function describeKey(key: string): string {
  if (key.startsWith('number:')) return `number #${key.slice('number:'.length, 'number:'.length + 8)}`;
  return key.replace(':', ' ');
}

/** One key's counts in one second. */
export interface SecondCounts {
  /** Messages let through (their first send may go out). */
  admitted: number;
  /** Messages stopped by the guard. */
  stopped: number;
  /** Feedback RECEIVED for messages admitted in that second. */
  received: number;
}

/** A batch record: `counts` of `key` in second `second` (epoch seconds). */
export interface CountRecord extends Partial<SecondCounts> {
  key: string;
  second: number;
}

export type CountField = keyof SecondCounts;

/** Per-key, per-second counts; old seconds are pruned by the caller's clock. */
export class SlidingCounts {
  private readonly keys = new Map<string, Map<number, SecondCounts>>();

  constructor(private readonly maxKeys = 100_000) {}

  /** Adds a record; false when it would add a key past `maxKeys`. */
  add(r: CountRecord): boolean {
    let seconds = this.keys.get(r.key);
    if (!seconds) {
      if (this.keys.size >= this.maxKeys) return false;
      seconds = new Map();
      this.keys.set(r.key, seconds);
    }
    const c = seconds.get(r.second) ?? { admitted: 0, stopped: 0, received: 0 };
    c.admitted += r.admitted ?? 0;
    c.stopped += r.stopped ?? 0;
    c.received += r.received ?? 0;
    seconds.set(r.second, c);
    return true;
  }

  /** The sum of `field` of `key` over the seconds in [from, to] (epoch seconds). */
  sum(key: string, field: CountField, from: number, to: number): number {
    let n = 0;
    for (const [s, c] of this.keys.get(key) ?? []) if (s >= from && s <= to) n += c[field];
    return n;
  }

  /** The newest second of `key` with a nonzero `field`, if any. */
  newest(key: string, field: CountField): number | undefined {
    let best: number | undefined;
    for (const [s, c] of this.keys.get(key) ?? []) if (c[field] > 0 && (best === undefined || s > best)) best = s;
    return best;
  }

  /** The oldest second of `key` after `after` with a nonzero `field`, if any. */
  firstAfter(key: string, field: CountField, after: number): number | undefined {
    let best: number | undefined;
    for (const [s, c] of this.keys.get(key) ?? []) {
      if (s > after && c[field] > 0 && (best === undefined || s < best)) best = s;
    }
    return best;
  }

  /** Forgets seconds older than `before`, and keys left empty. */
  prune(before: number): void {
    for (const [key, seconds] of this.keys) {
      for (const s of seconds.keys()) if (s < before) seconds.delete(s);
      if (seconds.size === 0) this.keys.delete(key);
    }
  }

  /** Forgets the seconds of `key` older than `before`. */
  forget(key: string, before: number): void {
    const seconds = this.keys.get(key);
    if (!seconds) return;
    for (const s of seconds.keys()) if (s < before) seconds.delete(s);
    if (seconds.size === 0) this.keys.delete(key);
  }

  keyList(): string[] {
    return [...this.keys.keys()];
  }

  /** Every record, for a snapshot or continue-as-new. */
  records(): CountRecord[] {
    const out: CountRecord[] = [];
    for (const [key, seconds] of this.keys) {
      for (const [second, c] of seconds) out.push({ key, second, ...c });
    }
    return out;
  }

  get size(): number {
    return this.keys.size;
  }
}

/** The second `ms` falls in. */
export const secondOf = (ms: number): number => Math.floor(ms / 1000);

/** The first second of a window of `windowMs` ending at the second of `nowMs` (inclusive). */
export function windowStart(nowMs: number, windowMs: number): number {
  return secondOf(nowMs) - Math.ceil(windowMs / 1000) + 1;
}

/** A velocity limit a message would exceed. */
export interface VelocityBreach {
  limit: VelocityLimit;
  key: string;
  count: number;
  /** `VELOCITY_LIMIT: prefix +4470 over 20 per 60s for otp`. */
  reason: string;
}

function seconds(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms >= 120_000) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

/**
 * The first limit `subject` would exceed with one more message, given `count(countKey, windowMs)`: how many requests
 * of the use case that key already counted in the window (let through, or stopped by a limit of that key; every
 * process's, as far as this one knows).
 */
export function velocityBreach(
  limits: readonly VelocityLimit[],
  subject: PumpingSubject,
  count: (key: string, windowMs: number) => number,
): VelocityBreach | undefined {
  for (const limit of limits) {
    const key = scopeKey(subject, limit.scope);
    const n = count(countKey(subject.useCase, key), limit.window);
    if (n + 1 > limit.limit) {
      return {
        limit,
        key,
        count: n,
        reason: `VELOCITY_LIMIT: ${describeKey(key)} over ${limit.limit} per ${seconds(limit.window)} for ${subject.useCase}`,
      };
    }
  }
  return undefined;
}

/** The count keys one message of `subject` is counted under (every scope: the limits may change). */
export function countKeysOf(subject: PumpingSubject): string[] {
  return (['number', 'prefix', 'country'] as const).map((s) => countKey(subject.useCase, scopeKey(subject, s)));
}
