/**
 * Property tests of the ladder planner: random plans (built through the real config schema and
 * `smsLadder`), random policies, and random outcomes fed back the way the workflow feeds them.
 */
import fc from 'fast-check';
import { configSchema, type ConfigInput } from '../../src/domain/config';
import {
  classifyDlrFailure,
  classifySendError,
  type ClassifiedFailure,
  type SendErrorInfo,
} from '../../src/domain/outcome';
import { levelBetween, type RoutingPlan } from '../../src/domain/plan';
import { resolvePolicy, smsLadder } from '../../src/domain/resolve';
import { nextStep, type NextStep, type PlannerAttempt } from '../../src/workflows/planner';
import { errors, usPlan } from '../helpers/fixtures';

// ---------------------------------------------------------------------------------------------
// Random plans
// ---------------------------------------------------------------------------------------------

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'] as const;
const ACCOUNTS = ['primary', 'secondary'] as const;
const TYPES = ['short-code', '10dlc', 'toll-free', 'long-code'] as const;

const planArb = fc
  .record({
    routes: fc.array(fc.record({ account: fc.constantFrom(...ACCOUNTS), region: fc.constantFrom(...REGIONS) }), {
      minLength: 1,
      maxLength: 4,
    }),
    originatorCounts: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 4, maxLength: 4 }),
    /** Sort keys that interleave the originators in the config, as people write configs. */
    interleave: fc.array(fc.nat(100), { minLength: 12, maxLength: 12 }),
    types: fc.array(fc.constantFrom(...TYPES), { minLength: 12, maxLength: 12 }),
    policy: fc.record({
      throttleRetries: fc.integer({ min: 0, max: 4 }),
      throttleBackoff: fc.integer({ min: 1, max: 5_000 }),
      unreachableRetries: fc.integer({ min: 0, max: 3 }),
      unreachableBackoff: fc.integer({ min: 1, max: 5_000 }),
      handsetRetries: fc.integer({ min: 0, max: 2 }),
      handsetRetryDelay: fc.constantFrom('1m', '15m', 60_000),
      maxSends: fc.integer({ min: 1, max: 20 }),
    }),
  })
  .map(({ routes, originatorCounts, interleave, types, policy }) => {
    const routeIds = routes.map((r, i) => `r${i}-${r.account}-${r.region}`);
    const originators: { route: string; identity: string; type: (typeof TYPES)[number] }[] = [];
    routes.forEach((_r, i) => {
      for (let j = 0; j < originatorCounts[i]; j++) {
        originators.push({ route: routeIds[i], identity: `pool-${i}-${j}`, type: types[originators.length] });
      }
    });
    const shuffled = originators
      .map((o, k) => ({ o, key: interleave[k] }))
      .sort((a, b) => a.key - b.key)
      .map((x) => x.o);
    const input: ConfigInput = {
      accounts: { primary: {}, secondary: {} },
      routes: routes.map((r, i) => ({ id: routeIds[i], account: r.account, region: r.region })),
      originators: { US: shuffled },
      policies: { otp: policy },
    };
    const config = configSchema.parse(input);
    const plan: RoutingPlan = {
      country: 'US',
      timeZones: [],
      rungs: smsLadder(config, config.originators.US),
      skipped: [],
      policy: resolvePolicy('otp', config.policies.otp),
    };
    return { plan, configured: shuffled };
  });

// ---------------------------------------------------------------------------------------------
// Outcomes fed back
// ---------------------------------------------------------------------------------------------

type Fed = { kind: 'success' } | { kind: 'send-error'; err: SendErrorInfo } | { kind: 'dlr'; status: string };

