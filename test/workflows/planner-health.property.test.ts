/**
 * Property tests of the planner with route health: whatever the breakers say, a message climbs only rungs the
 * planner allows (never around an opt-out or a request rejection), never sends on a rung twice outside the
 * same-rung retries, always goes out when it has a rung, and prefers a healthy rung whenever one is allowed.
 */
import fc from 'fast-check';
import { classifyDlrFailure, classifySendError, type ClassifiedFailure } from '../../src/domain/outcome';
import { keysOfRung, rungHealth, type RouteHealthEntry } from '../../src/domain/route-health';
import { nextStep, type PlannerAttempt } from '../../src/workflows/planner';
import { errors, usPlan } from '../helpers/fixtures';

const KEYS = (() => {
  const plan = usPlan();
  return [...new Set(plan.rungs.flatMap((r) => keysOfRung(r, plan.country)))];
})();

const entriesArb = fc.uniqueArray(
  fc.record({
    key: fc.constantFrom(...KEYS),
    condition: fc.constantFrom('open' as const, 'half-open' as const, 'drained' as const),
    probe: fc.boolean(),
  }),
  { selector: (e) => e.key, maxLength: 6 },
);

/** Non-retryable outcomes of several scopes, as the real classifiers classify them. */
const FAILURES: ClassifiedFailure[] = [
  classifySendError(errors.internal),
  classifySendError(errors.quota('MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT')),
  classifySendError(errors.validation('SENDER_ID_NOT_REGISTERED')),
  classifySendError(errors.notFound),
  classifySendError(errors.conflict('DESTINATION_PHONE_NUMBER_OPTED_OUT')),
  classifyDlrFailure('CARRIER_UNREACHABLE'),
  classifyDlrFailure('SPAM'),
  classifyDlrFailure('TTL_EXPIRED'),
];

const runArb = fc.record({
  action: fc.constantFrom('last' as const, 'skip' as const),
  /** A fresh breaker snapshot before every rung, as the workflow reads one. */
  snapshots: fc.array(entriesArb, { minLength: 12, maxLength: 12 }),
  failures: fc.array(fc.constantFrom(...FAILURES), { minLength: 12, maxLength: 12 }),
});

function entriesOf(raw: { key: string; condition: RouteHealthEntry['condition']; probe: boolean }[]) {
  return raw.map((e) => ({ ...e, since: 0, why: 'test' }));
}

describe('planner with route health (properties)', () => {
  it('climbs only allowed rungs, each once, and prefers healthy ones', () => {
    fc.assert(
      fc.property(runArb, ({ action, snapshots, failures }) => {
        const plan = usPlan({ routeHealth: { unhealthyRungs: action } });
        const attempts: PlannerAttempt[] = [];
        for (let k = 0; k < 12; k++) {
          const entries = entriesOf(snapshots[k]);
          const step = nextStep(plan, attempts, 0, { action, entries });
          const plain = nextStep(usPlan(), attempts, 0);
          if (step.kind === 'stop') {
            // Health never ends a message the plain ladder would still send first time round.
            if (attempts.length === 0) throw new Error('stopped before any send');
            return;
          }
          // Never a rung tried before; never SMS after an opt-out (the plain planner stops then too).
          if (attempts.some((a) => a.rungIndex === step.rungIndex)) throw new Error('a rung tried twice');
          if (plain.kind === 'stop' && plain.status !== 'FAILED') throw new Error(`sent after ${plain.reason}`);
          const healthyLeft = plan.rungs.some(
            (r, i) =>
              !attempts.some((a) => a.rungIndex === i) &&
              rungHealth(entries, keysOfRung(r, plan.country)) === undefined &&
              plain.kind === 'send',
          );
          const chosen = rungHealth(entries, keysOfRung(plan.rungs[step.rungIndex], plan.country));
          if (chosen && healthyLeft && attempts.length === 0) throw new Error('an unhealthy first rung was chosen');
          attempts.push({ rungIndex: step.rungIndex, sent: true, outcome: { kind: 'failure', failure: failures[k] } });
        }
      }),
      { numRuns: 300 },
    );
  });
});
