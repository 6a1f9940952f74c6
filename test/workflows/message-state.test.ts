/**
 * MessageState without a server: the rules the workflow applies to receipts, feedback, cancels, step
 * timeouts and the end of a message, driven directly with explicit times.
 */
import type { DlrSignal } from '../../src/domain/delivery-event';
import { failure } from '../../src/domain/outcome';
import type { ResolvedPolicy, Rung } from '../../src/domain/plan';
import type { DeliverMessageInput } from '../../src/workflows/definitions';
import { withDefaults } from '../../src/workflows/input-compat';
import { numberTag } from '../../src/domain/number-tag';
import { MessageState, type SendStep } from '../../src/workflows/message-state';
import { MAX_EVENTS_PER_ATTEMPT } from '../../src/workflows/receipt-rules';
import { FEEDBACK_FAILED, nextStep, STEP_TIMEOUT } from '../../src/workflows/planner';
import { R, usPlan } from '../helpers/fixtures';

const T0 = 1_700_000_000_000;

const EMAIL_RUNG: Rung = {
  channel: 'email',
  routeId: 'email:primary/us-east-1',
  account: 'primary',
  region: 'us-east-1',
  originator: 'noreply@example.com',
  originatorType: 'email',
  level: 'channel',
};

function newState(policy: Partial<ResolvedPolicy> = {}): MessageState {
  const plan = usPlan({ stepWaitMs: 30_000, ambiguousWaitMs: 10_000, deadlineMs: 600_000, ...policy });
  plan.rungs.push(EMAIL_RUNG);
  const input = {
    idempotencyKey: 'key-1',
    request: {
      destination: '+14255550156',
      body: 'Your code is 123456',
      useCase: 'otp',
      messageType: 'TRANSACTIONAL',
      contacts: { email: 'someone@example.com' },
    },
    plan,
  } as unknown as DeliverMessageInput;
  return new MessageState(withDefaults(input), 'sms:key-1', T0);
}

function step(rungIndex: number): SendStep {
  return { kind: 'send', rungIndex, delayMs: 0, why: `rung ${rungIndex}` };
}

/** Starts an attempt on `rungIndex` and lets the service accept it with `messageId`. */
function sent(state: MessageState, rungIndex: number, messageId: string, at = T0) {
  const attempt = state.startAttempt(step(rungIndex), at);
  state.sendAccepted(attempt, { messageId, acceptedAt: at + 100 });
  return attempt;
}

function dlr(attempt: number, messageId: string, status: string, more: Partial<DlrSignal> = {}): DlrSignal {
  return {
    attempt,
    messageId,
    eventType: `TEXT_${status}`,
    status,
    isFinal: status !== 'PENDING' && status !== 'QUEUED',
    eventTimestamp: T0 + 1_000,
    ...more,
  };
}

describe('MessageState: the record', () => {
  it('starts in progress with a masked destination, the SMS parts and the deadline from the policy', () => {
    const state = newState();
    expect(state.record).toMatchObject({
      workflowId: 'sms:key-1',
      idempotencyKey: 'key-1',
      status: 'IN_PROGRESS',
      destination: '+1425*****56',
      smsParts: { encoding: 'GSM', units: 19, parts: 1 },
      attempts: [],
      startedAt: T0,
    });
    expect(state.deadlineAt).toBe(T0 + 600_000);
    expect(state.deadlinePassed(T0 + 599_999)).toBe(false);
    expect(state.deadlinePassed(T0 + 600_000)).toBe(true);
    expect(state.waitWithinDeadline(30_000, T0 + 590_000)).toBe(10_000);
    expect(state.waitWithinDeadline(30_000, T0 + 700_000)).toBe(0);
  });

  it('numbers attempts, marks later ones with the rung level, and enables feedback only on SMS/voice', () => {
    const state = newState({ messageFeedback: true });
    const first = state.startAttempt(step(R.use1SecondarySc), T0);
    const second = state.startAttempt(step(R.use1SecondaryTf), T0 + 5);
    const third = state.startAttempt(step(6), T0 + 10);
    expect([first.attempt, second.attempt, third.attempt]).toEqual([1, 2, 3]);
    expect([first.level, second.level, third.level]).toEqual(['initial', 'originator', 'channel']);
    expect([first.feedbackEnabled, third.feedbackEnabled]).toEqual([true, false]);
    expect(state.highestLevel()).toBe('channel');
    expect(state.record.reason).toBe('rung 6');
  });
});

