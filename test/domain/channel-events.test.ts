/**
 * The parsers of the alternate channels' receipts (src/domain/whatsapp-event.ts, src/domain/ses-event.ts) and how
 * the DLR body parser recognises them by shape, raw or in the SNS envelope.
 */
import { parseDlrMessageBody } from '../../src/domain/dlr-parse';
import { numberTag } from '../../src/domain/number-tag';
import { decodeSesTag, parseSesEvent } from '../../src/domain/ses-event';
import { parseWhatsAppEvent } from '../../src/domain/whatsapp-event';
import { encodeTagValue } from '../../src/activities/email';
import {
  SES_MESSAGE_ID,
  SES_WORKFLOW_ID,
  WA_RECIPIENT,
  WA_WORKFLOW_ID,
  WAMID,
  sesEvent,
  whatsAppEvent,
  whatsAppStatusEntry,
} from '../helpers/channel-event-fixtures';

const envelope = (event: unknown) =>
  JSON.stringify({
    Type: 'Notification',
    MessageId: 'm-1',
    TopicArn: 'arn:aws:sns:us-east-1:1:t',
    Message: JSON.stringify(event),
  });

describe('parseWhatsAppEvent', () => {
  test.each([
    ['sent', 'WHATSAPP_SENT', 'SENT', false],
    ['delivered', 'WHATSAPP_DELIVERED', 'DELIVERED', true],
    ['read', 'WHATSAPP_READ', 'READ', true],
  ])('status %s -> %s', (status, eventType, signalStatus, isFinal) => {
    const r = parseWhatsAppEvent(whatsAppEvent(whatsAppStatusEntry({ status })));
    expect(r).toEqual({
      kind: 'signal',
      workflowId: WA_WORKFLOW_ID,
      signal: {
        attempt: 2,
        eventType,
        status: signalStatus,
        isFinal,
        messageId: `wa-${numberTag(WA_WORKFLOW_ID, WAMID)}`,
        eventTimestamp: 1749416383000,
        destinationTag: numberTag(WA_WORKFLOW_ID, `+${WA_RECIPIENT}`),
        channel: 'whatsapp',
      },
    });
  });

  test('failed carries Meta’s error code and title, and never the number', () => {
    const errors = [{ code: 131026, title: 'Message undeliverable', message: 'Message undeliverable' }];
    const r = parseWhatsAppEvent(whatsAppEvent(whatsAppStatusEntry({ status: 'failed', errors })));
    expect(r).toMatchObject({
      kind: 'signal',
      signal: {
        eventType: 'WHATSAPP_FAILED',
        status: 'FAILED',
        isFinal: true,
        description: '131026: Message undeliverable',
      },
    });
    expect(JSON.stringify(r)).not.toContain(WA_RECIPIENT);
  });

  test.each([
    [
      'an incoming message',
      { id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', messages: [{}] } }] },
      /without statuses \(fields: messages\)/,
    ],
    ['a status of another sender', whatsAppStatusEntry({ callback: null }), /without our biz_opaque_callback_data/],
    [
      'a callback that is not ours',
      whatsAppStatusEntry({ callback: 'order-77' }),
      /without our biz_opaque_callback_data/,
    ],
    ['a status Meta may add', whatsAppStatusEntry({ status: 'deleted' }), /status "deleted" settles nothing/],
  ])('%s is ignored (acknowledged, counted)', (_what, entry, why) => {
    const r = parseWhatsAppEvent(whatsAppEvent(entry));
    expect(r).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(why) });
  });

  test.each([
    ['an entry that is not JSON', '{"id":', /not JSON/],
    ['an entry that is an array', '[]', /not a JSON object/],
    ['changes missing', { id: '1' }, /changes is not an array/],
    ['statuses not an array', { id: '1', changes: [{ value: { statuses: {} } }] }, /statuses is not an array/],
    ['two statuses', whatsAppStatusEntry({ extraStatuses: [{}] }), /carries 2 statuses; one per event/],
    ['a timestamp that is not Unix seconds', whatsAppStatusEntry({ timestamp: 'yesterday' }), /Unix seconds/],
    ['a recipient that is not a number', whatsAppStatusEntry({ recipient: 'someone' }), /recipient_id/],
    [
      'our callback with a bad attempt',
      whatsAppStatusEntry({ callback: JSON.stringify({ 'rsms-workflow-id': 'w', 'rsms-attempt': '0' }) }),
      /rsms-attempt is not a positive integer/,
    ],
  ])('%s is malformed', (_what, entry, why) => {
    const r = parseWhatsAppEvent(whatsAppEvent(entry));
    expect(r).toMatchObject({ kind: 'malformed', error: expect.stringMatching(why) });
  });
});

