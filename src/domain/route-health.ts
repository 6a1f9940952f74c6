/**
 * Route health shared across messages: the vocabulary every part agrees on. Types and pure helpers only,
 * safe to import from workflow code.
 *
 * Breakers are keyed by what a failure's scope says is broken (src/domain/outcome.ts):
 * - `region:<region>`: End User Messaging in a Region (region-scope send errors, AWS Health events);
 * - `route:<account>/<region>`: one account in one Region (account-scope errors: spend limits, quotas);
 * - `originator:<account>/<region>/<originator>@<country>`: one originator towards one destination country
 *   (originator-scope errors, failed final receipts, receipts that do not come: silent filtering).
 * A drain may also name `originator:<account>/<region>/<originator>@*` (every country).
 *
 * How it flows: deliverMessage reports what it sees through a workflow sink (not recorded in history, not
 * called on replay); each worker process aggregates and sends one batch per flush interval to the
 * `routeHealth` workflow, which runs the breakers (./breaker.ts) and holds drains; processes cache its
 * snapshot and serve it to messages through a local activity (recorded in each message's history).
 */
import type { Channel } from './channel';
import type { FailureScope } from './outcome';

export const BREAKER_STATES = ['closed', 'open', 'half-open'] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

/** What a message sees of a key: closed keys are left out of snapshots. `drained` wins over any breaker state. */
export type RouteCondition = 'open' | 'half-open' | 'drained';

/** The failure classes a breaker counts apart, each with its own thresholds. */
export const FAILURE_CLASSES = ['send-error', 'receipt-failure', 'no-receipt', 'aws-health'] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

export type HealthKeyKind = 'region' | 'route' | 'originator';

export function regionKey(region: string): string {
  return `region:${region}`;
}
export function routeKey(account: string, region: string): string {
  return `route:${account}/${region}`;
}
export function originatorKey(account: string, region: string, originator: string, country: string): string {
  return `originator:${account}/${region}/${originator}@${country}`;
}

/** The keys whose condition decides whether a rung is healthy, most general first. */
export function keysOfRung(
  rung: { channel: Channel; account: string; region: string; originator: string },
  country: string,
): string[] {
  if (rung.channel !== 'sms' && rung.channel !== 'voice') return [];
  return [
    regionKey(rung.region),
    routeKey(rung.account, rung.region),
    originatorKey(rung.account, rung.region, rung.originator, country),
    originatorKey(rung.account, rung.region, rung.originator, '*'),
  ];
}

/** The breaker key a failure of `scope` on this rung counts against, or undefined when no breaker counts it. */
export function keyForScope(
  scope: FailureScope,
  rung: { account: string; region: string; originator: string },
  country: string,
): string | undefined {
  switch (scope) {
    case 'region':
      return regionKey(rung.region);
    case 'account':
    case 'route':
      return routeKey(rung.account, rung.region);
    case 'originator':
    case 'config':
      return originatorKey(rung.account, rung.region, rung.originator, country);
    default:
      // handset, channel, recipient, request: about this message or this recipient, not the route.
      return undefined;
  }
}

/**
 * One thing a message saw, reported through the `routeHealth` sink. `at` is workflow time (epoch ms), except for an
 * accepted send, whose `at` is when AWS accepted it (the attempt's `sentAt`, what its receipt names as `sentAt`).
 * - `send`: a send was accepted (`ok`), failed (`failure`, with the scope's key), or may have been sent (`ambiguous`);
 * - `receipt`: a final receipt settled the attempt sent at `sentAt` (`ok` true for a delivered receipt);
 * - `no-receipt`: the attempt's step ended with no final receipt.
 */
export type RouteObservation =
  | {
      kind: 'send';
      at: number;
      /** Every key of the rung (keysOfRung); successes count for all of them. */
      keys: string[];
      outcome: 'ok' | 'failure' | 'ambiguous';
      /** For a failure: the key its scope blames (keyForScope) and the failure's reason. */
      blamed?: string;
      reason?: string;
      /** A canary or half-open probe: counted apart. */
      probe: boolean;
      /** How long after AWS accepted it the workflow saw an accepted send (its processing lag), ms. */
      lagMs?: number;
    }
  | {
      kind: 'receipt';
      at: number;
      /** The originator key of the attempt. */
      key: string;
      sentAt: number;
      ok: boolean;
      reason?: string;
      probe: boolean;
      /** How long after AWS's event the workflow saw the receipt (the pipeline's and the workflow's lag), ms. */
      lagMs?: number;
    }
  | { kind: 'no-receipt'; at: number; key: string; sentAt: number; probe: boolean };

/** One key's condition as messages see it. */
export interface RouteHealthEntry {
  key: string;
  condition: RouteCondition;
  /** Epoch ms the condition began. */
  since: number;
  /** Why, for people: "14 of 15 sends failed (send-error)", "drained by ops: carrier maintenance". */
  why: string;
  /** A half-open key this message may use as a probe. */
  probe?: boolean;
}

/** What a message reads before a rung (the local activity's result, recorded in its history). */
export interface RouteHealthSnapshot {
  /** Epoch ms the snapshot was taken by the routeHealth workflow. */
  at: number;
  /** Only keys that are not closed, and only those of the asking message's plan. */
  entries: RouteHealthEntry[];
}

/** How a message treats unhealthy rungs (policy `routeHealth`): try them last, or leave them out. */
export const UNHEALTHY_RUNG_ACTIONS = ['last', 'skip'] as const;
export type UnhealthyRungAction = (typeof UNHEALTHY_RUNG_ACTIONS)[number];

/** The condition of a rung: the worst of its keys' entries, or undefined when healthy. */
export function rungHealth(
  entries: readonly RouteHealthEntry[],
  keys: readonly string[],
): RouteHealthEntry | undefined {
  const rank: Record<RouteCondition, number> = { drained: 3, open: 2, 'half-open': 1 };
  let worst: RouteHealthEntry | undefined;
  for (const e of entries) {
    if (!keys.includes(e.key)) continue;
    if (e.condition === 'half-open' && e.probe) continue; // this message is the probe: go ahead
    if (!worst || rank[e.condition] > rank[worst.condition]) worst = e;
  }
  return worst;
}
