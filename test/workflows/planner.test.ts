/**
 * The ladder planner against a realistic US plan: every row of the send-error classification table
 * and every DLR failure status of docs/failure-classification.md, fed through the real classifiers, must lead to
 * the rung that page names.
 */
import {
  FEEDBACK_FAILED,
  nextStep,
  STEP_TIMEOUT,
  type NextStep,
  type PlannerAttempt,
} from '../../src/workflows/planner';
import type { SendErrorInfo } from '../../src/domain/outcome';
import { delivered, dlrFailure, errors, failed, R, sendError, usPlan } from '../helpers/fixtures';

const plan = usPlan();

function expectSend(step: NextStep, rungIndex: number, delayMs = 0): void {
  expect(step).toMatchObject({ kind: 'send', rungIndex, delayMs });
}
function expectStop(step: NextStep, status: 'DELIVERED' | 'FAILED' | 'STOPPED'): void {
  expect(step).toMatchObject({ kind: 'stop', status });
}

describe('the fixture plan', () => {
  it('is grouped originator -> account -> Region with the right levels', () => {
    expect(plan.rungs.map((r) => [r.routeId, r.account, r.region, r.originator, r.originatorType, r.level])).toEqual([
      ['use1-primary', 'primary', 'us-east-1', 'pool-sc-use1-primary', 'short-code', 'initial'],
      ['use1-primary', 'primary', 'us-east-1', 'pool-10dlc-use1-primary', '10dlc', 'originator'],
      ['use1-secondary', 'secondary', 'us-east-1', 'pool-sc-use1-secondary', 'short-code', 'account'],
      ['use1-secondary', 'secondary', 'us-east-1', 'pool-tf-use1-secondary', 'toll-free', 'originator'],
      ['usw2-primary', 'primary', 'us-west-2', 'pool-sc-usw2-primary', 'short-code', 'region'],
      ['usw2-primary', 'primary', 'us-west-2', 'pool-10dlc-usw2-primary', '10dlc', 'originator'],
    ]);
    expect(plan.policy).toMatchObject({
      throttleRetries: 3,
      throttleBackoffMs: 2_000,
      unreachableRetries: 2,
      unreachableBackoffMs: 1_000,
      handsetRetries: 1,
      handsetRetryDelayMs: 15 * 60_000,
      maxSends: 10,
    });
  });
});

describe('first step', () => {
  it('sends on rung 0 without delay', () => {
    const step = nextStep(plan, []);
    expectSend(step, 0, 0);
    expect(step.kind === 'send' && step.why).toContain('pool-sc-use1-primary');
  });

  it('fails at once when no rung is configured for the country', () => {
    const step = nextStep({ ...plan, country: 'FR', rungs: [] }, []);
    expectStop(step, 'FAILED');
    expect(step.kind === 'stop' && step.reason).toContain('FR');
  });

  it('stops DELIVERED once any attempt succeeded, even if later attempts failed', () => {
    expectStop(nextStep(plan, [delivered(0)]), 'DELIVERED');
    expectStop(nextStep(plan, [dlrFailure(0, 'BLOCKED'), delivered(1), dlrFailure(2, 'BLOCKED')]), 'DELIVERED');
  });
});

