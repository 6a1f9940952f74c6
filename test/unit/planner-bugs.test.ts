/**
 * Planner bugs found while writing test/unit (kept OUT of the committed tests; they fail today).
 * Run: see the report. Import paths assume this file is copied to /work/main/test/unit/.
 */
import { nextStep, type PlannerAttempt } from '../../src/workflows/planner';
import { dlrFailure, errors, R, sendError, usPlan } from './fixtures';

const plan = usPlan();

describe('planner bugs', () => {
  it('BUG 1: alternating throttle / connection-refused on one rung retries forever', () => {
    const attempts: PlannerAttempt[] = [];
    let steps = 0;
    for (;;) {
      const step = nextStep(plan, attempts);
      steps++;
      if (step.kind === 'stop' || step.rungIndex !== 0) break;
      // The endpoint flaps: refused, then throttled, then refused, ...
      attempts.push(sendError(0, attempts.length % 2 === 0 ? errors.connRefused : errors.throttling));
      if (steps > 50) break;
    }
    // At most 1 + max(throttleRetries, unreachableRetries) = 4 tries on rung 0 before the ladder moves on.
    expect(attempts.length).toBeLessThanOrEqual(
      1 + Math.max(plan.policy.throttleRetries, plan.policy.unreachableRetries),
    );
  });

  it('BUG 2: a handset failure that was retried (handset reachable again) rules out every SMS rung', () => {
    // Handset off; the delayed retry on the same rung got through to the handset but the carrier
    // blocked the originator: the next originator must be tried, as for any TEXT_BLOCKED.
    const step = nextStep(plan, [dlrFailure(0, 'UNREACHABLE'), dlrFailure(0, 'BLOCKED')]);
    expect(step).toMatchObject({ kind: 'send', rungIndex: R.use1Primary10dlc });
  });
});