describe('MessageState: receipts', () => {
  it('settles the attempt a final receipt names, and counts receipts for attempts it never made', () => {
    const state = newState();
    const attempt = sent(state, R.use1PrimarySc, 'm-1');
    state.onDlr(dlr(2, 'm-1', 'DELIVERED'), T0 + 2_000);
    state.onDlr(dlr(1, 'other-id', 'DELIVERED'), T0 + 2_000);
    expect(state.record.unmatchedEvents).toBe(2);
    expect(attempt.state).toBe('sent');
    expect(state.ended()).toBe(false);

    state.onDlr(dlr(1, 'm-1', 'DELIVERED', { price: 0.0075 }), T0 + 3_000);
    expect(attempt).toMatchObject({ state: 'delivered', outcome: 'DELIVERED', finishedAt: T0 + 3_000, price: 0.0075 });
    expect(attempt.events).toEqual([
      { type: 'TEXT_DELIVERED', status: 'DELIVERED', at: T0 + 1_000, receivedAt: T0 + 3_000 },
    ]);
    expect(state.succeeded()).toBe(true);
    expect(state.ended()).toBe(true);
  });

  it('names a voice failure by its VOICE_ event type, not as an SMS event', () => {
    const state = newState();
    const attempt = sent(state, R.use1PrimarySc, 'm-1');
    state.onDlr(dlr(1, 'm-1', 'BUSY', { eventType: 'VOICE_BUSY' }), T0 + 2_000);
    expect(attempt).toMatchObject({ state: 'failed', outcome: 'VOICE_BUSY' });
    expect(attempt.failure).toMatchObject({ scope: 'handset', reason: 'VOICE_BUSY' });
  });

  it('learns the message id from a receipt that beats the send result, and keeps the receipt’s outcome', () => {
    const state = newState();
    const attempt = state.startAttempt(step(R.use1PrimarySc), T0);
    state.onDlr(dlr(1, 'm-early', 'DELIVERED'), T0 + 50);
    state.sendAccepted(attempt, { messageId: 'm-late', acceptedAt: T0 + 100 });
    expect(attempt).toMatchObject({ messageId: 'm-early', state: 'delivered', sentAt: T0 + 100 });
  });

  it('counts a repeated receipt once, and intermediate receipts only update an open attempt', () => {
    const state = newState();
    const attempt = sent(state, R.use1PrimarySc, 'm-1');
    state.onDlr(dlr(1, 'm-1', 'PENDING'), T0 + 1_000);
    state.onDlr(dlr(1, 'm-1', 'PENDING'), T0 + 1_001);
    expect(state.record.duplicateEvents).toBe(1);
    expect(attempt).toMatchObject({ state: 'sent', outcome: 'PENDING' });
    expect(attempt.events).toHaveLength(1);

    state.onDlr(dlr(1, 'm-1', 'DELIVERED', { eventTimestamp: T0 + 2_000 }), T0 + 2_000);
    state.onDlr(dlr(1, 'm-1', 'QUEUED', { eventTimestamp: T0 + 3_000 }), T0 + 3_000);
    expect(attempt).toMatchObject({ state: 'delivered', outcome: 'DELIVERED' });
  });

  it('keeps the first final receipt when a contradicting one follows', () => {
    const state = newState();
    const attempt = sent(state, R.use1PrimarySc, 'm-1');
    state.onDlr(dlr(1, 'm-1', 'BLOCKED'), T0 + 1_000);
    expect(attempt).toMatchObject({ state: 'failed', outcome: 'TEXT_BLOCKED', failure: { scope: 'originator' } });
    expect(state.attemptFailed(attempt)).toBe(true);

    state.onDlr(dlr(1, 'm-1', 'DELIVERED', { eventTimestamp: T0 + 2_000 }), T0 + 2_000);
    expect(attempt.state).toBe('failed');
    expect(state.record.duplicateEvents).toBe(1);
    expect(state.succeeded()).toBe(false);
  });
});

