/**
 * Status webhooks end to end on a real Temporal dev server: the real worker (workflows, activities, webhook keys
 * from the environment), the AWS SDK against a local SMS v2 endpoint, and a real HTTP receiver in this process that
 * verifies every signature and drops duplicates by delivery id (test/helpers/webhook-receiver.ts). Receipts are
 * signalled as the DLR ingester does.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { ResilientSmsClient } from '../../src/client';
import type { SendRequestInput } from '../../src/domain/resolve';
import { configSchema, type Config } from '../../src/domain/config';
import type { DlrSignal } from '../../src/domain/delivery-event';
import { CONTEXT_ATTEMPT } from '../../src/domain/sending';
import type { StatusRecord } from '../../src/domain/status';
import type { WebhookDeliveryResult } from '../../src/domain/webhook';
import { dlrSignal, statusQuery } from '../../src/workflows/definitions';
import type { deliverMessage } from '../../src/workflows/deliver-message';
import type { deliverWebhook } from '../../src/workflows/webhook-delivery';
import { createWorker, workflowsPath } from '../../src/workers/worker';
import { startSmsV2Endpoint, type RecordedRequest, type SmsV2Endpoint } from '../helpers/sms-v2-endpoint';
import { connectTestEnv, uniqueTaskQueue, SILENT_BUNDLER_LOGGER } from '../helpers/temporal-env';
import { historyFileText } from '../helpers/history-files';
import { freePort, startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

const DEST = '+14255550156';
const BODY = 'Your code is 123456';
const K1 = 'old-webhook-secret-0123456789abcdef012345';
const K2 = 'new-webhook-secret-fedcba9876543210fedcba';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let sms: SmsV2Endpoint;
const receivers: WebhookReceiver[] = [];

function makeConfig(webhook: Record<string, unknown>): Config {
  return configSchema.parse({
    accounts: { primary: { credentials: { type: 'static', accessKeyId: 'AKIDPRIMARY', secretAccessKey: 'test' } } },
    routes: [{ id: 'use1', account: 'primary', region: 'us-east-1', endpoint: sms.url, configurationSet: 'cs' }],
    originators: {
      US: [
        { route: 'use1', identity: 'pool-a', kind: 'pool', type: 'short-code' },
        { route: 'use1', identity: 'pool-b', kind: 'pool', type: '10dlc' },
      ],
    },
    policies: {
      otp: {
        stepWait: '30s',
        deadline: '5m',
        webhook: {
          signingKeyId: 'k2',
          keys: [
            { id: 'k2', env: 'RSMS_TEST_WEBHOOK_K2' },
            { id: 'k1', env: 'RSMS_TEST_WEBHOOK_K1' },
          ],
          timeout: '2s',
          retryFor: '5m',
          ...webhook,
        },
      },
    },
  });
}

function dlr(attempt: number, status: string): DlrSignal {
  return {
    attempt,
    eventType: `TEXT_${status}`,
    status,
    isFinal: true,
    messageId: `m-${attempt}`,
    eventTimestamp: 1_700_000_000_000 + attempt,
  };
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function attemptSent(handle: WorkflowHandle, n: number): Promise<StatusRecord> {
  return until(`attempt ${n} sent`, async () => {
    const s = await handle.query(statusQuery);
    return s.attempts[n - 1]?.state === 'sent' ? s : undefined;
  });
}

async function withWorker<T>(
  config: Config,
  fn: (send: (request?: Partial<SendRequestInput>) => Promise<WorkflowHandle<typeof deliverMessage>>) => Promise<T>,
): Promise<T> {
  const taskQueue = uniqueTaskQueue('webhooks');
  const { runUntil, close } = await createWorker({
    config,
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
  });
  const client = new ResilientSmsClient(config, env.client, { taskQueue });
  const send = async (request: Partial<SendRequestInput> = {}) => {
    const { workflowId } = await client.sendMessage({
      destination: DEST,
      body: BODY,
      useCase: 'otp',
      idempotencyKey: `webhooks-${randomUUID()}`,
      ...request,
    });
    return env.client.workflow.getHandle<typeof deliverMessage>(workflowId);
  };
  try {
    return await runUntil(() => fn(send));
  } finally {
    close();
  }
}

function webhookHandle(workflowId: string, name: string): WorkflowHandle<typeof deliverWebhook> {
  return env.client.workflow.getHandle<typeof deliverWebhook>(`webhook:${workflowId}:${name}`);
}

/** A history with every payload decoded to text (bytes, or base64 in JSON form), to look for what must never be there. */
async function historyText(handle: WorkflowHandle): Promise<string> {
  const history = await handle.fetchHistory();
  return JSON.stringify(history, (key, v: unknown) => {
    if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
    return key === 'data' && typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : v;
  });
}

