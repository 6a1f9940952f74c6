/**
 * What is true about a message whatever state its workflow is in, on the real Temporal dev server with the real
 * worker, over the HTTP API, the typed client and the CLI (run in-process, exit codes included):
 * - a workflow terminated by an operator (`temporal workflow terminate`) reads ABORTED with how it closed and the
 *   last known record (the status query replays the closed history), also with no worker left to replay it, and
 *   waiting for its outcome answers that record;
 * - feedback and cancel on a message that has ended answer 409 / exit 3 with its status, not "not found";
 * - status, feedback and cancel take the workflow id (`sms:<key>`) as well as the key;
 * - an idempotency key reused for a different request answers 409 / exit 3 naming the fields (no values), while
 *   the same request still answers the existing message; the stored request is read from the encrypted input.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { startApi } from '../../src/api/main';
import { IdempotencyConflictError, MessageEndedError, ResilientSmsClient } from '../../src/client';
import { main } from '../../src/cli/main';
import { dataConverterFor, failureConverterPath } from '../../src/codec/data-converter';
import type { RunningServer } from '../../src/codec/server';
import { configSchema, type Config } from '../../src/domain/config';
import type { StatusRecord } from '../../src/domain/status';
import { statusQuery } from '../../src/workflows/definitions';
import { createWorker, workflowsPath } from '../../src/workers/worker';
import { startSmsV2Endpoint, type SmsV2Endpoint } from '../helpers/sms-v2-endpoint';
import { connectTestEnv, uniqueTaskQueue, SILENT_BUNDLER_LOGGER } from '../helpers/temporal-env';

const DEST = '+14255550156';
const BODY = 'Your code is 918273';
const API_KEY = randomBytes(24).toString('hex');
const ENV = { LIFECYCLE_KEY: randomBytes(32).toString('base64'), LIFECYCLE_API_KEY: API_KEY };

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let sms: SmsV2Endpoint;
let api: RunningServer;
let config: Config;
let dir: string;
let configFile: string;

function configInput(taskQueue: string) {
  return {
    temporal: { address: env.address, taskQueue },
    accounts: { primary: { credentials: { type: 'static', accessKeyId: 'AKIDPRIMARY', secretAccessKey: 'test' } } },
    routes: [{ id: 'primary-use1', account: 'primary', region: 'us-east-1', endpoint: sms.url }],
    originators: { US: [{ route: 'primary-use1', identity: 'pool-use1-sc', kind: 'pool', type: 'short-code' }] },
    policies: { otp: { success: 'dlr-or-feedback', messageFeedback: true, stepWait: '5m', deadline: '10m' } },
    security: {
      encryption: { currentKeyId: 'k1', keys: [{ id: 'k1', env: 'LIFECYCLE_KEY' }] },
      api: { keys: [{ id: 'lifecycle', env: 'LIFECYCLE_API_KEY' }] },
    },
  };
}

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function call(method: string, route: string, body?: unknown) {
  const res = await fetch(`${api.url}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${API_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** The CLI in this process: its exit code and what it printed. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await main(['node', 'resilient-sms', '--config', configFile, ...args]);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

function clientFor(): ResilientSmsClient {
  return new ResilientSmsClient(
    config,
    new Client({ connection: env.connection, dataConverter: dataConverterFor(config) }),
  );
}

async function sentMessage(client: ResilientSmsClient, key: string, body = BODY): Promise<string> {
  const sent = await client.sendMessage({ destination: DEST, body, useCase: 'otp', idempotencyKey: key });
  await eventually(`attempt 1 of ${key} sent`, async () => {
    const s = await client.temporal.workflow.getHandle(sent.workflowId).query(statusQuery);
    return s.attempts[0]?.state === 'sent' ? s : undefined;
  });
  return sent.workflowId;
}

beforeAll(async () => {
  Object.assign(process.env, ENV);
  env = await connectTestEnv();
  sms = await startSmsV2Endpoint();
  bundle = await bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    failureConverterPath: failureConverterPath(),
    logger: SILENT_BUNDLER_LOGGER,
  });
  const input = configInput(uniqueTaskQueue('lifecycle'));
  config = configSchema.parse(input);
  dir = mkdtempSync(join(tmpdir(), 'rsms-lifecycle-'));
  configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(input));
  api = await startApi(config, { port: 0, env: { ...process.env, TEMPORAL_ADDRESS: env.address } });
}, 180_000);

afterAll(async () => {
  await api?.close();
  await sms?.close();
  await env?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
  for (const name of Object.keys(ENV)) delete process.env[name];
});

describe('messages whose workflow has closed, on the real server', () => {
  const suffix = randomBytes(4).toString('hex');
  const terminated = `term-${suffix}`;

  it('a terminated message is ABORTED, says so, and refuses feedback and cancel with 409 / exit 3', async () => {
    const { runUntil, close } = await createWorker({
      config,
      connection: env.nativeConnection,
      workflowBundle: bundle,
    });
    try {
      await runUntil(async () => {
        const client = clientFor();
        const workflowId = await sentMessage(client, terminated);
        await env.client.workflow.getHandle(workflowId).terminate('operator test');

        for (const ref of [terminated, workflowId]) {
          const res = await call('GET', `/v1/messages/${encodeURIComponent(ref)}`);
          expect(res.status).toBe(200);
          const record = res.json as unknown as StatusRecord;
          expect(record.status).toBe('ABORTED');
          expect(record.idempotencyKey).toBe(terminated);
          expect(record.reason).toMatch(
            /^the workflow was terminated before the message reached an outcome; nothing more will be sent \(last known: waiting/,
          );
          expect(record.workflowClosed).toEqual({ status: 'TERMINATED', at: expect.any(Number) });
          expect(record.attempts).toHaveLength(1); // the replayed record: attempt 1 as it was last known
          expect(record.attempts[0].state).toBe('sent');
          expect(record.destination).toBe('+1425*****56');
        }

        for (const action of ['feedback', 'cancel']) {
          const body = action === 'feedback' ? { status: 'RECEIVED' } : {};
          const res = await call('POST', `/v1/messages/${terminated}/${action}`, body);
          expect(res.status).toBe(409);
          expect(res.json).toMatchObject({ idempotencyKey: terminated, workflowId, status: 'ABORTED' });
          expect(res.json.error).toMatch(
            new RegExp(`^message "${terminated}" has already ended: ABORTED \\(the workflow was terminated`),
          );
        }

        // Waiting for the outcome of a terminated message answers with that record too, instead of throwing.
        await expect(client.waitForOutcome(terminated)).resolves.toMatchObject({
          status: 'ABORTED',
          workflowClosed: { status: 'TERMINATED' },
        });

        const status = await cli('status', workflowId);
        expect(status).toMatchObject({ code: 0, err: '' });
        expect(status.out).toMatch(new RegExp(`^${terminated}  ABORTED  \\(otp, US, \\+1425\\*\\*\\*\\*\\*56\\)`));
        const cancel = await cli('cancel', terminated);
        expect(cancel.code).toBe(3);
        expect(cancel.err).toMatch(/has already ended: ABORTED .*there is nothing left to cancel$/);
        const feedback = await cli('feedback', workflowId);
        expect(feedback.code).toBe(3);
        expect(feedback.err).toMatch(/has already ended: ABORTED .*it takes no more feedback$/);
      });
    } finally {
      close();
    }
  });

  it('with no worker left to replay it, the record comes from the encrypted input, still ABORTED', async () => {
    // The previous test's worker has shut down: nobody polls the task queue, the status query cannot be answered.
    const record = await clientFor().getStatus(`sms:${terminated}`);
    expect(record).toMatchObject({
      idempotencyKey: terminated,
      useCase: 'otp',
      country: 'US',
      destination: '+1425*****56',
      status: 'ABORTED',
      workflowClosed: { status: 'TERMINATED' },
    });
    expect(record.reason).toMatch(/its record could not be read/);
  });

  it('a cancelled message takes no second cancel: 409 CANCELLED, exit 3', async () => {
    const key = `cancel-me-${suffix}`;
    const { runUntil, close } = await createWorker({
      config,
      connection: env.nativeConnection,
      workflowBundle: bundle,
    });
    try {
      await runUntil(async () => {
        const client = clientFor();
        await sentMessage(client, key, 'another body');
        expect(await call('POST', `/v1/messages/${key}/cancel`, { reason: 'not needed' })).toMatchObject({
          status: 202,
        });
        const done = await client.waitForOutcome(key);
        expect(done.status).toBe('CANCELLED');

        const again = await call('POST', `/v1/messages/${key}/cancel`);
        expect(again).toEqual({
          status: 409,
          json: {
            error: `message "${key}" has already ended: CANCELLED (cancelled: not needed); there is nothing left to cancel`,
            idempotencyKey: key,
            workflowId: `sms:${key}`,
            status: 'CANCELLED',
          },
        });
        await expect(client.recordFeedback(key, 'RECEIVED')).rejects.toBeInstanceOf(MessageEndedError);
        const cancel = await cli('cancel', key);
        expect(cancel).toEqual({
          code: 3,
          out: '',
          err: `resilient-sms: message "${key}" has already ended: CANCELLED (cancelled: not needed); there is nothing left to cancel`,
        });
        expect((await call('GET', `/v1/messages/sms:${key}`)).json.status).toBe('CANCELLED');
      });
    } finally {
      close();
    }
  });

  it('a reused idempotency key: the same request joins the message, a different one is 409 naming fields', async () => {
    const key = `reuse-${suffix}`;
    const first = { destination: DEST, body: BODY, useCase: 'otp', idempotencyKey: key };
    // No worker needed: starting and comparing are the client's and the server's business.
    expect(await call('POST', '/v1/messages', first)).toMatchObject({ status: 202, json: { started: true } });
    expect(await call('POST', '/v1/messages', first)).toMatchObject({ status: 202, json: { started: false } });

    const other = await call('POST', '/v1/messages', {
      ...first,
      destination: '+14255550199',
      body: 'Your code is 111111',
    });
    expect(other.status).toBe(409);
    expect(other.json).toEqual({
      error: `idempotency key "${key}" was already used for a different request (different: destination, body); nothing was sent: use a new key for a new message`,
      idempotencyKey: key,
      workflowId: `sms:${key}`,
      differentFields: ['destination', 'body'],
    });
    await expect(clientFor().sendMessage({ ...first, body: 'Your code is 222222' })).rejects.toBeInstanceOf(
      IdempotencyConflictError,
    );

    const send = await cli('send', '--to', DEST, '--body', 'Your code is 333333', '--key', key);
    expect(send.code).toBe(3);
    expect(send.err).toBe(
      `resilient-sms: idempotency key "${key}" was already used for a different request (different: body); nothing was sent: use a new key for a new message`,
    );
    expect(send.err).not.toMatch(/333333|4255550156/);
    const same = await cli('send', '--to', DEST, '--body', BODY, '--key', key);
    expect(same).toMatchObject({ code: 0 });
    expect(same.out).toMatch(new RegExp(`^already exists: ${key} \\(workflow sms:${key}\\), 1 SMS part`));
    await env.client.workflow.getHandle(`sms:${key}`).terminate('test cleanup');
  });
});
