/**
 * What each route's canary sends (`routeHealth.canaries`): a deliverMessage probe (`probe: true`) whose ladder is just
 * that route's SMS originators for one country, to AWS's success simulator number of that country
 * (src/domain/simulator-numbers.ts), with the settings of `canaries.useCase` (default: the config's first policy).
 * Pure: src/canaries/schedules.ts turns each into a Temporal Schedule.
 *
 * Per route, the country is the first of `originators` (in config order) that has originators on the route and an
 * AWS simulator number our request validation accepts; a route with none gets no canary, with the reason.
 * A probe waits for its receipt only (`success: dlr`, no message feedback: nobody types a code) and is labelled
 * use case `canary` in its status record, search attributes and the delivery report.
 */
import type { Config } from '../domain/config';
import { InvalidInputError } from '../domain/errors';
import { levelBetween, type ResolvedPolicy, type Rung } from '../domain/plan';
import { defaultUseCase, resolveMessage } from '../domain/resolve';
import { simulatorNumberFor } from '../domain/simulator-numbers';
import type { DeliverMessageInput } from '../workflows/definitions';

export const CANARY_SCHEDULE_PREFIX = 'route-canary:';
export const CANARY_USE_CASE = 'canary';

export function canaryScheduleId(routeId: string): string {
  return `${CANARY_SCHEDULE_PREFIX}${routeId}`;
}

export interface CanaryPlan {
  routeId: string;
  scheduleId: string;
  country: string;
  /** The workflow input every run of the schedule starts (the schedule appends the run's time to the id). */
  input: DeliverMessageInput;
  everyMs: number;
}

export interface CanaryPlans {
  plans: CanaryPlan[];
  /** Routes asked for (or every SMS route) that get no canary, and why. */
  skipped: { routeId: string; reason: string }[];
}

/** The routes to probe: `canaries.routes`, else every route with SMS originators; none when canaries are off. */
export function canaryRouteIds(config: Config): string[] {
  if (!config.routeHealth?.canaries) return [];
  const asked = config.routeHealth.canaries.routes;
  if (asked) return asked;
  const used = new Set(Object.values(config.originators).flatMap((list) => list.map((o) => o.route)));
  return config.routes.filter((r) => used.has(r.id)).map((r) => r.id);
}

/** The route's rungs of the plan, re-levelled as a ladder of their own. */
function routeRungs(rungs: readonly Rung[], routeId: string): Rung[] {
  const out: Rung[] = [];
  for (const r of rungs) {
    if (r.channel !== 'sms' || r.routeId !== routeId) continue;
    out.push({ ...r, level: levelBetween(out[out.length - 1], r) });
  }
  return out;
}

function planFor(config: Config, routeId: string, useCase: string, everyMs: number): CanaryPlan | string {
  if (!config.routes.some((r) => r.id === routeId)) return `no route "${routeId}" in the config`;
  const reasons: string[] = [];
  for (const [country, list] of Object.entries(config.originators)) {
    if (country === '*' || !list.some((o) => o.route === routeId)) continue;
    const destination = simulatorNumberFor(country);
    if (!destination) {
      reasons.push(`${country}: AWS has no simulator number there`);
      continue;
    }
    try {
      const { request, plan } = resolveMessage(config, {
        destination,
        body: `resilient-sms canary ${routeId}`,
        useCase,
        idempotencyKey: canaryScheduleId(routeId),
      });
      const rungs = routeRungs(plan.rungs, routeId);
      const policy: ResolvedPolicy = {
        ...plan.policy,
        useCase: CANARY_USE_CASE,
        success: 'dlr',
        messageFeedback: false,
        feedbackGraceMs: 0,
        channels: ['sms'],
      };
      const input: DeliverMessageInput = {
        idempotencyKey: canaryScheduleId(routeId),
        request,
        plan: { ...plan, rungs, skipped: [], policy, timeZones: [] },
        probe: true,
      };
      return { routeId, scheduleId: canaryScheduleId(routeId), country, input, everyMs };
    } catch (err) {
      if (!(err instanceof InvalidInputError)) throw err;
      reasons.push(`${country}: ${err.message}`);
    }
  }
  return reasons.length > 0
    ? `no country of its originators can be probed (${reasons.join('; ')})`
    : 'it has no SMS originators for a country';
}

/** Every canary the config asks for; empty when route health or its canaries are off. */
export function canaryPlans(config: Config): CanaryPlans {
  const rh = config.routeHealth;
  if (!rh?.enabled || !rh.canaries) return { plans: [], skipped: [] };
  const useCase = rh.canaries.useCase ?? defaultUseCase(config);
  const plans: CanaryPlan[] = [];
  const skipped: CanaryPlans['skipped'] = [];
  for (const routeId of canaryRouteIds(config)) {
    const p = planFor(config, routeId, useCase, rh.canaries.every);
    if (typeof p === 'string') skipped.push({ routeId, reason: p });
    else plans.push(p);
  }
  return { plans, skipped };
}