describe('send errors (docs/failure-classification.md, send errors table)', () => {
  type Expect = { send: number; delayMs?: number } | { stop: 'FAILED' | 'STOPPED' };
  const rows: [string, SendErrorInfo, number, Expect][] = [
    // originator: first throttle retries the same rung after the first backoff
    ['ThrottlingException', errors.throttling, R.use1PrimarySc, { send: R.use1PrimarySc, delayMs: 2_000 }],
    // Region, outcome unknown: no blind re-send, next Region
    ['InternalServerException', errors.internal, R.use1PrimarySc, { send: R.usw2PrimarySc }],
    ['HTTP 503', errors.http503, R.use1PrimarySc, { send: R.usw2PrimarySc }],
    ['TimeoutError', errors.timeout, R.use1Primary10dlc, { send: R.usw2PrimarySc }],
    ['InternalServerException on the secondary account', errors.internal, R.use1SecondarySc, { send: R.usw2PrimarySc }],
    // Region, nothing sent: retry the same rung after the first backoff
    ['ECONNREFUSED', errors.connRefused, R.use1PrimarySc, { send: R.use1PrimarySc, delayMs: 1_000 }],
    // account: next account in the same Region ...
    [
      'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT',
      errors.quota('MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT'),
      R.use1PrimarySc,
      { send: R.use1SecondarySc },
    ],
    ['ACCOUNT_DISABLED', errors.denied('ACCOUNT_DISABLED'), R.use1PrimarySc, { send: R.use1SecondarySc }],
    [
      'INSUFFICIENT_ACCOUNT_REPUTATION',
      errors.denied('INSUFFICIENT_ACCOUNT_REPUTATION'),
      R.use1Primary10dlc,
      { send: R.use1SecondarySc },
    ],
    [
      'DESTINATION_COUNTRY_BLOCKED',
      errors.validation('DESTINATION_COUNTRY_BLOCKED'),
      R.use1PrimarySc,
      { send: R.use1SecondarySc },
    ],
    ['COUNTRY_NOT_ENABLED', errors.validation('COUNTRY_NOT_ENABLED'), R.use1PrimarySc, { send: R.use1SecondarySc }],
    // ... and from the last account of a Region: the same account elsewhere is a different account x Region
    [
      'MONTHLY_SPEND_LIMIT on the secondary account',
      errors.quota('MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT'),
      R.use1SecondarySc,
      { send: R.usw2PrimarySc },
    ],
    ['ACCOUNT_DISABLED in the last Region', errors.denied('ACCOUNT_DISABLED'), R.usw2PrimarySc, { stop: 'FAILED' }],
    [
      'COUNTRY_NOT_ENABLED in the last Region (no alternate channel)',
      errors.validation('COUNTRY_NOT_ENABLED'),
      R.usw2PrimarySc,
      { stop: 'FAILED' },
    ],
    // originator: next originator, across a route boundary when it was the route's last one
    [
      'SENDER_ID_NOT_REGISTERED',
      errors.validation('SENDER_ID_NOT_REGISTERED'),
      R.use1PrimarySc,
      { send: R.use1Primary10dlc },
    ],
    [
      'INVALID_IDENTITY_FOR_DESTINATION_COUNTRY',
      errors.validation('INVALID_IDENTITY_FOR_DESTINATION_COUNTRY'),
      R.use1PrimarySc,
      { send: R.use1Primary10dlc },
    ],
    [
      "RESOURCE_NOT_ACCESSIBLE on the route's last originator",
      errors.validation('RESOURCE_NOT_ACCESSIBLE'),
      R.use1Primary10dlc,
      { send: R.use1SecondarySc },
    ],
    [
      'SENDER_ID_NOT_REGISTERED on the last rung',
      errors.validation('SENDER_ID_NOT_REGISTERED'),
      R.usw2Primary10dlc,
      { stop: 'FAILED' },
    ],
    // request: permanent failure
    ['CANNOT_PARSE', errors.validation('CANNOT_PARSE'), R.use1PrimarySc, { stop: 'FAILED' }],
    ['INVALID_PARAMETER', errors.validation('INVALID_PARAMETER'), R.use1PrimarySc, { stop: 'FAILED' }],
    ['MAXIMUM_SIZE_EXCEEDED', errors.validation('MAXIMUM_SIZE_EXCEEDED'), R.use1PrimarySc, { stop: 'FAILED' }],
    ['PRICE_OVER_THRESHOLD', errors.validation('PRICE_OVER_THRESHOLD'), R.use1Primary10dlc, { stop: 'FAILED' }],
    // recipient: stop SMS, never route around it
    [
      'DESTINATION_PHONE_NUMBER_OPTED_OUT',
      errors.conflict('DESTINATION_PHONE_NUMBER_OPTED_OUT'),
      R.use1PrimarySc,
      { stop: 'STOPPED' },
    ],
    [
      'DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE',
      errors.conflict('DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE'),
      R.use1PrimarySc,
      { stop: 'STOPPED' },
    ],
    [
      'DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION',
      errors.conflict('DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION'),
      R.use1SecondarySc,
      { stop: 'STOPPED' },
    ],
    // config: next originator
    ['RESOURCE_NOT_ACTIVE', errors.conflict('RESOURCE_NOT_ACTIVE'), R.use1PrimarySc, { send: R.use1Primary10dlc }],
    [
      'NO_ORIGINATION_IDENTITIES_FOUND',
      errors.conflict('NO_ORIGINATION_IDENTITIES_FOUND'),
      R.use1PrimarySc,
      { send: R.use1Primary10dlc },
    ],
    ['ResourceNotFoundException', errors.notFound, R.use1PrimarySc, { send: R.use1Primary10dlc }],
    [
      "ResourceNotFoundException on the route's last originator",
      errors.notFound,
      R.use1SecondaryTf,
      { send: R.usw2PrimarySc },
    ],
  ];

  it.each(rows)('%s', (_what, err, from, expected) => {
    // Earlier rungs (if any) failed in a way that rules out only themselves.
    const before: PlannerAttempt[] = [];
    for (let i = 0; i < from; i++) before.push(dlrFailure(i, 'BLOCKED'));
    const step = nextStep(plan, [...before, sendError(from, err)]);
    if ('send' in expected) expectSend(step, expected.send, expected.delayMs ?? 0);
    else expectStop(step, expected.stop);
  });

  it('names the failing reason when a request is rejected', () => {
    const step = nextStep(plan, [sendError(0, errors.validation('MAXIMUM_SIZE_EXCEEDED'))]);
    expect(step.kind === 'stop' && step.reason).toContain('MAXIMUM_SIZE_EXCEEDED');
  });

  it('names the opt-out when it stops, even with five rungs left', () => {
    const step = nextStep(plan, [sendError(0, errors.conflict('DESTINATION_PHONE_NUMBER_OPTED_OUT'))]);
    expectStop(step, 'STOPPED');
    expect(step.kind === 'stop' && step.reason).toContain('DESTINATION_PHONE_NUMBER_OPTED_OUT');
  });

  it('explains a failover with the level it climbs to', () => {
    const step = nextStep(plan, [sendError(0, errors.quota('MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT'))]);
    expect(step.kind === 'send' && step.why).toMatch(/account failover .*pool-sc-use1-secondary/);
  });
});

