/**
 * WhatsApp and email attempts settled by their receipts (src/domain/channel-receipts.ts through MessageState), per
 * the policy's `channelSuccess`, and the ladder moving on after a `failed` status or a bounce. No server: the rules
 * are driven with explicit times; the workflow around them is in deliver-message.test.ts.
 */
import type { DlrSignal } from '../../src/domain/delivery-event';
import { numberTag } from '../../src/domain/number-tag';
import type { ResolvedPolicy, Rung } from '../../src/domain/plan';
import type { DeliverMessageInput } from '../../src/workflows/definitions';
import { withDefaults } from '../../src/workflows/input-compat';
import { MessageState, type SendStep } from '../../src/workflows/message-state';
import { nextStep } from '../../src/workflows/planner';
import { usPlan } from '../helpers/fixtures';

const T0 = 1_700_000_000_000;
const WF = 'alert:key-1';
const DEST = '+14255550156';
/** The request's WhatsApp number (`contacts.whatsapp`), which the WhatsApp attempt is sent to. */
const WA_NUMBER = '+447700900456';

const rung = (channel: 'whatsapp' | 'email'): Rung => ({
  channel,
  routeId: `${channel}:primary/us-east-1`,
  account: 'primary',
  region: 'us-east-1',
  originator: channel === 'email' ? 'no-reply@example.com' : 'phone-number-id-0123',
  originatorType: channel,
  level: 'channel',
});

function setup(policy: Partial<ResolvedPolicy>) {
  const plan = usPlan({ stepWaitMs: 30_000, ambiguousWaitMs: 10_000, deadlineMs: 600_000, ...policy });
  plan.rungs = [rung('whatsapp'), rung('email')];
  const input = {
    idempotencyKey: 'key-1',
    request: {
      destination: DEST,
      body: 'Disk full',
      useCase: 'alert',
      messageType: 'TRANSACTIONAL',
      contacts: { whatsapp: WA_NUMBER, email: 'someone@example.com' },
    },
    plan,
  } as unknown as DeliverMessageInput;
  return new MessageState(withDefaults(input), WF, T0);
}

const step = (rungIndex: number): SendStep => ({ kind: 'send', rungIndex, delayMs: 0, why: `rung ${rungIndex}` });

function send(state: MessageState, rungIndex: number, messageId: string) {
  const attempt = state.startAttempt(step(rungIndex), T0);
  state.sendAccepted(attempt, { messageId, acceptedAt: T0 + 100 });
  return attempt;
}

const origin = { account: 'primary', region: 'us-east-1' };

function wa(attempt: number, status: string, more: Partial<DlrSignal> = {}): DlrSignal {
  return {
    attempt,
    eventType: `WHATSAPP_${status}`,
    status,
    isFinal: status !== 'SENT',
    messageId: 'wa-0123456789abcdef',
    eventTimestamp: T0 + 1_000 + status.length,
    destinationTag: numberTag(WF, WA_NUMBER),
    channel: 'whatsapp',
    origin,
    ...more,
  };
}

function email(attempt: number, eventType: string, status: string, isFinal = true): DlrSignal {
  return {
    attempt,
    eventType,
    status,
    isFinal,
    messageId: 'ses-1',
    eventTimestamp: T0 + 2_000,
    channel: 'email',
    origin,
  };
}

const both = (v: 'accepted' | 'delivered' | 'read') => ({ channelSuccess: { whatsapp: v, email: v } });