describe('parseSesEvent', () => {
  test.each([
    ['Send', {}, 'EMAIL_SEND', 'SENT', false],
    ['DeliveryDelay', { delayType: 'MailboxFull' }, 'EMAIL_DELIVERY_DELAY', 'DELAYED', false],
    ['Delivery', { smtpResponse: '250 ok' }, 'EMAIL_DELIVERY', 'DELIVERED', true],
    ['Open', { userAgent: 'x' }, 'EMAIL_OPEN', 'OPENED', true],
    ['Bounce', { bounceType: 'Permanent', bounceSubType: 'NoEmail' }, 'EMAIL_BOUNCE', 'BOUNCE_PERMANENT', true],
    ['Bounce', { bounceType: 'Transient', bounceSubType: 'MailboxFull' }, 'EMAIL_BOUNCE', 'BOUNCE_TRANSIENT', true],
    ['Complaint', { complaintFeedbackType: 'abuse' }, 'EMAIL_COMPLAINT', 'COMPLAINT', true],
    ['Reject', { reason: 'Bad content' }, 'EMAIL_REJECT', 'REJECTED', true],
    [
      'Rendering Failure',
      { templateName: 'otp', errorMessage: 'Attribute code missing' },
      'EMAIL_RENDERING_FAILURE',
      'RENDERING_FAILURE',
      true,
    ],
  ])('%s -> %s %s', (type, object, eventType, status, isFinal) => {
    const r = parseSesEvent(sesEvent(type, object));
    expect(r).toMatchObject({
      kind: 'signal',
      workflowId: SES_WORKFLOW_ID,
      signal: {
        attempt: 3,
        eventType,
        status,
        isFinal,
        messageId: SES_MESSAGE_ID,
        channel: 'email',
        eventTimestamp: Date.parse('2026-11-30T20:00:02.000Z'),
      },
    });
    expect(JSON.stringify(r)).not.toContain('someone@example.org');
  });

  test('a bounce says its type and sub-type', () => {
    const r = parseSesEvent(sesEvent('Bounce', { bounceType: 'Permanent', bounceSubType: 'NoEmail' }));
    expect(r).toMatchObject({ signal: { description: 'Permanent bounce (NoEmail)' } });
  });

  test.each([
    ['Click', sesEvent('Click'), /"Click" settles nothing$/],
    ['Subscription', sesEvent('Subscription'), /"Subscription" settles nothing$/],
    ['an event type SES may add', sesEvent('Teleport'), /"Teleport" settles nothing \(not known\)/],
    ['mail of another sender', sesEvent('Delivery', {}, {}), /without the rsms-workflow-id tag/],
    ['mail without tags', sesEvent('Delivery', {}, null), /without mail.tags/],
  ])('%s is ignored', (_what, event, why) => {
    expect(parseSesEvent(event)).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(why) });
  });

  test.each([
    [
      'an undecodable workflow id tag',
      sesEvent('Delivery', {}, { 'rsms-workflow-id': ['sha256-ab'], 'rsms-attempt': ['1'] }),
      /cannot be decoded/,
    ],
    [
      'no attempt tag',
      sesEvent('Delivery', {}, { 'rsms-workflow-id': ['w-1'] }),
      /rsms-attempt is not a positive integer/,
    ],
    [
      'a bad message id',
      { ...sesEvent('Delivery'), mail: { ...(sesEvent('Delivery').mail as object), messageId: 42 } },
      /mail.messageId is not a string/,
    ],
    [
      'no time anywhere',
      { ...sesEvent('Delivery'), delivery: {}, mail: { ...(sesEvent('Delivery').mail as object), timestamp: 'soon' } },
      /ISO 8601/,
    ],
    ['a bounce object that is an array', { ...sesEvent('Bounce'), bounce: [] }, /bounce is not an object/],
  ])('%s is malformed', (_what, event, why) => {
    expect(parseSesEvent(event)).toMatchObject({
      kind: 'malformed',
      error: expect.stringMatching(why),
    });
  });

  test('decodeSesTag inverts the activity’s encodeTagValue', () => {
    for (const id of ['msg-42', 'otp:login.42', 'ümlaut/ü_x', 'a_b']) expect(decodeSesTag(encodeTagValue(id))).toBe(id);
    expect(decodeSesTag('has space')).toBeUndefined();
  });
});

describe('parseDlrMessageBody recognises channel receipts by shape', () => {
  test.each([
    ['raw', (e: unknown) => JSON.stringify(e)],
    ['in the SNS envelope', envelope],
  ])('a WhatsApp status and an SES event, %s', (how, wrap) => {
    const wa = parseDlrMessageBody(wrap(whatsAppEvent(whatsAppStatusEntry())));
    expect(wa).toMatchObject({
      ok: true,
      workflowId: WA_WORKFLOW_ID,
      signal: { channel: 'whatsapp', eventType: 'WHATSAPP_DELIVERED' },
    });
    const ses = parseDlrMessageBody(wrap(sesEvent('Bounce', { bounceType: 'Permanent' })));
    expect(ses).toMatchObject({
      ok: true,
      workflowId: SES_WORKFLOW_ID,
      signal: { channel: 'email', status: 'BOUNCE_PERMANENT' },
    });
    if (how !== 'raw') expect(ses).toMatchObject({ envelope: { TopicArn: 'arn:aws:sns:us-east-1:1:t' } });
  });

  test('an ignored event keeps its envelope (its signature is still checked) and is not malformed', () => {
    const r = parseDlrMessageBody(envelope(sesEvent('Click')));
    expect(r).toMatchObject({
      ok: false,
      ignored: true,
      error: expect.stringMatching(/Click/),
      envelope: { MessageId: 'm-1' },
    });
  });

  test('a malformed channel event is an error naming where, never quoting the body', () => {
    const r = parseDlrMessageBody(envelope(whatsAppEvent(whatsAppStatusEntry({ recipient: 'x', timestamp: 'never' }))));
    expect(r).toEqual({
      ok: false,
      error: expect.stringMatching(/^event \(in the SNS envelope\): WhatsApp status timestamp/),
    });
    expect(JSON.stringify(r)).not.toContain(WA_RECIPIENT);
  });
});