describe('throttling', () => {
  it('retries the same rung throttleRetries times with doubling backoff, then moves to the next originator', () => {
    const attempts: PlannerAttempt[] = [];
    const delays: number[] = [];
    for (;;) {
      attempts.push(sendError(0, errors.throttling));
      const step = nextStep(plan, attempts);
      if (step.kind !== 'send' || step.rungIndex !== 0) {
        expectSend(step, R.use1Primary10dlc, 0);
        break;
      }
      delays.push(step.delayMs);
      expect(attempts.length).toBeLessThan(10);
    }
    expect(delays).toEqual([2_000, 4_000, 8_000]);
  });

  it('follows the policy: 5 retries from 500 ms', () => {
    const p = usPlan({ throttleRetries: 5, throttleBackoffMs: 500 });
    const attempts: PlannerAttempt[] = [];
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      attempts.push(sendError(R.use1SecondarySc, errors.throttling));
      const step = nextStep(p, [dlrFailure(0, 'CARRIER_UNREACHABLE'), ...attempts]);
      expect(step).toMatchObject({ kind: 'send', rungIndex: R.use1SecondarySc });
      delays.push(step.kind === 'send' ? step.delayMs : -1);
    }
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000]);
    attempts.push(sendError(R.use1SecondarySc, errors.throttling));
    expectSend(nextStep(p, [dlrFailure(0, 'CARRIER_UNREACHABLE'), ...attempts]), R.use1SecondaryTf, 0);
  });

  it('with no retries allowed moves on at once', () => {
    expectSend(nextStep(usPlan({ throttleRetries: 0 }), [sendError(0, errors.throttling)]), 1, 0);
  });

  it('counts retries afresh on a new rung', () => {
    const attempts = [
      ...Array.from({ length: 4 }, () => sendError(0, errors.throttling)),
      sendError(1, errors.throttling),
    ];
    expectSend(nextStep(plan, attempts), 1, 2_000);
  });
});

