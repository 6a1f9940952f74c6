/**
 * The simulator's WhatsApp statuses on the wire: the REAL End User Messaging Social client sends a template message
 * (as the activity builds it), the simulator publishes Meta's statuses in AWS's event shape to the SNS topic of the
 * sending account × Region on moto, and the subscribed SQS queue (enveloped and raw) delivers them; each body is
 * parsed by the ingester's own parser into the workflow's receipt signal.
 */
import '../helpers/cross-realm-errors';
import { SendWhatsAppMessageCommand, SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { whatsAppTemplateMessage } from '../../src/activities/whatsapp';
import type { DlrSignal } from '../../src/domain/delivery-event';
import { numberTag } from '../../src/domain/number-tag';
import { admin, KEYS, receiveSignals, startPublishingStack, type PublishingStack } from './harness';

const DEST = '+447700900456';
const PHONE_ID = 'phone-number-id-0123456789abcdef0123456789abcdef';

let stack: PublishingStack;
const clients: Array<{ destroy(): void }> = [];

beforeAll(async () => {
  stack = await startPublishingStack({ deliveryDelayMs: 100 });
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.destroy();
  await stack?.stop();
});

async function sendWhatsApp(region: string, workflowId: string): Promise<string> {
  const client = new SocialMessagingClient({
    region,
    endpoint: stack.sim.url,
    credentials: KEYS.primary,
    maxAttempts: 1,
  });
  clients.push(client);
  const message = whatsAppTemplateMessage({
    workflowId,
    attempt: 3,
    target: { channel: 'whatsapp', account: 'primary', region },
    originationPhoneNumberId: PHONE_ID,
    destination: DEST,
    templateName: 'otp_code',
    templateLanguage: 'en_US',
    parameters: ['583920'],
    metaApiVersion: 'v20.0',
  });
  const out = await client.send(
    new SendWhatsAppMessageCommand({
      originationPhoneNumberId: PHONE_ID,
      metaApiVersion: 'v20.0',
      message: new TextEncoder().encode(JSON.stringify(message)),
    }),
  );
  return out.messageId!;
}

/** The receipt signals of `workflowId` from primary's DLR queue in `region` (enveloped in one, raw in the other). */
function signalsOf(region: string, workflowId: string, count: number): Promise<DlrSignal[]> {
  return receiveSignals(stack.moto.endpoint, stack.queue('primary', region), workflowId, count);
}

it.each(['us-east-1', 'us-west-2'])(
  'an accepted message: sent, delivered, read reach the queue in %s',
  async (region) => {
    const workflowId = `alert:wa-${region}`;
    await sendWhatsApp(region, workflowId);
    const signals = await signalsOf(region, workflowId, 3);
    expect(signals.map((s) => [s.eventType, s.isFinal])).toEqual([
      ['WHATSAPP_SENT', false],
      ['WHATSAPP_DELIVERED', true],
      ['WHATSAPP_READ', true],
    ]);
    for (const s of signals) {
      expect(s).toMatchObject({ attempt: 3, channel: 'whatsapp', destinationTag: numberTag(workflowId, DEST) });
    }
  },
);

it('a recipient not on WhatsApp (fault opted-out): accepted, then failed with Meta’s 131026', async () => {
  const res = await admin(stack.sim.url, 'POST', '/_sim/faults', {
    match: { operation: 'SendWhatsAppMessage' },
    effect: { api: 'opted-out' },
    count: 1,
  });
  expect(res.status).toBe(201);
  const workflowId = 'alert:wa-not-on-whatsapp';
  expect(await sendWhatsApp('us-east-1', workflowId)).toEqual(expect.any(String));
  const signals = await signalsOf('us-east-1', workflowId, 2);
  expect(signals.map((s) => [s.eventType, s.description])).toEqual([
    ['WHATSAPP_SENT', undefined],
    ['WHATSAPP_FAILED', '131026: Message undeliverable'],
  ]);
});
