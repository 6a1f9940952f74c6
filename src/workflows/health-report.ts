/**
 * deliverMessage's side of route health that touches Temporal: reading the breaker states through the
 * `readRouteHealth` local activity (its result is recorded, so replay sees the same), and reporting what the message
 * saw through the `routeHealth` sink (not recorded; never called on replay: a replayed message reports nothing twice).
 */
import { log, proxyLocalActivities, proxySinks, workflowInfo } from '@temporalio/workflow';
import type { ClassifiedFailure } from '../domain/outcome';
import type { RoutingPlan } from '../domain/plan';
import { keyForScope, keysOfRung, originatorKey, type RouteObservation } from '../domain/route-health';
import type { AttemptRecord } from '../domain/status';
import type { MessageHealth } from './message-health';
import type { ReadRouteHealth, RouteHealthSinks } from './route-health-definitions';

// Served from the worker's cache: fast, or not at all. A failure leaves the message with what it knew.
const { readRouteHealth } = proxyLocalActivities<{ readRouteHealth: ReadRouteHealth }>({
  startToCloseTimeout: '2s',
  retry: { maximumAttempts: 1 },
});

const sinks = proxySinks<RouteHealthSinks>();

/** Reports through the sink, except on replay (what was seen was reported when it happened; a replaying worker,
 * such as the replay tests', need not have the sink installed). */
const routeHealth = {
  observe(observation: RouteObservation): void {
    if (!workflowInfo().unsafe.isReplaying) sinks.routeHealth.observe(observation);
  },
};

/** Reads the breaker states of the plan's keys before a rung; keeps the last known ones when it cannot. */
export async function readHealth(health: MessageHealth): Promise<void> {
  try {
    health.read(await readRouteHealth({ keys: health.keys }));
  } catch (err) {
    log.warn('route health not read; the ladder goes on with what it knew', { error: (err as Error).message });
  }
}

function isNumberRung(plan: RoutingPlan, attempt: AttemptRecord): boolean {
  const rung = plan.rungs[attempt.rungIndex];
  return rung !== undefined && (rung.channel === 'sms' || rung.channel === 'voice');
}

/** A send's result: accepted, failed, or maybe sent, with the key its failure's scope blames. */
export function reportSend(
  plan: RoutingPlan,
  attempt: AttemptRecord,
  result: { failure?: ClassifiedFailure },
  at: number,
  probe: boolean,
): void {
  if (!isNumberRung(plan, attempt)) return;
  const rung = plan.rungs[attempt.rungIndex];
  const keys = keysOfRung(rung, plan.country);
  const f = result.failure;
  if (!f) {
    // Counted in the second AWS accepted it, the second its receipt (or its lack) is counted under too: the time the
    // workflow got to the result may be later (a busy worker), and a send counted in one second with its receipt in
    // another would look overdue for ever.
    const sentAt = attempt.sentAt ?? at;
    routeHealth.observe({ kind: 'send', at: sentAt, keys, outcome: 'ok', probe, lagMs: Math.max(0, at - sentAt) });
    return;
  }
  routeHealth.observe({
    kind: 'send',
    at,
    keys,
    outcome: f.ambiguous ? 'ambiguous' : 'failure',
    blamed: keyForScope(f.scope, rung, plan.country),
    reason: f.reason,
    probe,
  });
}

function attemptKey(plan: RoutingPlan, attempt: AttemptRecord): string {
  return originatorKey(attempt.account, attempt.region, attempt.originator, plan.country);
}

/** A final receipt (AWS's event at `eventAt`) settled the attempt (delivered or failed). */
export function reportReceipt(
  plan: RoutingPlan,
  attempt: AttemptRecord,
  at: number,
  probe: boolean,
  eventAt?: number,
): void {
  if (!isNumberRung(plan, attempt)) return;
  const ok = attempt.state === 'delivered';
  routeHealth.observe({
    kind: 'receipt',
    at,
    key: attemptKey(plan, attempt),
    sentAt: attempt.sentAt ?? attempt.startedAt,
    ok,
    reason: ok ? undefined : attempt.outcome,
    probe,
    ...(eventAt !== undefined ? { lagMs: Math.max(0, at - eventAt) } : {}),
  });
}

/** The attempt's step ended with no final receipt. */
export function reportNoReceipt(plan: RoutingPlan, attempt: AttemptRecord, at: number, probe: boolean): void {
  if (!isNumberRung(plan, attempt)) return;
  routeHealth.observe({
    kind: 'no-receipt',
    at,
    key: attemptKey(plan, attempt),
    sentAt: attempt.sentAt ?? attempt.startedAt,
    probe,
  });
}