describe('endpoint unreachable (ECONNREFUSED)', () => {
  it('retries in the same Region unreachableRetries times, then goes to the next Region', () => {
    const a1 = [sendError(0, errors.connRefused)];
    expectSend(nextStep(plan, a1), 0, 1_000);
    const a2 = [...a1, sendError(0, errors.connRefused)];
    expectSend(nextStep(plan, a2), 0, 2_000);
    const a3 = [...a2, sendError(0, errors.connRefused)];
    expectSend(nextStep(plan, a3), R.usw2PrimarySc, 0);
    // The Region stays ruled out for the rest of the message.
    const a4 = [...a3, dlrFailure(R.usw2PrimarySc, 'BLOCKED')];
    expectSend(nextStep(plan, a4), R.usw2Primary10dlc);
    expectStop(nextStep(plan, [...a4, dlrFailure(R.usw2Primary10dlc, 'SPAM')]), 'FAILED');
  });

  it('is transient when the retry got through: the Region is not excluded later', () => {
    // Refused, then the retry was accepted and its receipt said the carrier blocked the originator.
    expectSend(nextStep(plan, [sendError(0, errors.connRefused), dlrFailure(0, 'BLOCKED')]), R.use1Primary10dlc);
    // Refused, retry accepted, carrier path of the route failed: next account in the SAME Region.
    expectSend(
      nextStep(plan, [
        sendError(0, errors.connRefused),
        sendError(0, errors.connRefused),
        dlrFailure(0, 'TTL_EXPIRED'),
      ]),
      R.use1SecondarySc,
    );
    // ... and later failures keep counting from there without ever excluding us-east-1.
    const later = [
      sendError(0, errors.connRefused),
      dlrFailure(0, 'BLOCKED'),
      dlrFailure(1, 'BLOCKED'),
      dlrFailure(2, 'SPAM'),
    ];
    expectSend(nextStep(plan, later), R.use1SecondaryTf);
  });

  it('a transient throttle does not exclude its originator once the retry was accepted', () => {
    // Throttled, retry accepted, then the carrier path timed out: the route is skipped, nothing more.
    expectSend(nextStep(plan, [sendError(2, errors.throttling), dlrFailure(2, 'TTL_EXPIRED')]), R.usw2PrimarySc);
  });
});

describe('ambiguous sends are never re-sent blindly', () => {
  it.each([
    ['InternalServerException', errors.internal],
    ['HTTP 503', errors.http503],
    ['TimeoutError', errors.timeout],
  ])('%s does not repeat the same rung or Region', (_what, err) => {
    const step = nextStep(plan, [sendError(0, err)]);
    expect(step.kind).toBe('send');
    if (step.kind === 'send') {
      expect(step.rungIndex).not.toBe(0);
      expect(plan.rungs[step.rungIndex].region).not.toBe('us-east-1');
    }
  });

  it('counts an ambiguous send toward maxSends', () => {
    expectStop(nextStep(usPlan({ maxSends: 1 }), [sendError(0, errors.internal)]), 'STOPPED');
  });
});

