/**
 * One received channel receipt through the ingester's `ReceiptHandler`, with the queue, the signature check and
 * Temporal stubbed (no server): a WhatsApp status or SES event of ours is signalled with its queue of origin; an event
 * that settles nothing is acknowledged only after its signature holds, counted and logged; a malformed one is left
 * for the dead-letter queue.
 */
import type { Message } from '@aws-sdk/client-sqs';
import { configSchema } from '../../src/domain/config';
import type { DlrQueue, Entry } from '../../src/ingester/dlr-queue';
import { emptyStats, ingesterSettings, type IngesterContext } from '../../src/ingester/options';
import { ReceiptHandler } from '../../src/ingester/receipt';
import { sesEvent, whatsAppEvent, whatsAppStatusEntry, WA_WORKFLOW_ID } from '../helpers/channel-event-fixtures';

const queueConfig = {
  account: 'primary',
  region: 'us-east-1',
  queueUrl: 'https://sqs.us-east-1.amazonaws.com/111111111111/rsms-dlr',
  topicArn: 'arn:aws:sns:us-east-1:111111111111:rsms-events',
  rawDelivery: true,
};

function setup(signatureOk = true) {
  const signals: Array<{ workflowId: string; payload: unknown }> = [];
  const logs: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
  const shortened: number[] = [];
  const config = configSchema.parse({
    accounts: { primary: { credentials: { type: 'default' } } },
    routes: [{ id: 'r1', account: 'primary', region: 'us-east-1' }],
    originators: { US: [{ route: 'r1', identity: 'pool-1', type: 'long-code' }] },
    policies: { otp: {} },
    dlrQueues: [queueConfig],
  });
  const ctx = {
    config,
    settings: ingesterSettings({} as never),
    stats: emptyStats(),
    log: (level: string, msg: string, fields?: Record<string, unknown>) => logs.push({ level, msg, fields }),
    shutdown: { stopping: false, sleep: async () => {} },
    client: {
      workflow: {
        getHandle: (workflowId: string) => ({
          signal: (_def: unknown, payload: unknown) => {
            signals.push({ workflowId, payload });
            return Promise.resolve();
          },
        }),
      },
    },
    signatures: {
      check: () =>
        Promise.resolve(
          signatureOk ? { ok: true } : { ok: false, transient: false, reason: 'signature', error: 'bad signature' },
        ),
    },
    sqsClientFor: () => undefined,
  } as unknown as IngesterContext;
  const queue = {
    config: config.dlrQueues[0],
    label: 'primary/us-east-1/rsms-dlr',
    shortenVisibility: (_m: Message, seconds: number) => {
      shortened.push(seconds);
      return Promise.resolve();
    },
  } as unknown as DlrQueue;
  const handler = new ReceiptHandler(queue, ctx);
  const lease = { activate: async () => {}, stop: () => {} };
  async function handle(event: unknown): Promise<Entry> {
    const entry: Entry = { message: { MessageId: 'sqs-1', Body: JSON.stringify(event) }, outcome: 'keep' };
    await handler.handle(entry, lease);
    return entry;
  }
  return { handle, signals, logs, stats: ctx.stats, shortened };
}

test('a WhatsApp delivered status is signalled, with its queue of origin and its channel', async () => {
  const t = setup();
  const entry = await t.handle(whatsAppEvent(whatsAppStatusEntry({ status: 'delivered' })));
  expect(entry.outcome).toBe('delete');
  expect(t.signals).toEqual([
    {
      workflowId: WA_WORKFLOW_ID,
      payload: expect.objectContaining({
        attempt: 2,
        eventType: 'WHATSAPP_DELIVERED',
        channel: 'whatsapp',
        origin: { account: 'primary', region: 'us-east-1' },
      }),
    },
  ]);
});

test('an SES Bounce is signalled; the intermediate Send is acknowledged unsignalled (final-only)', async () => {
  const t = setup();
  expect((await t.handle(sesEvent('Bounce', { bounceType: 'Permanent' }))).outcome).toBe('delete');
  expect((await t.handle(sesEvent('Send'))).outcome).toBe('delete');
  expect(t.signals.map((s) => (s.payload as { eventType: string }).eventType)).toEqual(['EMAIL_BOUNCE']);
  expect(t.stats.intermediateSkipped).toBe(1);
});

test.each([
  ['an SES Click', sesEvent('Click')],
  [
    'an incoming WhatsApp message',
    whatsAppEvent({ id: '1', changes: [{ field: 'messages', value: { messages: [] } }] }),
  ],
  ['another sender’s status', whatsAppEvent(whatsAppStatusEntry({ callback: null }))],
])('%s is acknowledged without a signal, counted and logged', async (_what, event) => {
  const t = setup();
  const entry = await t.handle(event);
  expect(entry.outcome).toBe('delete');
  expect(t.signals).toEqual([]);
  expect(t.stats.receiptsIgnored).toBe(1);
  expect(t.logs).toContainEqual(
    expect.objectContaining({ level: 'info', msg: expect.stringMatching(/acknowledged without a signal/) }),
  );
});

test('an ignorable event whose signature fails is not acknowledged: rejected to the dead-letter queue', async () => {
  const t = setup(false);
  const entry = await t.handle(sesEvent('Click'));
  expect(entry.outcome).toBe('keep');
  expect(t.stats).toMatchObject({ receiptsIgnored: 0, rejected: 1 });
  expect(t.shortened).toHaveLength(1);
});

test('a malformed WhatsApp event is left for the dead-letter queue and counted', async () => {
  const t = setup();
  const entry = await t.handle(whatsAppEvent('{"id":'));
  expect(entry.outcome).toBe('keep');
  expect(t.stats.poison).toBe(1);
  expect(t.signals).toEqual([]);
});
