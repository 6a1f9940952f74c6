/**
 * The ladder planner: a pure function from (plan, attempts so far, now) to the next step. Every
 * escalation rule lives here; the workflow only carries out what this returns.
 *
 * The ladder is the plan's rungs in order: for SMS, the originators of a route, then the Region's
 * other accounts, then other Regions; then the alternate channels in the policy's order. A
 * failure's scope decides what the rest of the ladder loses (SMS and voice share one service, End
 * User Messaging, so account and Region failures there cover both):
 * - originator/config -> that rung;           - route -> every rung of that route and channel;
 * - account -> that account in that Region;   - region -> that Region, for that service;
 * - channel, handset (retries spent) -> every rung of that channel;
 * - recipient (opted out) -> every channel the policy does not allow after an opt-out, always
 *   including SMS and voice: an opt-out is never routed around;
 * - request -> everything when SMS rejects it; on an alternate channel, that channel only.
 * Compliance on every rung: quiet hours in the recipient's time zone(s) hold or skip a rung, and
 * the caps on sends and on total price stop the ladder.
 */
import type { ClassifiedFailure } from '../domain/outcome';
import { isNumberChannel, serviceOf } from '../domain/channel';
import type { RoutingPlan, Rung } from '../domain/plan';
import { msUntilOutside } from '../domain/time-zone';
import { describeHealth, healthOrder, passedOver, unhealthy, type HealthView, type PassedRung } from './health-order';
import { pumpingStop, type PumpingGuardView } from './pumping-rule';

export type PlannerOutcome = { kind: 'success' } | { kind: 'failure'; failure: ClassifiedFailure };

export interface PlannerAttempt {
  rungIndex: number;
  /** A send happened or may have happened (counts toward `maxSends`). */
  sent: boolean;
  outcome: PlannerOutcome;
  /** What the send cost (USD), once a receipt says so. */
  price?: number;
}

export type StopStatus = 'DELIVERED' | 'FAILED' | 'STOPPED';

export type NextStep =
  | {
      kind: 'send';
      rungIndex: number;
      delayMs: number;
      why: string;
      /** Rungs route health passed over to get here (only with route health on). */
      passed?: PassedRung[];
    }
  | { kind: 'stop'; status: StopStatus; reason: string };

/** Reasons the workflow itself uses for failures it detects (not from the service). */
export const STEP_TIMEOUT = 'STEP_TIMEOUT';
export const FEEDBACK_FAILED = 'FEEDBACK_FAILED';

function isThrottle(f: ClassifiedFailure): boolean {
  return f.retryable && f.scope === 'originator';
}
function isUnreachable(f: ClassifiedFailure): boolean {
  return f.retryable && f.scope === 'region';
}
function isHandset(f: ClassifiedFailure): boolean {
  return f.scope === 'handset';
}
/** Failures retried on the same rung share one run count per rung, so alternating kinds cannot loop forever. */
function isSameRungRetry(f: ClassifiedFailure): boolean {
  return isThrottle(f) || isUnreachable(f) || isHandset(f);
}

/** How many attempts in a row, ending with the last, failed on `rungIndex` in the same way. */
function trailingCount(attempts: PlannerAttempt[], rungIndex: number, same: (f: ClassifiedFailure) => boolean): number {
  let n = 0;
  for (let i = attempts.length - 1; i >= 0; i--) {
    const a = attempts[i];
    if (a.rungIndex !== rungIndex || a.outcome.kind !== 'failure' || !same(a.outcome.failure)) break;
    n++;
  }
  return n;
}

function describe(rung: Rung): string {
  if (rung.channel === 'sms') return `${rung.originatorType} ${rung.originator} via ${rung.account}/${rung.region}`;
  return `${rung.channel} ${rung.originator} via ${rung.account}/${rung.region}`;
}