/** Non-retryable outcomes of every scope: originator, route, account, region, channel, recipient, request, config. */
const NON_RETRY: Fed[] = [
  { kind: 'send-error', err: errors.internal },
  { kind: 'send-error', err: errors.http503 },
  { kind: 'send-error', err: errors.timeout },
  { kind: 'send-error', err: errors.quota('MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT') },
  { kind: 'send-error', err: errors.denied('ACCOUNT_DISABLED') },
  { kind: 'send-error', err: errors.validation('SENDER_ID_NOT_REGISTERED') },
  { kind: 'send-error', err: errors.validation('COUNTRY_NOT_ENABLED') },
  { kind: 'send-error', err: errors.validation('CANNOT_PARSE') },
  { kind: 'send-error', err: errors.conflict('DESTINATION_PHONE_NUMBER_OPTED_OUT') },
  { kind: 'send-error', err: errors.conflict('RESOURCE_NOT_ACTIVE') },
  { kind: 'send-error', err: errors.notFound },
  { kind: 'dlr', status: 'BLOCKED' },
  { kind: 'dlr', status: 'CARRIER_BLOCKED' },
  { kind: 'dlr', status: 'SPAM' },
  { kind: 'dlr', status: 'CARRIER_UNREACHABLE' },
  { kind: 'dlr', status: 'TTL_EXPIRED' },
  { kind: 'dlr', status: 'UNKNOWN' },
  { kind: 'dlr', status: 'INVALID' },
  { kind: 'dlr', status: 'INVALID_MESSAGE' },
  { kind: 'dlr', status: 'PROTECT_BLOCKED' },
];

/**
 * Outcomes the planner retries on the same rung. One kind per run: a run that mixes kinds on one
 * rung is the subject of a separate (reported) planner bug, see the test report.
 */
const RETRY_KINDS: Fed[] = [
  { kind: 'send-error', err: errors.throttling },
  { kind: 'send-error', err: errors.connRefused },
  { kind: 'dlr', status: 'UNREACHABLE' },
];

const fedArb = (retry: Fed): fc.Arbitrary<Fed> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant<Fed>({ kind: 'success' }) },
    { weight: 4, arbitrary: fc.constant(retry) },
    { weight: 10, arbitrary: fc.constantFrom(...NON_RETRY) },
  );

const scriptArb = fc
  .constantFrom(...RETRY_KINDS)
  .chain((retry) => fc.array(fedArb(retry), { minLength: 0, maxLength: 80 }));

/** When the script runs out, the environment keeps answering with this. */
const FALLBACK: Fed = { kind: 'dlr', status: 'SPAM' };

function toAttempt(rungIndex: number, fed: Fed): PlannerAttempt {
  switch (fed.kind) {
    case 'success':
      return { rungIndex, sent: true, outcome: { kind: 'success' } };
    case 'send-error': {
      const failure = classifySendError(fed.err);
      return { rungIndex, sent: failure.ambiguous, outcome: { kind: 'failure', failure } };
    }
    case 'dlr':
      return { rungIndex, sent: true, outcome: { kind: 'failure', failure: classifyDlrFailure(fed.status) } };
  }
}

interface Run {
  steps: NextStep[];
  attempts: PlannerAttempt[];
  terminated: boolean;
}

function simulate(plan: RoutingPlan, script: Fed[], maxSteps: number): Run {
  const steps: NextStep[] = [];
  const attempts: PlannerAttempt[] = [];
  while (steps.length < maxSteps) {
    const step = nextStep(plan, attempts);
    steps.push(step);
    if (step.kind === 'stop') return { steps, attempts, terminated: true };
    attempts.push(toAttempt(step.rungIndex, script[attempts.length] ?? FALLBACK));
  }
  return { steps, attempts, terminated: false };
}

const maxRetries = (plan: RoutingPlan) =>
  Math.max(plan.policy.throttleRetries, plan.policy.unreachableRetries, plan.policy.handsetRetries);
const bound = (plan: RoutingPlan) => plan.rungs.length * (1 + maxRetries(plan)) + 1;

const isRetryKind = (f: ClassifiedFailure) =>
  (f.retryable && (f.scope === 'originator' || f.scope === 'region')) || f.scope === 'handset';

const failureOf = (a: PlannerAttempt): ClassifiedFailure | undefined =>
  a.outcome.kind === 'failure' ? a.outcome.failure : undefined;

/** Run the property for every step: `check(step, attempts before it)`. */
function eachStep(run: Run, check: (step: NextStep, before: PlannerAttempt[]) => void): void {
  run.steps.forEach((step, i) => check(step, run.attempts.slice(0, i)));
}