describe('MessageState: which receipts are trusted (issue 17, item 2)', () => {
  const DEST = '+14255550156';
  const PRIMARY_USE1 = { account: 'primary', region: 'us-east-1' };
  const tag = (n: string) => numberTag('sms:key-1', n);
  const ambiguous = (state: MessageState, rungIndex: number) => {
    const attempt = state.startAttempt(step(rungIndex), T0);
    state.sendFailed(attempt, failure('region', 'TIMEOUT', 'lost', { ambiguous: true }), T0 + 100);
    expect(attempt.state).toBe('unknown');
    return attempt;
  };

  it('refuses a receipt from the queue of another account or Region, even with the right message id', () => {
    const state = newState();
    const attempt = sent(state, R.use1PrimarySc, 'm-1');
    const forged = [
      { account: 'secondary', region: 'us-east-1' },
      { account: 'primary', region: 'us-west-2' },
    ];
    for (const origin of forged) {
      expect(state.onDlr(dlr(1, 'm-1', 'DELIVERED', { origin }), T0 + 2_000)).toBe('other-queue');
    }
    expect(state.record.rejectedEvents).toBe(2);
    expect(attempt).toMatchObject({ state: 'sent', events: [] });
    expect(state.ended()).toBe(false);
    // The attempt's own queue is trusted.
    expect(state.onDlr(dlr(1, 'm-1', 'DELIVERED', { origin: PRIMARY_USE1 }), T0 + 3_000)).toBeUndefined();
    expect(attempt.state).toBe('delivered');
  });

  it('refuses a receipt naming another destination', () => {
    const state = newState();
    const attempt = sent(state, R.use1PrimarySc, 'm-1');
    const other = dlr(1, 'm-1', 'DELIVERED', { origin: PRIMARY_USE1, destinationTag: tag('+14255550199') });
    expect(state.onDlr(other, T0 + 2_000)).toBe('other-destination');
    expect(attempt.state).toBe('sent');
  });

  it('settles an ambiguous attempt only with a receipt naming its destination (any message id)', () => {
    const state = newState();
    const attempt = ambiguous(state, R.use1PrimarySc);
    const noDestination = dlr(1, 'm-any', 'DELIVERED', { origin: PRIMARY_USE1 });
    expect(state.onDlr(noDestination, T0 + 1_000)).toBe('no-destination');
    const wrong = { ...noDestination, destinationTag: tag('+14255550199') };
    expect(state.onDlr(wrong, T0 + 1_000)).toBe('other-destination');
    // The same number tagged for another message does not match either.
    const otherSalt = { ...noDestination, destinationTag: numberTag('sms:other', DEST) };
    expect(state.onDlr(otherSalt, T0 + 1_000)).toBe('other-destination');
    expect(attempt.state).toBe('unknown');
    expect(attempt.messageId).toBeUndefined();
    expect(state.record.rejectedEvents).toBe(3);

    expect(state.onDlr({ ...noDestination, destinationTag: tag(DEST) }, T0 + 2_000)).toBeUndefined();
    expect(attempt).toMatchObject({ state: 'delivered', messageId: 'm-any' });
  });

  it('requires the origination number too when the ambiguous attempt’s originator is a phone number', () => {
    const state = newState();
    state.plan.rungs[R.use1PrimarySc].originator = '+12065550152';
    const attempt = ambiguous(state, R.use1PrimarySc);
    const base = dlr(1, 'm-any', 'DELIVERED', { origin: PRIMARY_USE1, destinationTag: tag(DEST) });
    expect(state.onDlr(base, T0 + 1_000)).toBe('other-origination');
    expect(state.onDlr({ ...base, originationTag: tag('+12065550100') }, T0 + 1_000)).toBe('other-origination');
    expect(attempt.state).toBe('unknown');
    expect(state.onDlr({ ...base, originationTag: tag('+12065550152') }, T0 + 2_000)).toBeUndefined();
    expect(attempt.state).toBe('delivered');
  });

  it('accepts a signal recorded before the rules (no origin) as it did then', () => {
    const state = newState();
    const attempt = ambiguous(state, R.use1SecondarySc);
    expect(state.onDlr(dlr(1, 'm-any', 'DELIVERED'), T0 + 1_000)).toBeUndefined();
    expect(attempt.state).toBe('delivered');
    expect(state.record.rejectedEvents).toBe(0);
  });
});