describe('delivery receipts (DLR status mapping)', () => {
  it.each(['BLOCKED', 'CARRIER_BLOCKED', 'SPAM'])('%s -> next originator of the same route', (status) => {
    expectSend(nextStep(plan, [dlrFailure(0, status)]), R.use1Primary10dlc, 0);
    // From the route's last originator: the next account in the Region.
    expectSend(nextStep(plan, [dlrFailure(0, 'BLOCKED'), dlrFailure(1, status)]), R.use1SecondarySc, 0);
  });

  it.each(['CARRIER_UNREACHABLE', 'TTL_EXPIRED', 'UNKNOWN'])('%s -> skip the rest of the route', (status) => {
    expectSend(nextStep(plan, [dlrFailure(0, status)]), R.use1SecondarySc, 0);
    expectSend(
      nextStep(plan, [dlrFailure(0, 'SPAM'), dlrFailure(1, 'SPAM'), dlrFailure(2, status)]),
      R.usw2PrimarySc,
      0,
    );
    expectStop(nextStep(plan, [dlrFailure(0, status), dlrFailure(2, status), dlrFailure(4, status)]), 'FAILED');
  });

  it('INVALID -> SMS is futile; with no other channel configured the message fails at once', () => {
    const step = nextStep(plan, [dlrFailure(0, 'INVALID')]);
    expectStop(step, 'FAILED');
    expect(step.kind === 'stop' && step.reason).toContain('TEXT_INVALID');
  });

  it('UNREACHABLE -> one delayed retry on the same rung, then stop', () => {
    const first = [dlrFailure(0, 'UNREACHABLE')];
    expectSend(nextStep(plan, first), 0, 15 * 60_000);
    expectStop(nextStep(plan, [...first, dlrFailure(0, 'UNREACHABLE')]), 'FAILED');
  });

  it('UNREACHABLE follows handsetRetries and handsetRetryDelay', () => {
    const p = usPlan({ handsetRetries: 2, handsetRetryDelayMs: 60_000 });
    const a = [dlrFailure(0, 'UNREACHABLE')];
    expectSend(nextStep(p, a), 0, 60_000);
    expectSend(nextStep(p, [...a, dlrFailure(0, 'UNREACHABLE')]), 0, 60_000);
    expectStop(nextStep(p, [...a, dlrFailure(0, 'UNREACHABLE'), dlrFailure(0, 'UNREACHABLE')]), 'FAILED');
    expectStop(nextStep(usPlan({ handsetRetries: 0 }), a), 'FAILED');
  });

  it('PROTECT_BLOCKED -> STOPPED, never routed around', () => {
    expectStop(nextStep(plan, [dlrFailure(0, 'PROTECT_BLOCKED')]), 'STOPPED');
    expectStop(nextStep(plan, [dlrFailure(0, 'SPAM'), dlrFailure(1, 'PROTECT_BLOCKED')]), 'STOPPED');
  });

  it('INVALID_MESSAGE -> FAILED at once', () => {
    const step = nextStep(plan, [dlrFailure(0, 'INVALID_MESSAGE')]);
    expectStop(step, 'FAILED');
    expect(step.kind === 'stop' && step.reason).toContain('TEXT_INVALID_MESSAGE');
  });
});

describe('failures the workflow detects itself', () => {
  const originatorFailure = (reason: string) => ({
    scope: 'originator' as const,
    reason,
    message: 'test',
    retryable: false,
    ambiguous: false,
  });
  it.each([STEP_TIMEOUT, FEEDBACK_FAILED])('%s -> next originator, no retry', (reason) => {
    expectSend(nextStep(plan, [failed(0, originatorFailure(reason))]), 1, 0);
  });
});

describe('maxSends', () => {
  it('stops STOPPED once the policy maximum of sends happened, rungs left or not', () => {
    const p = usPlan({ maxSends: 3 });
    const three = [dlrFailure(0, 'BLOCKED'), dlrFailure(1, 'BLOCKED'), dlrFailure(2, 'BLOCKED')];
    expectSend(nextStep(p, three.slice(0, 2)), 2);
    const step = nextStep(p, three);
    expectStop(step, 'STOPPED');
    expect(step.kind === 'stop' && step.reason).toContain('3');
  });

  it('does not count refused sends (nothing was sent)', () => {
    const p = usPlan({ maxSends: 1 });
    const step = nextStep(p, [
      sendError(0, errors.validation('SENDER_ID_NOT_REGISTERED')),
      sendError(1, errors.quota('MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT')),
    ]);
    expectSend(step, R.use1SecondarySc);
  });

  it('caps the handset retry too', () => {
    expectStop(nextStep(usPlan({ maxSends: 1 }), [dlrFailure(0, 'UNREACHABLE')]), 'STOPPED');
  });
});