const RUNS = { numRuns: 400 };
const arbs = fc.tuple(planArb, scriptArb);

// ---------------------------------------------------------------------------------------------

describe('smsLadder on random configs', () => {
  it('keeps every originator once, groups Regions and routes contiguously, and labels levels', () => {
    fc.assert(
      fc.property(planArb, ({ plan, configured }) => {
        const rungs = plan.rungs;
        expect(rungs.map((r) => r.originator).sort()).toEqual(configured.map((o) => o.identity).sort());
        const contiguous = (keys: string[]) => {
          const seen = new Set<string>();
          keys.forEach((k, i) => {
            if (i > 0 && keys[i - 1] !== k) expect(seen.has(k)).toBe(false);
            seen.add(k);
          });
        };
        contiguous(rungs.map((r) => r.region));
        contiguous(rungs.map((r) => r.routeId));
        // Regions and routes in the order of their first appearance in the config.
        const firstSeen = (key: (o: (typeof configured)[number]) => string) => [...new Set(configured.map(key))];
        const regionOf = (routeId: string) => routeId.split('-').slice(2).join('-');
        expect([...new Set(rungs.map((r) => r.region))]).toEqual(firstSeen((o) => regionOf(o.route)));
        // Within one route, the originators keep the configured preference order.
        for (const routeId of new Set(rungs.map((r) => r.routeId))) {
          expect(rungs.filter((r) => r.routeId === routeId).map((r) => r.originator)).toEqual(
            configured.filter((o) => o.route === routeId).map((o) => o.identity),
          );
        }
        rungs.forEach((r, i) => expect(r.level).toBe(levelBetween(rungs[i - 1], r)));
      }),
      RUNS,
    );
  });
});

