/**
 * The `readRouteHealth` local activity: a message's view of route health before a rung, served from this process's
 * snapshot cache (./snapshot-cache.ts) and recorded in the message's history (so its workflow stays deterministic).
 *
 * - Only the asked keys (the message's plan) are returned; keys that are closed are never in a snapshot.
 * - Before the first snapshot of the process arrives (waited for at most `firstSnapshotWaitMs`), the answer is
 *   empty: every rung healthy, as without route health.
 * - A half-open key gets `probe: true` for at most `halfOpenProbes` callers per half-open period (one period per
 *   `since`) in this process: those messages may use the rung as a probe. The gate is per process: N worker
 *   processes may let N x `halfOpenProbes` messages through in one half-open period.
 * - Where canaries probe a route (`routeHealth.canaries`), they are its half-open probes: a key of such a route never
 *   gets `probe: true` here, so no user's message is risked on a route that was open a moment ago.
 * - Bad input is a non-retryable `ApplicationFailure` naming what is wrong.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { RouteHealthEntry, RouteHealthSnapshot } from '../domain/route-health';
import type { ReadRouteHealth, ReadRouteHealthInput } from '../workflows/route-health-definitions';
import type { SnapshotCache } from './snapshot-cache';

export const READ_ROUTE_HEALTH_ACTIVITY = 'readRouteHealth';
const MAX_KEYS = 1_000;
const MAX_KEY_CHARS = 500;

/** Hands out the probes of half-open keys: `perPeriod` per key per half-open period. */
export class ProbeGate {
  private readonly grants = new Map<string, { since: number; given: number }>();

  constructor(private readonly perPeriod: number) {}

  take(key: string, since: number): boolean {
    let g = this.grants.get(key);
    if (!g || g.since !== since) {
      g = { since, given: 0 };
      this.grants.set(key, g);
    }
    if (g.given >= this.perPeriod) return false;
    g.given++;
    return true;
  }

  /** Forgets the keys that are no longer half-open. */
  keepOnly(halfOpen: ReadonlySet<string>): void {
    for (const key of this.grants.keys()) if (!halfOpen.has(key)) this.grants.delete(key);
  }
}

export function checkedReadInput(input: unknown): ReadRouteHealthInput {
  const keys = (input as { keys?: unknown } | null)?.keys;
  const fail = (why: string) =>
    ApplicationFailure.nonRetryable(`readRouteHealth: ${why}`, 'InvalidReadRouteHealthInput');
  if (!Array.isArray(keys)) throw fail('input must be { keys: string[] }');
  if (keys.length > MAX_KEYS) throw fail(`at most ${MAX_KEYS} keys, got ${keys.length}`);
  keys.forEach((k, i) => {
    if (typeof k !== 'string' || k.length === 0 || k.length > MAX_KEY_CHARS) {
      throw fail(`keys[${i}] must be a non-empty string of at most ${MAX_KEY_CHARS} characters`);
    }
  });
  return { keys: keys as string[] };
}

export interface ReadRouteHealthOptions {
  cache: SnapshotCache;
  gate: ProbeGate;
  /** Default 2 000 ms. */
  firstSnapshotWaitMs?: number;
  /** Routes (`account/Region`) whose canaries are their half-open probes. */
  canaryRoutes?: ReadonlySet<string>;
}

/** Does a canary probe the route of `key` (`region:R` when any canary route is in R)? */
export function probedByCanary(key: string, canaryRoutes: ReadonlySet<string> | undefined): boolean {
  if (!canaryRoutes || canaryRoutes.size === 0) return false;
  if (key.startsWith('region:')) {
    const region = key.slice('region:'.length);
    return [...canaryRoutes].some((r) => r.endsWith(`/${region}`));
  }
  const body = key.slice(key.indexOf(':') + 1);
  const [account, region] = body.split('/');
  return canaryRoutes.has(`${account}/${region}`);
}

export function readRouteHealthActivity(opts: ReadRouteHealthOptions): ReadRouteHealth {
  return async (input: ReadRouteHealthInput): Promise<RouteHealthSnapshot> => {
    const { keys } = checkedReadInput(input);
    await opts.cache.ready(opts.firstSnapshotWaitMs ?? 2_000);
    const cached = opts.cache.current();
    if (!cached) return { at: 0, entries: [] };
    const asked = new Set(keys);
    const { snapshot } = cached;
    opts.gate.keepOnly(new Set(snapshot.entries.filter((e) => e.condition === 'half-open').map((e) => e.key)));
    const entries: RouteHealthEntry[] = [];
    for (const e of snapshot.entries) {
      if (!asked.has(e.key)) continue;
      const { probe: _ignored, ...entry } = e;
      const probe =
        e.condition === 'half-open' && !probedByCanary(e.key, opts.canaryRoutes) && opts.gate.take(e.key, e.since);
      entries.push(probe ? { ...entry, probe: true } : entry);
    }
    return { at: snapshot.at, entries };
  };
}