/** Rungs the failures so far rule out, by the scope of each failure. */
function excludedRungs(plan: RoutingPlan, attempts: PlannerAttempt[]): Set<number> {
  const excluded = new Set<number>();
  attempts.forEach((attempt, k) => {
    if (attempt.outcome.kind !== 'failure') return;
    const failure = attempt.outcome.failure;
    // A failure that was followed by a retry on the same rung was transient: it rules nothing out.
    if (isSameRungRetry(failure) && attempts[k + 1]?.rungIndex === attempt.rungIndex) return;
    const failed = plan.rungs[attempt.rungIndex];
    if (!failed) return;
    const service = serviceOf(failed.channel);
    plan.rungs.forEach((rung, i) => {
      let out = false;
      switch (failure.scope) {
        case 'originator':
        case 'config':
          out = i === attempt.rungIndex;
          break;
        case 'route':
          out = rung.routeId === failed.routeId && rung.channel === failed.channel;
          break;
        case 'account':
          out = rung.account === failed.account && rung.region === failed.region && serviceOf(rung.channel) === service;
          break;
        case 'region':
          out = rung.region === failed.region && serviceOf(rung.channel) === service;
          break;
        case 'handset':
        case 'channel':
          out = rung.channel === failed.channel;
          break;
        case 'recipient':
          out = isNumberChannel(rung.channel) || !plan.policy.channelsAfterOptOut.includes(rung.channel);
          break;
        case 'request':
          out = failed.channel === 'sms' || rung.channel === failed.channel;
          break;
      }
      if (out) excluded.add(i);
    });
  });
  return excluded;
}

/**
 * Quiet hours for a rung at `atMs`: how long to hold it (0 = send now), or null to skip it.
 */
function quietHold(plan: RoutingPlan, rung: Rung, atMs: number): { holdMs: number; why: string } | null {
  let holdMs = 0;
  let why = '';
  for (const rule of plan.policy.quietHours) {
    if (!rule.channels.includes(rung.channel) || plan.timeZones.length === 0) continue;
    const until = msUntilOutside({ start: rule.start, end: rule.end }, plan.timeZones, atMs + holdMs);
    if (until === 0) continue;
    if (until === null || rule.action === 'skip') return null;
    holdMs += until;
    why = `quiet hours for ${rung.channel} in ${plan.timeZones.length === 1 ? plan.timeZones[0] : `${plan.country}'s time zones`}`;
  }
  return { holdMs, why };
}

/** Where the planner looks for the next rung: the plan at a time, noting the rungs quiet hours skip. */
interface Walk {
  plan: RoutingPlan;
  nowMs: number;
  skippedForQuiet: string[];
  /** Route health, when the plan has it on and the message read it. */
  health?: HealthView;
}

/** Send on rung `i` after `delayMs`, unless quiet hours skip it (null). */
function sendOn(walk: Walk, i: number, delayMs: number, why: string): NextStep | null {
  const quiet = quietHold(walk.plan, walk.plan.rungs[i], walk.nowMs + delayMs);
  if (!quiet) return null;
  return {
    kind: 'send',
    rungIndex: i,
    delayMs: delayMs + quiet.holdMs,
    why: quiet.holdMs > 0 ? `${why}; held for ${quiet.why}` : why,
  };
}

/** The first rung from `from` on that is neither excluded nor skipped for quiet hours. */
function firstFrom(walk: Walk, from: number, excluded: Set<number>, why: (r: Rung) => string): NextStep | null {
  const rungs = walk.plan.rungs;
  for (let i = from; i < rungs.length; i++) {
    if (excluded.has(i)) continue;
    const step = sendOn(walk, i, 0, why(rungs[i]));
    if (step) return step;
    walk.skippedForQuiet.push(`${rungs[i].channel} (quiet hours)`);
  }
  return null;
}

/**
 * With route health: the first rung, in health order (./health-order.ts), that was never tried, is not excluded
 * and is not skipped for quiet hours. Rungs passed over for health are reported with the step.
 */