describe('nextStep on random plans and outcomes', () => {
  it('(a) terminates within rungs x (1 + max retries) + 1 steps', () => {
    fc.assert(
      fc.property(arbs, ([{ plan }, script]) => {
        const run = simulate(plan, script, bound(plan) + 5);
        expect(run.terminated).toBe(true);
        expect(run.steps.length).toBeLessThanOrEqual(bound(plan));
      }),
      RUNS,
    );
  });

  it('never sends more than maxSends times', () => {
    fc.assert(
      fc.property(arbs, ([{ plan }, script]) => {
        const run = simulate(plan, script, bound(plan) + 5);
        expect(run.attempts.filter((a) => a.sent).length).toBeLessThanOrEqual(plan.policy.maxSends);
      }),
      RUNS,
    );
  });

  it('(b) never sends after a success: it stops DELIVERED', () => {
    fc.assert(
      fc.property(arbs, ([{ plan }, script]) => {
        const run = simulate(plan, script, bound(plan) + 5);
        eachStep(run, (step, before) => {
          if (before.some((a) => a.outcome.kind === 'success'))
            expect(step).toMatchObject({ kind: 'stop', status: 'DELIVERED' });
        });
        // ... and a DELIVERED stop only ever follows a success.
        const last = run.steps[run.steps.length - 1];
        if (last.kind === 'stop' && last.status === 'DELIVERED') {
          expect(run.attempts[run.attempts.length - 1].outcome.kind).toBe('success');
        }
      }),
      RUNS,
    );
  });

  it('(c) a recipient-scoped failure stops STOPPED at once: no SMS rung is tried after it', () => {
    fc.assert(
      fc.property(arbs, ([{ plan }, script]) => {
        const run = simulate(plan, script, bound(plan) + 5);
        eachStep(run, (step, before) => {
          if (before.some((a) => failureOf(a)?.scope === 'recipient')) {
            expect(step).toMatchObject({ kind: 'stop', status: 'STOPPED' });
          }
        });
      }),
      RUNS,
    );
  });

  it('(d) rung indexes never go backwards; only a retryable failure repeats its rung', () => {
    fc.assert(
      fc.property(arbs, ([{ plan }, script]) => {
        const run = simulate(plan, script, bound(plan) + 5);
        eachStep(run, (step, before) => {
          if (step.kind !== 'send' || before.length === 0) return;
          const last = before[before.length - 1];
          const highest = Math.max(...before.map((a) => a.rungIndex));
          expect(step.rungIndex).toBeGreaterThanOrEqual(highest);
          expect(step.rungIndex).toBeLessThan(plan.rungs.length);
          if (step.rungIndex === last.rungIndex) {
            expect(isRetryKind(failureOf(last)!)).toBe(true);
            expect(step.delayMs).toBeGreaterThan(0);
          } else {
            expect(step.delayMs).toBe(0);
          }
        });
      }),
      RUNS,
    );
  });

  it('(e) a request-scoped failure stops FAILED at once', () => {
    fc.assert(
      fc.property(arbs, ([{ plan }, script]) => {
        const run = simulate(plan, script, bound(plan) + 5);
        eachStep(run, (step, before) => {
          const last = before[before.length - 1];
          if (last && failureOf(last)?.scope === 'request')
            expect(step).toMatchObject({ kind: 'stop', status: 'FAILED' });
        });
      }),
      RUNS,
    );
  });

  it('(f) honours every exclusion: originator/config, route, account x Region, Region', () => {
    fc.assert(
      fc.property(arbs, ([{ plan }, script]) => {
        const run = simulate(plan, script, bound(plan) + 5);
        eachStep(run, (step, before) => {
          if (step.kind !== 'send') return;
          const rung = plan.rungs[step.rungIndex];
          before.forEach((a, k) => {
            const f = failureOf(a);
            if (!f) return;
            // A retryable failure whose rung was retried right after was transient.
            if (f.retryable && before[k + 1]?.rungIndex === a.rungIndex) return;
            if (f.retryable && k === before.length - 1 && step.rungIndex === a.rungIndex) return;
            const failed = plan.rungs[a.rungIndex];
            switch (f.scope) {
              case 'originator':
              case 'config':
                expect(step.rungIndex).not.toBe(a.rungIndex);
                break;
              case 'route':
                expect(rung.routeId).not.toBe(failed.routeId);
                break;
              case 'account':
                expect([rung.account, rung.region]).not.toEqual([failed.account, failed.region]);
                break;
              case 'region':
                expect(rung.region).not.toBe(failed.region);
                break;
              default:
                break;
            }
          });
        });
      }),
      RUNS,
    );
  });

  it('ends STOPPED only for a compliance control (opt-out, protect block) or the send cap, FAILED otherwise', () => {
    fc.assert(
      fc.property(arbs, ([{ plan }, script]) => {
        const run = simulate(plan, script, bound(plan) + 5);
        const last = run.steps[run.steps.length - 1];
        if (last.kind !== 'stop' || last.status !== 'STOPPED') return;
        const recipient = run.attempts.some((a) => failureOf(a)?.scope === 'recipient');
        const protect = run.attempts.some(
          (a) => failureOf(a)?.scope === 'channel' && failureOf(a)!.reason.includes('PROTECT'),
        );
        const capped = run.attempts.filter((a) => a.sent).length >= plan.policy.maxSends;
        expect(recipient || protect || capped).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('regression: mixed same-rung retries', () => {
  // The properties above draw ONE kind of same-rung retry per run. The planner once counted retries per
  // kind, so throttling, connection refused and an unreachable handset taking turns on one rung never
  // exhausted the budget: here the kinds mix.
  const mixed = [
    () => classifySendError(errors.throttling),
    () => classifySendError(errors.connRefused),
    () => classifyDlrFailure('UNREACHABLE'),
    () => classifyDlrFailure('SPAM'),
  ];

  it('regression: mixed retryable failures retried one rung forever; now at most 1 + max retries tries per rung', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 100 }), (script) => {
        const plan = usPlan({ maxSends: 50 });
        const p = plan.policy;
        const perRung = 1 + Math.max(p.throttleRetries, p.unreachableRetries, p.handsetRetries);
        const bound = plan.rungs.length * perRung + 1;
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
          expect(attempts.filter((a) => a.rungIndex === i).length).toBeLessThanOrEqual(perRung);
        }
      }),
    );
  });
});
