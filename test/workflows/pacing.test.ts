/**
 * Pacing in the workflow (src/workflows/pacing.ts): a paced send that got no slot within the step failed before it
 * started, so nothing was sent: the attempt is an originator failure, never an ambiguous one (an ambiguous send would
 * hold the ladder for `ambiguousWait` and count against `maxSends`); any other activity timeout stays ambiguous. The
 * receipt wait after a paced send is what is left of the step.
 */
import { ActivityFailure, RetryState, TimeoutFailure } from '@temporalio/common';
import type { Rung } from '../../src/domain/plan';
import { PACING_TIMEOUT, pacingFailureOf, waitAfterSlot } from '../../src/workflows/pacing';
import { sendFailureOf } from '../../src/workflows/send-rung';

const rung: Rung = {
  channel: 'sms',
  routeId: 'use1',
  account: 'primary',
  region: 'us-east-1',
  originator: 'tf-1',
  originatorType: 'toll-free',
  level: 'initial',
  mps: 3,
};
const { mps: _mps, ...unpaced } = rung;

const activityTimeout = (type: 'SCHEDULE_TO_START' | 'START_TO_CLOSE') =>
  new ActivityFailure(
    'activity timed out',
    'sendSms',
    '1',
    RetryState.TIMEOUT,
    undefined,
    new TimeoutFailure('timed out', undefined, type),
  );

describe('sendFailureOf', () => {
  it('reads a schedule-to-start timeout as "no slot, nothing sent": originator scope, not ambiguous', () => {
    const failure = sendFailureOf(activityTimeout('SCHEDULE_TO_START'), rung);
    expect(failure).toMatchObject({ scope: 'originator', reason: PACING_TIMEOUT, ambiguous: false });
    expect(failure.message).toContain('tf-1 (3 MPS)');
  });

  it('keeps a start-to-close timeout ambiguous (the request may have left)', () => {
    expect(sendFailureOf(activityTimeout('START_TO_CLOSE'), rung)).toMatchObject({
      reason: 'ACTIVITY_TIMEOUT',
      ambiguous: true,
    });
  });

  it('needs no rung to classify the pacing timeout', () => {
    expect(pacingFailureOf(new TimeoutFailure('x', undefined, 'SCHEDULE_TO_START'), undefined)?.reason).toBe(
      PACING_TIMEOUT,
    );
    expect(pacingFailureOf(new Error('x'), rung)).toBeUndefined();
  });
});

describe('waitAfterSlot', () => {
  it('takes the slot wait off the step on a paced rung', () => {
    expect(waitAfterSlot(rung, 60_000, 1_000, 11_000)).toBe(50_000);
    expect(waitAfterSlot(rung, 60_000, 1_000, 90_000)).toBe(0);
  });

  it('leaves an unpaced rung’s wait as it was', () => {
    expect(waitAfterSlot(unpaced, 60_000, 1_000, 11_000)).toBe(60_000);
  });
});
