/**
 * Copy to /work/main/test/unit/ to run. Fails today (BUG 1): the committed property test draws ONE
 * same-rung retry kind per run; here throttling, connection refused and handset-unreachable mix.
 */
import fc from 'fast-check';
import { classifyDlrFailure, classifySendError } from '../../src/domain/outcome';
import { nextStep, type PlannerAttempt } from '../../src/workflows/planner';
import { errors, usPlan } from './fixtures';

const mixed = [
  () => classifySendError(errors.throttling),
  () => classifySendError(errors.connRefused),
  () => classifyDlrFailure('UNREACHABLE'),
  () => classifyDlrFailure('SPAM'),
];

it('tries one rung at most 1 + max retries times (so the ladder ends within rungs x (1 + max retries) + 1 steps) when retryable failures mix', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 100 }), (script) => {
      const plan = usPlan({ maxSends: 50 });
      const p = plan.policy;
      const bound = plan.rungs.length * (1 + Math.max(p.throttleRetries, p.unreachableRetries, p.handsetRetries)) + 1;
      const attempts: PlannerAttempt[] = [];
      let steps = 0;
      for (;;) {
        const step = nextStep(plan, attempts);
        steps++;
        if (step.kind === 'stop' || steps > bound) break;
        const failure = mixed[script[attempts.length] ?? 3]();
        const sent =
          failure.scope === 'handset' || failure.ambiguous || (failure.scope === 'originator' && !failure.retryable);
        attempts.push({ rungIndex: step.rungIndex, sent, outcome: { kind: 'failure', failure } });
      }
      expect(steps).toBeLessThanOrEqual(bound);
      for (let i = 0; i < plan.rungs.length; i++) {
        const tries = attempts.filter((a) => a.rungIndex === i).length;
        expect(tries).toBeLessThanOrEqual(1 + Math.max(p.throttleRetries, p.unreachableRetries, p.handsetRetries));
      }
    }),
  );
});