describe('MessageState: a flood of receipts costs only counters (issue 17, item 1)', () => {
  it('lists at most 10 events per attempt plus the settling one, counts the rest, and stays small', () => {
    const state = newState();
    const attempt = sent(state, R.use1PrimarySc, 'm-1');
    const widest = { eventType: `TEXT_${'P'.repeat(59)}`, status: 'P'.repeat(64), description: 'd'.repeat(500) };
    for (let i = 0; i < 600; i++) {
      state.onDlr(dlr(1, 'm-1', 'PENDING', { ...widest, isFinal: false, eventTimestamp: T0 + i }), T0 + i);
    }
    expect(attempt.events).toHaveLength(MAX_EVENTS_PER_ATTEMPT);
    expect(attempt.omittedEvents).toBe(600 - MAX_EVENTS_PER_ATTEMPT);
    // The final receipt still settles it and is listed.
    state.onDlr(dlr(1, 'm-1', 'DELIVERED', { eventTimestamp: T0 + 1_000 }), T0 + 1_000);
    expect(attempt.state).toBe('delivered');
    expect(attempt.events.at(-1)).toMatchObject({ status: 'DELIVERED' });
    // 600 more distinct final receipts: counted, nothing listed.
    for (let i = 0; i < 600; i++) {
      const type = widest.eventType;
      state.onDlr(dlr(1, 'm-1', 'DELIVERED', { eventType: type, eventTimestamp: T0 + 2_000 + i }), T0 + 2_000);
    }
    expect(attempt.events).toHaveLength(MAX_EVENTS_PER_ATTEMPT + 1);
    expect(attempt.omittedEvents).toBe(1200 - MAX_EVENTS_PER_ATTEMPT);
    expect(state.record.duplicateEvents).toBe(600);
    state.onCancel({ reason: 'r'.repeat(100) });
    state.finish(state.finalStatus('FAILED'), state.firstDelivered(), T0 + 5_000);
    expect(JSON.stringify(state.close('DELIVERED', T0 + 5_000)).length).toBeLessThan(8 * 1024);
  });
});

describe('MessageState: feedback and cancel', () => {
  it('feedback FAILED fails the attempt being waited on, and a later DELIVERED receipt still wins', () => {
    const state = newState({ success: 'feedback' });
    const attempt = sent(state, R.use1PrimarySc, 'm-1');
    expect(state.attemptFailed(attempt)).toBe(false);
    state.onFeedback({ status: 'FAILED' });
    expect(state.attemptFailed(attempt)).toBe(true);

    state.applyFeedbackFailed(attempt, T0 + 5_000);
    expect(attempt).toMatchObject({
      state: 'failed',
      outcome: FEEDBACK_FAILED,
      finishedAt: T0 + 5_000,
      failure: { scope: 'originator', reason: FEEDBACK_FAILED, retryable: false, ambiguous: false },
    });
    expect(state.attemptFailed(sent(state, R.use1Primary10dlc, 'm-2'))).toBe(false);

    state.onDlr(dlr(1, 'm-1', 'DELIVERED'), T0 + 6_000);
    expect(attempt.state).toBe('delivered');
    expect(state.succeeded()).toBe(false); // success is feedback only
  });

  it('feedback RECEIVED ends the message as CONFIRMED, with RECEIVED recorded for the winning attempt', () => {
    const state = newState({ success: 'feedback', messageFeedback: true });
    const first = sent(state, R.use1PrimarySc, 'm-1');
    state.stepTimedOut(first, 30_000, T0 + 30_000);
    sent(state, R.use1Primary10dlc, 'm-2', T0 + 30_000);
    state.onFeedback({ status: 'RECEIVED' });
    expect(state.ended()).toBe(true);

    const status = state.finalStatus('FAILED');
    expect(status).toBe('CONFIRMED');
    const feedback = state.finish(status, state.firstDelivered(), T0 + 40_000);
    expect(state.record).toMatchObject({ successfulAttempt: 2, reason: 'the user acted on the message' });
    expect(feedback.map((f) => [f.attempt.attempt, f.input.status, f.input.route.configurationSet])).toEqual([
      [1, 'FAILED', 'cs-primary-use1'],
      [2, 'RECEIVED', 'cs-primary-use1'],
    ]);
    feedback.forEach((f) => state.feedbackRecorded(f));
    expect(state.record.attempts.map((a) => a.feedback)).toEqual(['FAILED', 'RECEIVED']);
  });

  it('keeps the first cancel reason and ends CANCELLED', () => {
    const state = newState();
    sent(state, R.use1PrimarySc, 'm-1');
    state.onCancel({ reason: 'user left' });
    state.onCancel({});
    state.onWorkflowCancelled();
    expect(state.ended()).toBe(true);
    expect(state.finalStatus('FAILED')).toBe('CANCELLED');
    expect(state.record.reason).toBe('cancelled: user left');
    expect(state.listensForFeedback('CANCELLED')).toBe(false);
  });
});