describe('climbing the whole ladder', () => {
  it('visits originator, account and Region in order and then fails', () => {
    const attempts: PlannerAttempt[] = [];
    const visited: number[] = [];
    for (;;) {
      const step = nextStep(plan, attempts);
      if (step.kind === 'stop') {
        expect(step.status).toBe('FAILED');
        break;
      }
      visited.push(step.rungIndex);
      attempts.push(dlrFailure(step.rungIndex, 'SPAM'));
    }
    expect(visited).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('skips a rung ruled out earlier even when the ladder reaches it later', () => {
    // Account failure of primary in us-east-1 must not rule out primary in us-west-2.
    const attempts = [sendError(0, errors.denied('ACCOUNT_DISABLED')), dlrFailure(2, 'CARRIER_UNREACHABLE')];
    expectSend(nextStep(plan, attempts), R.usw2PrimarySc);
  });
});

describe('regression: retries on one rung', () => {
  it('regression: alternating throttling and connection refused on one rung retried forever', () => {
    // The retry count was kept per kind of failure, so a flapping endpoint (refused, throttled, refused, ...)
    // reset it on every try. Now the same-rung retries share one count.
    const attempts: PlannerAttempt[] = [];
    let steps = 0;
    for (;;) {
      const step = nextStep(plan, attempts);
      steps++;
      if (step.kind === 'stop' || step.rungIndex !== 0) break;
      attempts.push(sendError(0, attempts.length % 2 === 0 ? errors.connRefused : errors.throttling));
      if (steps > 50) break;
    }
    // At most 1 + max(throttleRetries, unreachableRetries) = 4 tries on rung 0 before the ladder moves on.
    expect(attempts.length).toBeLessThanOrEqual(
      1 + Math.max(plan.policy.throttleRetries, plan.policy.unreachableRetries),
    );
  });

  it('regression: a handset failure that was retried ruled out every SMS rung', () => {
    // Handset off; the delayed retry on the same rung reached the handset but the carrier blocked the
    // originator: the next originator must be tried, as for any TEXT_BLOCKED.
    const step = nextStep(plan, [dlrFailure(0, 'UNREACHABLE'), dlrFailure(0, 'BLOCKED')]);
    expect(step).toMatchObject({ kind: 'send', rungIndex: R.use1Primary10dlc });
  });
});

describe('the pumping guard (docs/pumping.md): a spend limit while it is tripped never moves to another account', () => {
  const spend = sendError(R.use1PrimarySc, errors.quota('MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT'));
  const tripped = { tripped: 'prefix +1900 tripped: VELOCITY_LIMIT: prefix +1900 over 20 per 60s for otp' };

  it('stops STOPPED, naming the spend limit and the guard, instead of the secondary account', () => {
    const step = nextStep(plan, [spend], 0, undefined, tripped);
    expectStop(step, 'STOPPED');
    expect(step.kind === 'stop' && step.reason).toMatch(
      /^PUMPING_SPEND_LIMIT: MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT while the pumping guard is tripped \(prefix \+1900/,
    );
  });

  it('moves to the secondary account as before when the guard is not tripped, or not read', () => {
    expectSend(nextStep(plan, [spend], 0, undefined, {}), R.use1SecondarySc);
    expectSend(nextStep(plan, [spend]), R.use1SecondarySc);
  });

  it('leaves every other failure to the ladder while tripped (a Region outage still fails over)', () => {
    expectSend(nextStep(plan, [sendError(R.use1PrimarySc, errors.internal)], 0, undefined, tripped), R.usw2PrimarySc);
    expectSend(
      nextStep(plan, [sendError(R.use1PrimarySc, errors.denied('ACCOUNT_DISABLED'))], 0, undefined, tripped),
      R.use1SecondarySc,
    );
  });
});
