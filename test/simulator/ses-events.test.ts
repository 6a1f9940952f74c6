/**
 * The simulator's SES v2 `SendEmail` on the wire: the REAL `@aws-sdk/client-sesv2` client sends (as the email
 * activity does: configuration set, workflow id + attempt as message tags), the simulator publishes SES's
 * event-publishing records to the SNS topic of the sending account × Region on moto, and the subscribed SQS queue
 * delivers them; each body is parsed by the ingester's own parser into the workflow's receipt signal.
 */
import '../helpers/cross-realm-errors';
import { SendEmailCommand, SESv2Client, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { encodeTagValue } from '../../src/activities/email';
import type { DlrSignal } from '../../src/domain/delivery-event';
import { CONTEXT_ATTEMPT, CONTEXT_WORKFLOW_ID } from '../../src/domain/sending';
import { admin, KEYS, receiveSignals, startPublishingStack, type PublishingStack } from './harness';

let stack: PublishingStack;
const clients: Array<{ destroy(): void }> = [];

beforeAll(async () => {
  stack = await startPublishingStack({ deliveryDelayMs: 100 });
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.destroy();
  await stack?.stop();
});

async function sendEmail(workflowId: string): Promise<string> {
  const client = new SESv2Client({
    region: 'us-east-1',
    endpoint: stack.sim.url,
    credentials: KEYS.primary,
    maxAttempts: 1,
  });
  clients.push(client);
  const out = await client.send(
    new SendEmailCommand({
      FromEmailAddress: 'no-reply@example.com',
      Destination: { ToAddresses: ['someone@example.org'] },
      Content: { Simple: { Subject: { Data: 'Code' }, Body: { Text: { Data: 'Your code is 424242' } } } },
      ConfigurationSetName: 'rsms-mail',
      EmailTags: [
        { Name: CONTEXT_WORKFLOW_ID, Value: encodeTagValue(workflowId) },
        { Name: CONTEXT_ATTEMPT, Value: '4' },
      ],
    }),
  );
  return out.MessageId!;
}

/** The receipt signals of `workflowId` from primary/us-east-1's DLR queue. */
async function signalsOf(workflowId: string, count: number): Promise<DlrSignal[]> {
  const signals = await receiveSignals(stack.moto.endpoint, stack.queue('primary', 'us-east-1'), workflowId, count);
  // The simulator publishes Send before the final event, but a standard SQS queue does not keep order: the
  // intermediate event first, as published.
  return signals.sort((a, b) => Number(a.isFinal) - Number(b.isFinal));
}

it('an accepted email: Send, then Delivery, carrying SES’s message id and our tags', async () => {
  const workflowId = 'otp:mail.1';
  const messageId = await sendEmail(workflowId);
  const signals = await signalsOf(workflowId, 2);
  expect(signals.map((s) => [s.eventType, s.status, s.isFinal])).toEqual([
    ['EMAIL_SEND', 'SENT', false],
    ['EMAIL_DELIVERY', 'DELIVERED', true],
  ]);
  for (const s of signals) expect(s).toMatchObject({ attempt: 4, messageId, channel: 'email' });
});

it('a suppressed address (fault opted-out): accepted, then a Permanent Bounce', async () => {
  const res = await admin(stack.sim.url, 'POST', '/_sim/faults', {
    match: { operation: 'SendEmail' },
    effect: { api: 'opted-out' },
    count: 1,
  });
  expect(res.status).toBe(201);
  const workflowId = 'otp:mail.2';
  await sendEmail(workflowId);
  const signals = await signalsOf(workflowId, 2);
  expect(signals.map((s) => [s.eventType, s.status, s.description])).toEqual([
    ['EMAIL_SEND', 'SENT', undefined],
    ['EMAIL_BOUNCE', 'BOUNCE_PERMANENT', 'Permanent bounce (OnAccountSuppressionList)'],
  ]);
});

it('a throttle fault answers as SES does (429 TooManyRequestsException), one request, no events', async () => {
  await admin(stack.sim.url, 'POST', '/_sim/faults', {
    match: { operation: 'SendEmail' },
    effect: { api: 'throttle' },
    count: 1,
  });
  await expect(sendEmail('otp:mail.3')).rejects.toBeInstanceOf(TooManyRequestsException);
  const rejected = stack.sim.state.messages.list({ operation: 'SendEmail', outcome: 'rejected' });
  expect(rejected).toHaveLength(1);
  expect(rejected[0].events).toEqual([]);
});