describe('MessageState: sends and step timeouts', () => {
  it('a refused send fails the attempt without a send; an alternate channel’s acceptance is its delivery', () => {
    // A plan recorded before channel receipts (no `channelSuccess`): email succeeds on acceptance, as it did then.
    const state = newState({ channelSuccess: undefined });
    const refused = state.startAttempt(step(R.use1PrimarySc), T0);
    state.sendFailed(refused, failure('account', 'CREDENTIALS_UNAVAILABLE', 'no credentials'), T0 + 10);
    expect(refused).toMatchObject({ state: 'send-failed', outcome: 'CREDENTIALS_UNAVAILABLE', finishedAt: T0 + 10 });
    expect(state.plannerView()[0]).toMatchObject({ sent: false, outcome: { kind: 'failure' } });

    const email = sent(state, 6, 'ses-1', T0 + 20);
    expect(email).toMatchObject({ state: 'delivered', outcome: 'ACCEPTED', finishedAt: T0 + 120 });
    expect(state.succeeded()).toBe(true);
  });

  it('an alternate channel’s acceptance is not a success when the policy waits for feedback', () => {
    const state = newState({ success: 'feedback' });
    expect(sent(state, 6, 'ses-1')).toMatchObject({ state: 'sent', outcome: 'SENT' });
  });

  it('a step timeout fails the attempt at originator scope and the planner moves on', () => {
    const state = newState();
    const attempt = sent(state, R.use1PrimarySc, 'm-1');
    expect(state.beginWait(attempt)).toBe(30_000);
    expect(state.record.reason).toBe('waiting for the delivery receipt');
    state.stepTimedOut(attempt, 30_000, T0 + 30_000);
    expect(attempt).toMatchObject({
      state: 'timed-out',
      outcome: STEP_TIMEOUT,
      finishedAt: T0 + 30_000,
      failure: { scope: 'originator', reason: STEP_TIMEOUT, message: 'no final receipt within 30s' },
    });
    expect(state.plannerView()).toEqual([
      {
        rungIndex: R.use1PrimarySc,
        sent: true,
        outcome: { kind: 'failure', failure: attempt.failure },
        price: undefined,
      },
    ]);
    expect(nextStep(state.plan, state.plannerView(), T0 + 30_000)).toMatchObject({ kind: 'send', rungIndex: 1 });
    expect(state.mayStillGetReceipt()).toBe(true);
  });

  it("counts a receipt's carrier fee with its message price toward maxTotalPrice", () => {
    const state = newState({ maxTotalPrice: 0.01 });
    const attempt = sent(state, R.use1PrimarySc, 'm-1');
    // 0.006 + 0.005 = 0.011: over the cap only with the carrier fee.
    state.onDlr(dlr(1, 'm-1', 'SPAM', { price: 0.006, carrierFee: 0.005 }), T0 + 1_000);
    expect(attempt).toMatchObject({ state: 'failed', price: 0.006, carrierFee: 0.005 });
    expect(state.plannerView()[0].price).toBeCloseTo(0.011, 10);
    const next = nextStep(state.plan, state.plannerView(), T0 + 1_000);
    expect(next).toMatchObject({ kind: 'stop', status: 'STOPPED' });
    expect(next.kind === 'stop' && next.reason).toMatch(/spent 0.01100 USD/);
  });

  it('a delivered SMS without feedback times out as "delivered but no feedback"', () => {
    const state = newState({ success: 'feedback' });
    const attempt = sent(state, R.use1PrimarySc, 'm-1');
    expect(state.beginWait(attempt)).toBe(30_000);
    expect(state.record.reason).toBe('waiting for feedback');
    state.onDlr(dlr(1, 'm-1', 'DELIVERED'), T0 + 1_000);
    state.stepTimedOut(attempt, 30_000, T0 + 30_000);
    expect(attempt.failure?.message).toBe('delivered but no feedback within the step');
  });

  it('an ambiguous send waits the shorter time and keeps its Region failure when it times out', () => {
    const state = newState();
    const attempt = state.startAttempt(step(R.use1PrimarySc), T0);
    const ambiguous = failure('region', 'ACTIVITY_TIMEOUT', 'send activity timed out, outcome unknown', {
      ambiguous: true,
    });
    state.sendFailed(attempt, ambiguous, T0 + 30_000);
    expect(attempt.state).toBe('unknown');
    expect(state.beginWait(attempt)).toBe(10_000);
    expect(state.record.reason).toBe('send outcome unknown; waiting for a receipt before moving on');

    state.stepTimedOut(attempt, 10_000, T0 + 40_000);
    expect(attempt).toMatchObject({ state: 'timed-out', outcome: 'ACTIVITY_TIMEOUT_NO_RECEIPT', failure: ambiguous });
    expect(state.plannerView()[0].sent).toBe(true);
    // The whole Region is out: the next rung is the other Region's.
    expect(nextStep(state.plan, state.plannerView(), T0 + 40_000)).toMatchObject({ rungIndex: R.usw2PrimarySc });
  });
});

