/**
 * The ladder planner: a pure function from (plan, attempts so far) to the next step. Every
 * escalation rule lives here; the workflow only carries out what this returns.
 *
 * The ladder is the plan's rungs in order (originators of a route, then the Region's other
 * accounts, then other Regions). A failure's scope decides what the rest of the ladder loses:
 * originator/config -> that rung; route -> every rung of that account x Region route;
 * account -> every rung of that account in that Region; region -> every rung in that Region;
 * channel/handset (exhausted) -> every rung of that channel; recipient -> every SMS rung (an
 * opt-out or protect block is never routed around); request -> everything.
 */
import type { ClassifiedFailure } from '../domain/outcome';
import type { RoutingPlan, Rung } from '../domain/plan';

export type PlannerOutcome = { kind: 'success' } | { kind: 'failure'; failure: ClassifiedFailure };

export interface PlannerAttempt {
  rungIndex: number;
  /** A send happened or may have happened (counts toward `maxSends`). */
  sent: boolean;
  outcome: PlannerOutcome;
}

export type StopStatus = 'DELIVERED' | 'FAILED' | 'STOPPED';

export type NextStep =
  | { kind: 'send'; rungIndex: number; delayMs: number; why: string }
  | { kind: 'stop'; status: StopStatus; reason: string };

/** Reasons the workflow itself uses for failures it detects (not from the service). */
export const STEP_TIMEOUT = 'STEP_TIMEOUT';
export const AMBIGUOUS_NO_RECEIPT = 'AMBIGUOUS_NO_RECEIPT';
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
  return `${rung.originatorType} ${rung.originator} via ${rung.account}/${rung.region}`;
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
    plan.rungs.forEach((rung, i) => {
      let out = false;
      switch (failure.scope) {
        case 'originator':
        case 'config':
          out = i === attempt.rungIndex;
          break;
        case 'route':
          out = rung.routeId === failed.routeId;
          break;
        case 'account':
          out = rung.account === failed.account && rung.region === failed.region;
          break;
        case 'region':
          out = rung.region === failed.region;
          break;
        case 'handset':
        case 'channel':
          out = rung.channel === failed.channel;
          break;
        case 'recipient':
          out = rung.channel === 'sms';
          break;
        case 'request':
          out = true;
          break;
      }
      if (out) excluded.add(i);
    });
  });
  return excluded;
}

export function nextStep(plan: RoutingPlan, attempts: PlannerAttempt[]): NextStep {
  const policy = plan.policy;
  if (attempts.some((a) => a.outcome.kind === 'success')) {
    return { kind: 'stop', status: 'DELIVERED', reason: 'a previous attempt succeeded' };
  }
  if (plan.rungs.length === 0) {
    return { kind: 'stop', status: 'FAILED', reason: `no route is configured for ${plan.country}` };
  }
  const last = attempts[attempts.length - 1];
  if (!last) {
    return { kind: 'send', rungIndex: 0, delayMs: 0, why: `first rung: ${describe(plan.rungs[0])}` };
  }
  if (last.outcome.kind !== 'failure') {
    throw new Error('nextStep called while the last attempt has no outcome');
  }
  const failure = last.outcome.failure;
  const sends = attempts.filter((a) => a.sent).length;

  if (failure.scope === 'request') {
    return { kind: 'stop', status: 'FAILED', reason: `request rejected: ${failure.reason} (${failure.message})` };
  }

  // Retries on the same rung, for failures where nothing was sent or a later try can succeed.
  const sameRung = plan.rungs[last.rungIndex];
  // Tries in a row on this rung that failed in a way worth retrying (throttle, unreachable, handset).
  const n = trailingCount(attempts, last.rungIndex, isSameRungRetry);
  if (isThrottle(failure)) {
    if (n <= policy.throttleRetries) {
      return {
        kind: 'send',
        rungIndex: last.rungIndex,
        delayMs: policy.throttleBackoffMs * 2 ** (n - 1),
        why: `throttled, retry ${n} of ${policy.throttleRetries} on ${describe(sameRung)}`,
      };
    }
  } else if (isUnreachable(failure)) {
    if (n <= policy.unreachableRetries) {
      return {
        kind: 'send',
        rungIndex: last.rungIndex,
        delayMs: policy.unreachableBackoffMs * 2 ** (n - 1),
        why: `endpoint unreachable, retry ${n} of ${policy.unreachableRetries} in ${sameRung.region}`,
      };
    }
  } else if (isHandset(failure)) {
    if (n <= policy.handsetRetries && sends < policy.maxSends) {
      return {
        kind: 'send',
        rungIndex: last.rungIndex,
        delayMs: policy.handsetRetryDelayMs,
        why: `handset unreachable, delayed retry ${n} of ${policy.handsetRetries}`,
      };
    }
  }

  // Retries exhausted (or none allowed): the failure's scope decides what the ladder loses.
  const excluded = excludedRungs(plan, attempts);

  if (sends >= policy.maxSends) {
    return { kind: 'stop', status: 'STOPPED', reason: `sent ${sends} times, the policy's maximum` };
  }

  const position = Math.max(...attempts.map((a) => a.rungIndex));
  for (let i = position + 1; i < plan.rungs.length; i++) {
    if (!excluded.has(i)) {
      return {
        kind: 'send',
        rungIndex: i,
        delayMs: 0,
        why: `${failure.scope} failure (${failure.reason}): ${plan.rungs[i].level} failover to ${describe(plan.rungs[i])}`,
      };
    }
  }

  const recipientStop = attempts.find((a) => a.outcome.kind === 'failure' && a.outcome.failure.scope === 'recipient');
  if (recipientStop && recipientStop.outcome.kind === 'failure') {
    return {
      kind: 'stop',
      status: 'STOPPED',
      reason: `recipient cannot receive SMS (${recipientStop.outcome.failure.reason}); no other route is tried`,
    };
  }
  return {
    kind: 'stop',
    status: 'FAILED',
    reason: `every route failed; last: ${failure.reason} (${failure.scope})`,
  };
}