function healthiestFrom(
  walk: Walk,
  attempts: PlannerAttempt[],
  excluded: Set<number>,
  why: (r: Rung) => string,
): NextStep | null {
  const { plan } = walk;
  const health = walk.health!;
  const tried = new Set(attempts.map((a) => a.rungIndex));
  const candidates = plan.rungs.map((_, i) => i).filter((i) => !excluded.has(i) && !tried.has(i));
  const sent = attempts.filter((a) => a.sent).length;
  const { order, entries } = healthOrder(plan, candidates, health, sent);
  for (const i of order) {
    const entry = entries.get(i);
    const rung = plan.rungs[i];
    const reason = entry
      ? `${why(rung)}; no healthy rung left, best of the rest: ${describeHealth(rung, entry)}`
      : why(rung);
    const step = sendOn(walk, i, 0, reason);
    if (!step || step.kind !== 'send') {
      walk.skippedForQuiet.push(`${rung.channel} (quiet hours)`);
      continue;
    }
    const passed = passedOver(plan, i, entries, health.action);
    if (passed.length === 0) return step;
    const list = passed.map((p) => p.why).join('; ');
    return { ...step, why: `${step.why}; ${health.action === 'skip' ? 'skipped' : 'moved last'}: ${list}`, passed };
  }
  return null;
}

/** The next rung from `from` on, in plan order, or in health order when the message reads route health. */
function nextRung(
  walk: Walk,
  attempts: PlannerAttempt[],
  from: number,
  excluded: Set<number>,
  why: (r: Rung) => string,
): NextStep | null {
  return walk.health ? healthiestFrom(walk, attempts, excluded, why) : firstFrom(walk, from, excluded, why);
}

/** Another try on the last attempt's rung, for failures where nothing was sent or a later try can succeed. */
function sameRungRetry(walk: Walk, attempts: PlannerAttempt[], failure: ClassifiedFailure): NextStep | null {
  const policy = walk.plan.policy;
  const last = attempts[attempts.length - 1];
  const sameRung = walk.plan.rungs[last.rungIndex];
  // Tries in a row on this rung that failed in a way worth retrying (throttle, unreachable, handset).
  const n = trailingCount(attempts, last.rungIndex, isSameRungRetry);
  const sends = attempts.filter((a) => a.sent).length;
  if (isThrottle(failure) && n <= policy.throttleRetries) {
    return sendOn(
      walk,
      last.rungIndex,
      policy.throttleBackoffMs * 2 ** (n - 1),
      `throttled, retry ${n} of ${policy.throttleRetries} on ${describe(sameRung)}`,
    );
  }
  if (isUnreachable(failure) && n <= policy.unreachableRetries) {
    return sendOn(
      walk,
      last.rungIndex,
      policy.unreachableBackoffMs * 2 ** (n - 1),
      `endpoint unreachable, retry ${n} of ${policy.unreachableRetries} in ${sameRung.region}`,
    );
  }
  if (isHandset(failure) && n <= policy.handsetRetries && sends < policy.maxSends) {
    return sendOn(
      walk,
      last.rungIndex,
      policy.handsetRetryDelayMs,
      `handset unreachable, delayed retry ${n} of ${policy.handsetRetries}`,
    );
  }
  return null;
}

/** The first earlier failure of `scope` (matching `also`), if any. */
function firstFailure(
  attempts: PlannerAttempt[],
  scope: ClassifiedFailure['scope'],
  also: (f: ClassifiedFailure) => boolean = () => true,
): ClassifiedFailure | undefined {
  for (const a of attempts) {
    if (a.outcome.kind === 'failure' && a.outcome.failure.scope === scope && also(a.outcome.failure)) {
      return a.outcome.failure;
    }
  }
  return undefined;
}

/** No rung is left: why the ladder stops. An opt-out and a protect-configuration block are never routed around. */
function endOfLadder(walk: Walk, attempts: PlannerAttempt[], failure: ClassifiedFailure): NextStep {
  const policy = walk.plan.policy;
  const quietNote = walk.skippedForQuiet.length ? `; skipped: ${walk.skippedForQuiet.join(', ')}` : '';
  const optOut = firstFailure(attempts, 'recipient');
  if (optOut) {
    return {
      kind: 'stop',
      status: 'STOPPED',
      reason:
        `recipient opted out (${optOut.reason}); no other SMS or voice route is tried` +
        (policy.channelsAfterOptOut.length
          ? ` and no allowed channel (${policy.channelsAfterOptOut.join(', ')}) is left`
          : '') +
        quietNote,
    };
  }
  const protectBlock = firstFailure(attempts, 'channel', (f) => f.reason.includes('PROTECT'));
  if (protectBlock) {
    // A compliance control, not a delivery failure: the protect configuration is never routed around.
    return {
      kind: 'stop',
      status: 'STOPPED',
      reason: `blocked by the protect configuration (${protectBlock.reason}); not routed around${quietNote}`,
    };
  }
  return {
    kind: 'stop',
    status: 'FAILED',
    reason: `every route failed; last: ${failure.reason} (${failure.scope})${quietNote}`,
  };
}