describe('MessageState: the end', () => {
  it('a late receipt for an earlier attempt makes later ones needless, and open ones superseded', () => {
    const state = newState({ messageFeedback: true, feedbackGraceMs: 60_000 });
    const first = sent(state, R.use1PrimarySc, 'm-1');
    state.stepTimedOut(first, 30_000, T0 + 30_000);
    const second = sent(state, R.use1Primary10dlc, 'm-2', T0 + 30_000);
    const third = state.startAttempt(step(R.use1SecondarySc), T0 + 40_000);
    state.sendFailed(third, failure('account', 'X', 'refused'), T0 + 40_001);
    state.onDlr(dlr(1, 'm-1', 'DELIVERED'), T0 + 45_000);

    const delivered = state.firstDelivered();
    expect(delivered).toBe(first);
    const status = state.finalStatus('FAILED');
    expect(status).toBe('DELIVERED');
    expect(state.listensForFeedback(status)).toBe(true);
    state.startFeedbackGrace(delivered);
    expect(state.record).toMatchObject({
      status: 'DELIVERED',
      reason: 'delivered by attempt 1; later attempts 2 were sent needlessly; listening for feedback',
    });
    expect(state.feedbackGraceOver()).toBe(false);
    const feedback = state.finish(status, delivered, T0 + 50_000);

    expect(state.record).toMatchObject({
      successfulAttempt: 1,
      needlessAttempts: [2],
      reason: 'delivered by attempt 1; later attempts 2 were sent needlessly',
    });
    expect(second).toMatchObject({ state: 'superseded', finishedAt: T0 + 50_000 });
    expect(third.state).toBe('send-failed');
    expect(feedback.map((f) => [f.attempt.attempt, f.input.messageId, f.input.status])).toEqual([
      [1, 'm-1', 'FAILED'],
      [2, 'm-2', 'FAILED'],
    ]);
    expect(state.close(status, T0 + 51_000)).toMatchObject({ status: 'DELIVERED', finishedAt: T0 + 51_000 });
  });

  it('names the delivering attempt as soon as the feedback window opens, before the message closes', () => {
    const state = newState({ messageFeedback: true, feedbackGraceMs: 300_000 });
    const first = sent(state, R.use1PrimarySc, 'm-1');
    state.onDlr(dlr(1, 'm-1', 'BLOCKED'), T0 + 2_000);
    const second = sent(state, R.use1Primary10dlc, 'm-2', T0 + 2_000);
    state.onDlr(dlr(2, 'm-2', 'DELIVERED', { eventTimestamp: T0 + 3_000 }), T0 + 3_000);

    const delivered = state.firstDelivered();
    expect(delivered).toBe(second);
    expect(state.record.successfulAttempt).toBeUndefined();
    state.startFeedbackGrace(delivered);
    // What the status query answers during the five minutes the workflow still listens.
    expect(state.record).toMatchObject({
      status: 'DELIVERED',
      successfulAttempt: 2,
      needlessAttempts: [],
      reason: 'delivered by attempt 2; listening for feedback',
    });
    expect(state.record.finishedAt).toBeUndefined();
    expect(first.state).toBe('failed');
    // The close says the same.
    state.finish('DELIVERED', delivered, T0 + 303_000);
    expect(state.close('DELIVERED', T0 + 303_000)).toMatchObject({ successfulAttempt: 2, needlessAttempts: [] });
  });

  it('without a delivery, the ladder’s status stands and open attempts are superseded', () => {
    const state = newState();
    const attempt = sent(state, R.use1PrimarySc, 'm-1');
    state.note('every route failed');
    expect(state.finalStatus('STOPPED')).toBe('STOPPED');
    expect(state.finish('STOPPED', undefined, T0 + 9_000)).toEqual([]);
    expect(attempt).toMatchObject({ state: 'superseded', finishedAt: T0 + 9_000 });
    expect(state.record.reason).toBe('every route failed');
    expect(state.record.successfulAttempt).toBeUndefined();
  });
});
