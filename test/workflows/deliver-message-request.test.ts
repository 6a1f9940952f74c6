/**
 * deliverMessage started with the request alone (no plan in the input): the worker resolves the plan with its
 * config through the `resolvePlan` local activity, recorded in the history; a request it cannot resolve ends FAILED
 * with `invalidRequest` and sends nothing. Real Temporal dev server, real activities, the SMS v2 API faked locally.
 * With RECORD_HISTORIES=1 the histories are written to test/workflows/histories (replayed by replay.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { IdempotencyConflictError, ResilientSmsClient } from '../../src/client';
import { configSchema, type Config } from '../../src/domain/config';
import { SMS_CHANNEL, SMS_COUNTRY, SMS_STATUS, SMS_USE_CASE } from '../../src/domain/search-attributes';
import type { StatusRecord } from '../../src/domain/status';
import { CONTEXT_ATTEMPT } from '../../src/domain/sending';
import { dlrSignal, feedbackSignal, statusQuery, WORKFLOW_TYPE } from '../../src/workflows/definitions';
import type { deliverMessage } from '../../src/workflows/deliver-message';
import { createWorker } from '../../src/workers/worker';
import { type RecordedRequest } from '../helpers/sms-v2-endpoint';
import { useWorkflowSuite } from '../helpers/workflow-suite';
import { uniqueTaskQueue } from '../helpers/temporal-env';
import { historyFileText } from '../helpers/history-files';

const suite = useWorkflowSuite();

const DEST = '+14255550156';
const EventType = temporal.api.enums.v1.EventType;

const histories: { name: string; workflowId: string }[] = [];

function makeConfig(): Config {
  return configSchema.parse({
    accounts: { primary: { credentials: { type: 'static', accessKeyId: 'AKIDPRIMARY', secretAccessKey: 'test' } } },
    routes: [
      {
        id: 'primary-use1',
        account: 'primary',
        region: 'us-east-1',
        endpoint: suite.sms.url,
        configurationSet: 'cs-use1',
      },
    ],
    originators: { US: [{ route: 'primary-use1', identity: 'pool-use1-sc', kind: 'pool', type: 'short-code' }] },
    policies: { otp: { stepWait: '20s', deadline: '5m', success: 'dlr-or-feedback', feedbackGrace: '1s' } },
  });
}

async function waitForStatus(handle: WorkflowHandle, done: (s: StatusRecord) => boolean): Promise<StatusRecord> {
  for (let i = 0; i < 300; i++) {
    const s = await handle.query(statusQuery);
    if (done(s)) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out; last status: ${JSON.stringify(await handle.query(statusQuery))}`);
}

/** A worker with the config on its own task queue, and a client with no config at all. */
async function withWorker<T>(fn: (client: ResilientSmsClient, taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = uniqueTaskQueue('request-only');
  const { runUntil, close } = await createWorker({
    config: makeConfig(),
    connection: suite.env.nativeConnection,
    taskQueue,
    workflowBundle: suite.bundle,
  });
  try {
    return await runUntil(() => fn(new ResilientSmsClient(suite.env.client, { taskQueue }), taskQueue));
  } finally {
    close();
  }
}

beforeEach(() => {
  suite.sms.reset();
  suite.sms.on('SendTextMessage', (req: RecordedRequest) => ({
    kind: 'success',
    messageId: `m-${(req.body?.Context as Record<string, string>)[CONTEXT_ATTEMPT]}`,
  }));
});

describe('deliverMessage with the request alone', () => {
  it('resolves the plan on the worker (one recorded local activity) and delivers, for a client without config', async () => {
    const { record, events, handle } = await withWorker(async (client) => {
      const sent = await client.sendMessage({
        destination: DEST,
        body: 'Your code is 123456',
        useCase: 'otp',
        idempotencyKey: `request-${randomUUID()}`,
      });
      histories.push({ name: 'request-only', workflowId: sent.workflowId });
      const h = suite.env.client.workflow.getHandle<typeof deliverMessage>(sent.workflowId);
      const started = await waitForStatus(h, (s) => s.attempts[0]?.state === 'sent');
      expect(started).toMatchObject({ country: 'US', useCase: 'otp', destination: '+1425*****56' });
      const meta = await h.query<{ currentDetails: string }>('__temporal_workflow_metadata');
      expect(meta.currentDetails).toMatch(/\n1\. sms · initial · primary\/us-east-1 · short-code `pool-use1-sc`$/);
      await h.signal(dlrSignal, {
        attempt: 1,
        eventType: 'TEXT_DELIVERED',
        status: 'DELIVERED',
        isFinal: true,
        messageId: 'm-1',
        eventTimestamp: 1_700_000_000_000,
      });
      await h.signal(feedbackSignal, { status: 'RECEIVED' });
      const result = await h.result();
      return { record: result, events: (await h.fetchHistory()).events ?? [], handle: h };
    });
    expect(record.status).toBe('CONFIRMED');
    expect(record.attempts.map((a) => [a.account, a.region, a.originator, a.state])).toEqual([
      ['primary', 'us-east-1', 'pool-use1-sc', 'delivered'],
    ]);
    // The plan is in the history (the local activity's marker), not in the input.
    const types = events.map((e) => e.eventType);
    expect(types.filter((t) => t === EventType.EVENT_TYPE_MARKER_RECORDED)).toHaveLength(1);
    const description = await handle.describe();
    const sa = description.typedSearchAttributes;
    expect([SMS_STATUS, SMS_COUNTRY, SMS_USE_CASE, SMS_CHANNEL].map((k) => sa.get(k as never))).toEqual([
      'CONFIRMED',
      'US',
      'otp',
      'sms',
    ]);
    expect(suite.sms.requestsFor('SendTextMessage')).toHaveLength(1);
  });

  it('ends FAILED with the fields at fault when the worker cannot resolve the request, sending nothing', async () => {
    const record = await withWorker(async (_client, taskQueue) => {
      // What any Temporal client could start: an unknown use case and a number that is not E.164.
      const workflowId = `sms:rejected-${randomUUID()}`;
      const handle = await suite.env.client.workflow.start(WORKFLOW_TYPE, {
        taskQueue,
        workflowId,
        args: [
          { idempotencyKey: workflowId.slice(4), request: { destination: '555-0100', body: 'hi', useCase: 'nope' } },
        ],
      });
      histories.push({ name: 'request-rejected', workflowId });
      return (await handle.result()) as StatusRecord;
    });
    expect(record.status).toBe('FAILED');
    expect(record.reason).toMatch(/^request rejected, nothing was sent: invalid message request: /);
    expect(record.invalidRequest?.map((i) => i.path).sort()).toEqual(['request.destination']);
    expect(record.attempts).toEqual([]);
    expect(suite.sms.requestsFor('SendTextMessage')).toHaveLength(0);
  });

  it('ends FAILED naming the use case when the request is well formed but the use case is unknown', async () => {
    const record = await withWorker(async (client) => {
      const sent = await client.sendMessage({ destination: DEST, body: 'hi', useCase: 'nope' });
      return client.waitForOutcome(sent.idempotencyKey);
    });
    expect(record).toMatchObject({ status: 'FAILED', destination: '+1425*****56', useCase: 'nope' });
    expect(record.invalidRequest).toEqual([
      { path: 'request.useCase', message: 'unknown use case "nope" (configured: otp)' },
    ]);
    expect(suite.sms.requestsFor('SendTextMessage')).toHaveLength(0);
  });

  it('keeps one key one message without a plan in the input: the same request joins, another conflicts', async () => {
    await withWorker(async (client) => {
      const request = { destination: DEST, body: 'Your code is 654321', useCase: 'otp', idempotencyKey: randomUUID() };
      const first = await client.sendMessage(request);
      expect(first.started).toBe(true);
      expect((await client.sendMessage({ ...request, destination: ' +14255550156 ' })).started).toBe(false);
      await expect(client.sendMessage({ ...request, body: 'Your code is 000000' })).rejects.toThrow(
        IdempotencyConflictError,
      );
      await expect(client.sendMessage({ ...request, body: 'Your code is 000000' })).rejects.toThrow(/\bbody\b/);
      await client.cancel(first.idempotencyKey, 'test over');
      await client.waitForOutcome(first.idempotencyKey);
    });
  });

  it('replays every history recorded above without the worker or its config (the plan is in the history)', async () => {
    expect(histories.length).toBe(2);
    const collected = await Promise.all(
      histories.map(async ({ name, workflowId }) => ({
        name,
        workflowId,
        history: await suite.env.client.workflow.getHandle(workflowId).fetchHistory(),
      })),
    );
    if (process.env.RECORD_HISTORIES) {
      const dir = join(__dirname, 'histories');
      mkdirSync(dir, { recursive: true });
      for (const { name, history } of collected) writeFileSync(join(dir, `${name}.json`), historyFileText(history));
    }
    for await (const result of Worker.runReplayHistories({ workflowBundle: suite.bundle }, collected)) {
      expect({ id: result.workflowId, error: result.error?.message }).toEqual({
        id: result.workflowId,
        error: undefined,
      });
    }
  });
});