/**
 * With RECORD_HISTORIES=1, the message's history goes to test/workflows/histories, which
 * test/workflows/replay.test.ts replays on every run: later workflow changes must keep webhook messages replayable.
 */
async function record(name: string, handle: WorkflowHandle): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const file = join(__dirname, '../workflows/histories', `${name}.json`);
  writeFileSync(file, historyFileText(await handle.fetchHistory()));
}

beforeAll(async () => {
  process.env.RSMS_TEST_WEBHOOK_K1 = K1;
  process.env.RSMS_TEST_WEBHOOK_K2 = K2;
  env = await connectTestEnv();
  sms = await startSmsV2Endpoint();
  sms.on('SendTextMessage', (req: RecordedRequest) => {
    const attempt = (req.body?.Context as Record<string, string>)[CONTEXT_ATTEMPT];
    return { kind: 'success', messageId: `m-${attempt}` };
  });
  bundle = await bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    logger: SILENT_BUNDLER_LOGGER,
  });
}, 180_000);

afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await sms?.close();
  await env?.teardown();
});

describe('status webhooks', () => {
  it('notifies each escalation and the final status: signed with the signing key, masked, no body, no secret in history', async () => {
    const receiver = await startWebhookReceiver({ k1: K1, k2: K2 });
    receivers.push(receiver);
    const config = makeConfig({ url: receiver.url, events: 'every-escalation' });
    const { handle, result } = await withWorker(config, async (send) => {
      const handle = await send();
      await attemptSent(handle, 1);
      await handle.signal(dlrSignal, dlr(1, 'CARRIER_BLOCKED'));
      await attemptSent(handle, 2);
      await handle.signal(dlrSignal, dlr(2, 'DELIVERED'));
      const result = await handle.result();
      await until('two notifications', () => (receiver.deliveries.length >= 2 ? true : undefined));
      await webhookHandle(handle.workflowId, 'final').result();
      return { handle, result };
    });
    expect(result.status).toBe('DELIVERED');
    expect(receiver.requests.map((r) => [r.refused, r.keyId, r.status])).toEqual([
      [undefined, 'k2', 200],
      [undefined, 'k2', 200],
    ]);
    const [escalated, final] = receiver.deliveries;
    expect(receiver.requests.map((r) => r.deliveryIdHeader)).toEqual([escalated.id, final.id]);
    expect(escalated).toMatchObject({ type: 'message.escalated', attempt: 2 });
    expect(escalated.status.attempts.map((a) => [a.originator, a.level])).toEqual([
      ['pool-a', 'initial'],
      ['pool-b', 'originator'],
    ]);
    expect(final).toMatchObject({
      type: 'message.final',
      message: { idempotencyKey: result.idempotencyKey, workflowId: handle.workflowId, useCase: 'otp' },
      status: { status: 'DELIVERED', destination: '+1425*****56', successfulAttempt: 2 },
    });
    expect(final.status).toEqual(result);
    expect(escalated.id).not.toBe(final.id);
    const sent = JSON.stringify(receiver.deliveries);
    expect(sent).not.toContain(BODY);
    expect(sent).not.toContain(DEST);
    for (const h of [
      handle,
      webhookHandle(handle.workflowId, 'final'),
      webhookHandle(handle.workflowId, 'attempt-2'),
    ]) {
      const text = await historyText(h);
      // Booleans, so that a failure does not print the whole history.
      expect({ k1: text.includes(K1), k2: text.includes(K2) }).toEqual({ k1: false, k2: false });
      expect(/keyId[\\"]+:[\\"]+k2/.test(text)).toBe(true); // the key's id is all they hold
    }
    // The message's history (with its two child starts) replays with the current workflow code.
    await Worker.runReplayHistory({ workflowBundle: bundle }, await handle.fetchHistory(), handle.workflowId);
    await record('webhooks-escalation', handle);
  });

  it('a receiver that is down for a while still gets exactly one logical delivery, and the message ends regardless', async () => {
    const port = await freePort();
    const config = makeConfig({ url: `http://127.0.0.1:${port}/sms-status` });
    let receiver: WebhookReceiver | undefined;
    const { result, delivery, whileDown } = await withWorker(config, async (send) => {
      const handle = await send();
      await attemptSent(handle, 1);
      await handle.signal(dlrSignal, dlr(1, 'DELIVERED'));
      // The message ends while nothing listens on the receiver's port.
      const result = await handle.result();
      await record('webhooks-receiver-down', handle);
      const child = webhookHandle(handle.workflowId, 'final');
      // Its notification is still being retried: the connection was refused at least twice.
      const whileDown = await until('two refused attempts', async () => {
        const d = await child.describe();
        const pending = d.raw.pendingActivities?.[0];
        return pending && (pending.attempt ?? 0) >= 2
          ? { status: d.status.name, failure: pending.lastFailure?.message }
          : undefined;
      });
      // The receiver comes up; it processes the first request but its answer is lost (500), so it gets a retry.
      receiver = await startWebhookReceiver({ k2: K2 }, port);
      receivers.push(receiver);
      receiver.answer = (_event, n) => (n === 1 ? 500 : 200);
      return { result, delivery: await child.result(), whileDown };
    });
    expect(result.status).toBe('DELIVERED');
    expect(whileDown).toEqual({ status: 'RUNNING', failure: expect.stringContaining('ECONNREFUSED') });
    expect(delivery).toEqual<WebhookDeliveryResult>({
      deliveryId: expect.any(String),
      outcome: 'delivered',
      httpStatus: 200,
    });
    const r = receiver!;
    expect(r.requests.map((q) => [q.refused, q.status])).toEqual([
      [undefined, 500],
      [undefined, 200],
    ]);
    expect(r.requests.map((q) => q.event?.id)).toEqual([delivery.deliveryId, delivery.deliveryId]);
    expect(r.deliveries).toHaveLength(1);
    expect(r.deliveries[0]).toMatchObject({ type: 'message.final', status: { status: 'DELIVERED' } });
  });

  it("a request's own URL is notified instead; a receiver that refuses (401) is not retried, and the message is unaffected", async () => {
    const useCaseReceiver = await startWebhookReceiver({ k2: K2 });
    const wrongKeys = await startWebhookReceiver({ k2: 'a-secret-this-receiver-got-wrong-0000000' });
    receivers.push(useCaseReceiver, wrongKeys);
    const config = makeConfig({ url: useCaseReceiver.url });
    const { result, delivery } = await withWorker(config, async (send) => {
      const handle = await send({ webhook: { url: wrongKeys.url } });
      await attemptSent(handle, 1);
      await handle.signal(dlrSignal, dlr(1, 'DELIVERED'));
      const result = await handle.result();
      return { result, delivery: await webhookHandle(handle.workflowId, 'final').result() };
    });
    expect(result.status).toBe('DELIVERED');
    expect(delivery).toMatchObject({ outcome: 'rejected', httpStatus: 401 });
    expect(delivery.detail).toContain('answered HTTP 401; not retried');
    expect(wrongKeys.requests.map((q) => [q.refused, q.status])).toEqual([['bad-signature', 401]]);
    expect(useCaseReceiver.requests).toHaveLength(0);
  });
});