describe('channel receipts settle WhatsApp and email attempts', () => {
  test('delivered: the attempt waits after acceptance and the delivered status settles it', () => {
    const state = setup(both('delivered'));
    const a = send(state, 0, 'aws-wa-1');
    expect(a).toMatchObject({ state: 'sent', outcome: 'SENT' });
    expect(state.succeeded()).toBe(false);
    state.onDlr(wa(1, 'SENT'), T0 + 500);
    expect(a.state).toBe('sent');
    state.onDlr(wa(1, 'DELIVERED'), T0 + 1_500);
    expect(a).toMatchObject({ state: 'delivered', outcome: 'DELIVERED', messageId: 'aws-wa-1' });
    expect(state.succeeded()).toBe(true);
    expect(state.finalStatus('FAILED')).toBe('DELIVERED');
  });

  test('failed (not on WhatsApp): the attempt fails at channel scope and the ladder moves to email', () => {
    const state = setup(both('delivered'));
    const a = send(state, 0, 'aws-wa-1');
    state.onDlr(wa(1, 'FAILED', { description: '131026: Message undeliverable' }), T0 + 1_500);
    expect(a).toMatchObject({
      state: 'failed',
      outcome: 'WHATSAPP_FAILED',
      failure: { scope: 'channel', reason: 'WHATSAPP_FAILED_131026' },
    });
    expect(state.attemptFailed(a)).toBe(true);
    const next = nextStep(state.plan, state.plannerView(), T0 + 2_000);
    expect(next).toMatchObject({ kind: 'send', rungIndex: 1 });
  });

  test('an email Bounce fails the attempt and, with no rung left, the ladder ends FAILED', () => {
    const state = setup(both('delivered'));
    send(state, 0, 'aws-wa-1');
    state.onDlr(wa(1, 'FAILED', { description: '131026: Message undeliverable' }), T0 + 1_500);
    const mail = send(state, 1, 'ses-1');
    expect(mail.state).toBe('sent');
    state.onDlr(email(2, 'EMAIL_BOUNCE', 'BOUNCE_PERMANENT'), T0 + 3_000);
    expect(mail).toMatchObject({ state: 'failed', failure: { scope: 'channel', reason: 'EMAIL_BOUNCE_PERMANENT' } });
    expect(nextStep(state.plan, state.plannerView(), T0 + 4_000)).toMatchObject({ kind: 'stop', status: 'FAILED' });
  });

  test('read as success: delivered is only a step; read settles it', () => {
    const state = setup(both('read'));
    const a = send(state, 0, 'aws-wa-1');
    state.onDlr(wa(1, 'DELIVERED'), T0 + 1_000);
    expect(a.state).toBe('sent');
    expect(state.succeeded()).toBe(false);
    state.onDlr(wa(1, 'READ'), T0 + 2_000);
    expect(a).toMatchObject({ state: 'delivered', outcome: 'READ' });

    const mailState = setup(both('read'));
    const m = send(mailState, 1, 'ses-1');
    mailState.onDlr(email(1, 'EMAIL_DELIVERY', 'DELIVERED'), T0 + 1_000);
    expect(m.state).toBe('sent');
    mailState.onDlr(email(1, 'EMAIL_OPEN', 'OPENED'), T0 + 2_000);
    expect(m).toMatchObject({ state: 'delivered', outcome: 'OPENED' });
  });

  test('accepted as success: acceptance delivers; a later failed status changes nothing', () => {
    const state = setup(both('accepted'));
    const a = send(state, 0, 'aws-wa-1');
    expect(a).toMatchObject({ state: 'delivered', outcome: 'ACCEPTED' });
    state.onDlr(wa(1, 'FAILED'), T0 + 1_000);
    expect(a.state).toBe('delivered');
    expect(state.record.duplicateEvents).toBe(1);
  });

  test('a plan recorded before channel receipts keeps acceptance', () => {
    const state = setup({ channelSuccess: undefined });
    expect(send(state, 0, 'aws-wa-1')).toMatchObject({ state: 'delivered', outcome: 'ACCEPTED' });
    expect(state.mayStillGetReceipt()).toBe(false);
  });

  test('a complaint counts as delivered (the mail reached the person): the ladder does not press on', () => {
    const state = setup(both('delivered'));
    const m = send(state, 1, 'ses-1');
    state.onDlr(email(1, 'EMAIL_COMPLAINT', 'COMPLAINT'), T0 + 1_000);
    expect(m).toMatchObject({ state: 'delivered', outcome: 'COMPLAINT' });
  });

  test('an email event with another message id, or a receipt of another channel, is unmatched', () => {
    const state = setup(both('delivered'));
    const m = send(state, 1, 'ses-1');
    state.onDlr({ ...email(1, 'EMAIL_DELIVERY', 'DELIVERED'), messageId: 'ses-other' }, T0 + 1_000);
    state.onDlr(wa(1, 'DELIVERED'), T0 + 1_000);
    expect(m.state).toBe('sent');
    expect(state.record.unmatchedEvents).toBe(2);
  });

  test('a WhatsApp status naming another recipient, or from another account’s queue, is rejected', () => {
    const state = setup(both('delivered'));
    const a = send(state, 0, 'aws-wa-1');
    // The SMS destination is not the WhatsApp attempt's recipient.
    expect(state.onDlr(wa(1, 'DELIVERED', { destinationTag: numberTag(WF, DEST) }), T0)).toBe('other-destination');
    expect(state.onDlr(wa(1, 'DELIVERED', { destinationTag: numberTag(WF, '+14255550199') }), T0)).toBe(
      'other-destination',
    );
    expect(state.onDlr(wa(1, 'DELIVERED', { origin: { account: 'secondary', region: 'us-east-1' } }), T0)).toBe(
      'other-queue',
    );
    expect(a.state).toBe('sent');
  });

  test('a WhatsApp attempt still waiting when the ladder ends may get its receipt late', () => {
    const state = setup(both('delivered'));
    const a = send(state, 0, 'aws-wa-1');
    state.stepTimedOut(a, 30_000, T0 + 30_000);
    expect(state.mayStillGetReceipt()).toBe(true);
    state.onDlr(wa(1, 'DELIVERED'), T0 + 40_000);
    expect(state.succeeded()).toBe(true);
  });
});
