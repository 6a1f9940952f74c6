/**
 * The three game-day scenarios of issue 12, each one simulator fault on the first rung of a US one-time password
 * (`primary/us-east-1`, originator `pool-us-shortcode` in config/local.yaml) and the breaker key route health should
 * open for it (src/domain/route-health.ts). Pure: what a scenario strikes, which sends and attempts it concerns.
 */
import type { FailureClass } from '../domain/route-health';
import { originatorKey, regionKey, routeKey } from '../domain/route-health';

export const SCENARIOS = ['region-outage', 'silent-filtering', 'spend-limit'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export const MODES = ['off', 'on'] as const;
/** Route health off (`routeHealth.enabled: false`) or on. */
export type Mode = (typeof MODES)[number];

/** Where a send or an attempt went: what the simulator's log and the status record both name. */
export interface Place {
  account?: string;
  region?: string;
  originator?: string;
}

/** The primary rung of the plan: the first rung of a US message in the config the game day runs. */
export interface PrimaryRung {
  account: string;
  region: string;
  originator: string;
  country: string;
}

export interface Scenario {
  name: ScenarioName;
  title: string;
  /** The body of `POST /_sim/faults` that starts the fault (deleted at recovery). */
  fault: { match: Record<string, string>; effect: Record<string, string> };
  /** The breaker key that should open, and the failure class whose thresholds (cooldown) apply. */
  breakerKey: string;
  breakerClass: FailureClass;
  /** Does this send (or attempt) go into the faulty part of the system? */
  faulty(p: Place): boolean;
  /** Is this the primary route, the one that should carry traffic again after recovery? */
  primary(p: Place): boolean;
  /** Targets that apply: p99 time-to-deliver after the breaker opened (Region outage and spend limit only). */
  ttdTarget: boolean;
}

function onRoute(p: Place, account: string, region: string): boolean {
  return p.account === account && p.region === region;
}

/** The scenario as it strikes `primary`. */
export function scenario(name: ScenarioName, primary: PrimaryRung): Scenario {
  const { account, region, originator, country } = primary;
  const isPrimaryRoute = (p: Place) => onRoute(p, account, region);
  switch (name) {
    case 'region-outage':
      // Every send in the Region fails with InternalServerException (HTTP 500), whichever account sends it.
      return {
        name,
        title: `Region outage: internal-error on every send in ${region}`,
        fault: { match: { region }, effect: { api: 'internal-error' } },
        breakerKey: regionKey(region),
        breakerClass: 'send-error',
        faulty: (p) => p.region === region,
        primary: isPrimaryRoute,
        ttdTarget: true,
      };
    case 'silent-filtering':
      // The carrier accepts the texts and never reports on them: no receipt at all (`dlr: none`).
      return {
        name,
        title: `Silent filtering: no receipts for ${originator} (${account}/${region})`,
        fault: { match: { originator, operation: 'SendTextMessage' }, effect: { dlr: 'none' } },
        breakerKey: originatorKey(account, region, originator, country),
        breakerClass: 'no-receipt',
        faulty: (p) => isPrimaryRoute(p) && p.originator === originator,
        primary: (p) => isPrimaryRoute(p) && p.originator === originator,
        ttdTarget: false,
      };
    case 'spend-limit':
      // A monthly spend limit holds for one account in one Region ("the account has initial monthly spend limit
      // in a given Region": https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_DescribeSpendLimits.html).
      return {
        name,
        title: `Spend limit: ServiceQuotaExceededException for ${account} in ${region}`,
        fault: { match: { account, region }, effect: { api: 'spend-limit' } },
        breakerKey: routeKey(account, region),
        breakerClass: 'send-error',
        faulty: isPrimaryRoute,
        primary: isPrimaryRoute,
        ttdTarget: true,
      };
  }
}

/** `a,b` into scenario names; throws naming the unknown one. */
export function parseScenarioList(value: string): ScenarioName[] {
  return parseList(value, SCENARIOS, 'scenario');
}

/** `off,on` into modes; throws naming the unknown one. */
export function parseModeList(value: string): Mode[] {
  return parseList(value, MODES, 'mode');
}

function parseList<T extends string>(value: string, allowed: readonly T[], what: string): T[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new Error(`no ${what} given (choose from ${allowed.join(', ')})`);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new Error(`unknown ${what} "${item}" (choose from ${allowed.join(', ')})`);
    }
  }
  return [...new Set(items)] as T[];
}