/**
 * `health`: the route health the message read before this step (only used when the plan has route health on;
 * see ./health-order.ts). Without it, the ladder is climbed exactly as planned. `guard`: what the message knows of
 * the pumping guard (./pumping-rule.ts); a spend limit while it is tripped stops the ladder.
 */
export function nextStep(
  plan: RoutingPlan,
  attempts: PlannerAttempt[],
  nowMs = 0,
  health?: HealthView,
  guard?: PumpingGuardView,
): NextStep {
  const policy = plan.policy;
  if (attempts.some((a) => a.outcome.kind === 'success')) {
    return { kind: 'stop', status: 'DELIVERED', reason: 'a previous attempt succeeded' };
  }
  if (plan.rungs.length === 0) {
    return { kind: 'stop', status: 'FAILED', reason: `no route is configured for ${plan.country}` };
  }
  const walk: Walk = { plan, nowMs, skippedForQuiet: [], health: plan.policy.routeHealth ? health : undefined };

  const last = attempts[attempts.length - 1];
  if (!last) {
    const first = nextRung(walk, attempts, 0, new Set(), (r) => `first rung: ${describe(r)}`);
    return first ?? { kind: 'stop', status: 'STOPPED', reason: `every rung is in quiet hours and set to skip` };
  }
  if (last.outcome.kind !== 'failure') {
    throw new Error('nextStep called while the last attempt has no outcome');
  }
  const failure = last.outcome.failure;
  const sends = attempts.filter((a) => a.sent).length;
  const spent = attempts.reduce((sum, a) => sum + (a.price ?? 0), 0);

  // A request the SMS service rejects is wrong everywhere (docs/failure-classification.md). On an alternate
  // channel it only says that channel cannot take this request (a bad email address, a push payload).
  if (failure.scope === 'request' && plan.rungs[last.rungIndex]?.channel === 'sms') {
    return { kind: 'stop', status: 'FAILED', reason: `request rejected: ${failure.reason} (${failure.message})` };
  }
  if (policy.maxTotalPrice !== undefined && spent >= policy.maxTotalPrice) {
    return {
      kind: 'stop',
      status: 'STOPPED',
      reason: `spent ${spent.toFixed(5)} USD, the policy's maximum is ${policy.maxTotalPrice}`,
    };
  }
  const pumped = pumpingStop(failure, guard);
  if (pumped) return pumped;
  const retry = sameRungRetry(walk, attempts, failure);
  if (retry?.kind === 'send' && walk.health) {
    // Route health: a retry on a rung that is now open or drained gives way to a healthy rung, if there is one.
    const entry = unhealthy(plan, retry.rungIndex, walk.health);
    if (!entry) return retry;
    const away = escalate(walk, attempts, failure, sends);
    if (away.kind === 'send' && !unhealthy(plan, away.rungIndex, walk.health)) {
      return { ...away, why: `${away.why}; no retry on ${describeHealth(plan.rungs[retry.rungIndex], entry)}` };
    }
    return retry;
  }
  if (retry) return retry;
  return escalate(walk, attempts, failure, sends);
}

/** Retries exhausted (or none allowed): the failure's scope decides what the ladder loses. */
function escalate(walk: Walk, attempts: PlannerAttempt[], failure: ClassifiedFailure, sends: number): NextStep {
  const policy = walk.plan.policy;
  if (sends >= policy.maxSends) {
    return { kind: 'stop', status: 'STOPPED', reason: `sent ${sends} times, the policy's maximum` };
  }
  const position = Math.max(...attempts.map((a) => a.rungIndex));
  const next = nextRung(
    walk,
    attempts,
    position + 1,
    excludedRungs(walk.plan, attempts),
    (r) => `${failure.scope} failure (${failure.reason}): ${r.level} failover to ${describe(r)}`,
  );
  return next ?? endOfLadder(walk, attempts, failure);
}
