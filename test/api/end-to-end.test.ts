/**
 * On the real Temporal dev server, with the real worker and the real AWS SDK (aimed at a local SMS v2
 * endpoint):
 * - payload encryption: what the server stores holds no phone number and no body (read back with a
 *   client that has no codec), keys rotate under a live message, and a deployment missing a key says so;
 * - the HTTP API over a real port: send, status, feedback, cancel, auth, all through Temporal.
 */
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { startApi } from '../../src/api/main';
import { ResilientSmsClient } from '../../src/client';
import { dataConverterFor, failureConverterPath } from '../../src/codec/data-converter';
import type { RunningServer } from '../../src/codec/server';
import { configSchema, type Config } from '../../src/domain/config';
import type { DlrSignal } from '../../src/domain/delivery-event';
import type { StatusRecord } from '../../src/domain/status';
import { dlrSignal, statusQuery } from '../../src/workflows/definitions';
import { createWorker } from '../../src/workers/worker';
import { useWorkflowSuite } from '../helpers/workflow-suite';
import { uniqueTaskQueue } from '../helpers/temporal-env';

const DEST = '+14255550156';
const DEST_DIGITS = '4255550156';
const BODY = 'Your code is 918273';
const API_KEY = randomBytes(24).toString('hex');
const ENV = {
  E2E_KEY_1: randomBytes(32).toString('base64'),
  E2E_KEY_2: randomBytes(32).toString('base64'),
  E2E_API_KEY: API_KEY,
};

beforeAll(() => {
  Object.assign(process.env, ENV);
});
const suite = useWorkflowSuite({ failureConverterPath: failureConverterPath() });

function makeConfig(keys: { current: string; ids: string[] }, taskQueue: string): Config {
  return configSchema.parse({
    temporal: { taskQueue },
    accounts: { primary: { credentials: { type: 'static', accessKeyId: 'AKIDPRIMARY', secretAccessKey: 'test' } } },
    routes: [{ id: 'primary-use1', account: 'primary', region: 'us-east-1', endpoint: suite.sms.url }],
    originators: { US: [{ route: 'primary-use1', identity: 'pool-use1-sc', kind: 'pool', type: 'short-code' }] },
    policies: { otp: { success: 'dlr-or-feedback', messageFeedback: true, stepWait: '30s', deadline: '5m' } },
    security: {
      encryption: {
        currentKeyId: keys.current,
        keys: keys.ids.map((id) => ({ id, env: `E2E_KEY_${id.slice(1)}` })),
      },
      api: { keys: [{ id: 'e2e', env: 'E2E_API_KEY' }] },
    },
  });
}

function dlr(attempt: number, status: string, messageId: string): DlrSignal {
  return {
    attempt,
    eventType: `TEXT_${status}`,
    status,
    isFinal: true,
    messageId,
    eventTimestamp: 1_700_000_000_000 + attempt,
  };
}

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The history as the server stores it, read with a client that has no codec, as raw bytes. */
async function rawHistory(workflowId: string): Promise<{ bytes: Buffer; keyIds: Set<string> }> {
  const history = await suite.env.client.workflow.getHandle(workflowId).fetchHistory();
  const bytes = Buffer.from(proto.api.history.v1.History.encode(history).finish());
  const keyIds = new Set<string>();
  const visit = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    if (value instanceof Uint8Array) return;
    const metadata = (value as { metadata?: Record<string, Uint8Array> }).metadata;
    const id = metadata?.['encryption-key-id'];
    if (id instanceof Uint8Array) keyIds.add(Buffer.from(id).toString());
    for (const v of Object.values(value)) visit(v);
  };
  visit(history);
  return { bytes, keyIds };
}

function expectNoPersonalData(bytes: Buffer): void {
  const raw = bytes.toString('latin1');
  expect(raw).not.toContain(DEST_DIGITS);
  expect(raw).not.toContain('918273');
  expect(raw).not.toContain('Your code');
  // And not hidden in base64 either (a plain JSON payload would show the E.164 digits above).
  expect(raw).not.toContain(Buffer.from(DEST).toString('base64').slice(0, 12));
}

afterAll(() => {
  for (const name of Object.keys(ENV)) delete process.env[name];
});

async function withWorker<T>(config: Config, fn: (client: ResilientSmsClient) => Promise<T>): Promise<T> {
  const { runUntil, close } = await createWorker({
    config,
    connection: suite.env.nativeConnection,
    workflowBundle: suite.bundle,
  });
  const temporal = new Client({ connection: suite.env.connection, dataConverter: dataConverterFor(config) });
  try {
    return await runUntil(() => fn(new ResilientSmsClient(config, temporal)));
  } finally {
    close();
  }
}

describe('encrypted history on the real server', () => {
  it('stores no phone number or body, and rotates keys under a live message', async () => {
    const taskQueue = uniqueTaskQueue('enc');
    const k1Only = makeConfig({ current: 'k1', ids: ['k1'] }, taskQueue);
    const rotated = makeConfig({ current: 'k2', ids: ['k1', 'k2'] }, taskQueue);
    const key = `enc-${taskQueue}`;

    // Started and sent under k1.
    const { workflowId, messageId } = await withWorker(k1Only, async (client) => {
      const sent = await client.sendMessage({ destination: DEST, body: BODY, useCase: 'otp', idempotencyKey: key });
      const status = await eventually('attempt 1 sent', async () => {
        const s = await client.temporal.workflow.getHandle(sent.workflowId).query(statusQuery);
        return s.attempts[0]?.state === 'sent' ? s : undefined;
      });
      return { workflowId: sent.workflowId, messageId: status.attempts[0].messageId ?? '' };
    });

    // Finished by a deployment whose current key is k2 (k1 kept to read the older events).
    const result = await withWorker(rotated, async (client) => {
      await client.temporal.workflow.getHandle(workflowId).signal(dlrSignal, dlr(1, 'DELIVERED', messageId));
      return client.waitForOutcome(key);
    });
    expect(result.status).toBe('DELIVERED');
    expect(result.destination).toBe('+1425*****56');
    expect(suite.sms.requestsFor('SendTextMessage').map((r) => r.body?.DestinationPhoneNumber)).toContain(DEST);

    const { bytes, keyIds } = await rawHistory(workflowId);
    expectNoPersonalData(bytes);
    expect(bytes.toString('latin1')).toContain('binary/encrypted');
    expect([...keyIds].sort()).toEqual(['k1', 'k2']);

    // A client that only has k1 cannot read what k2 wrote, and says which key it lacks.
    const k1Client = new Client({ connection: suite.env.connection, dataConverter: dataConverterFor(k1Only) });
    await expect(k1Client.workflow.getHandle(workflowId).result()).rejects.toThrow(/key "k2", which is not configured/);
    // A client without the codec sees only ciphertext.
    await expect(suite.env.client.workflow.getHandle(workflowId).result()).rejects.toThrow();
  });
});

describe('HTTP API over a real port', () => {
  let api: RunningServer;
  let config: Config;
  const call = async (method: string, route: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${api.url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${API_KEY}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const statusOf = async (key: string) => (await call('GET', `/v1/messages/${key}`)).json as unknown as StatusRecord;

  beforeAll(async () => {
    config = makeConfig({ current: 'k2', ids: ['k1', 'k2'] }, uniqueTaskQueue('api'));
    api = await startApi(config, { port: 0, env: { ...process.env, TEMPORAL_ADDRESS: suite.env.address } });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('sends, reports status, takes feedback and cancels, through Temporal and a real worker', async () => {
    const suffix = randomBytes(4).toString('hex');
    await withWorker(config, async () => {
      const unauthenticated = await fetch(`${api.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ destination: DEST, body: BODY, useCase: 'otp' }),
      });
      expect(unauthenticated.status).toBe(401);

      const sent = await call(
        'POST',
        '/v1/messages',
        { destination: DEST, body: BODY, useCase: 'otp' },
        { 'idempotency-key': `api-${suffix}` },
      );
      expect(sent).toEqual({
        status: 202,
        json: {
          idempotencyKey: `api-${suffix}`,
          workflowId: `sms:api-${suffix}`,
          started: true,
          smsParts: { encoding: 'GSM', units: BODY.length, parts: 1 },
        },
      });
      const again = await call('POST', '/v1/messages', {
        destination: DEST,
        body: BODY,
        useCase: 'otp',
        idempotencyKey: `api-${suffix}`,
      });
      expect(again.json.started).toBe(false);

      await eventually('attempt 1 sent', async () => {
        const s = await statusOf(`api-${suffix}`);
        return s.attempts?.[0]?.state === 'sent' ? s : undefined;
      });
      expect((await call('POST', `/v1/messages/api-${suffix}/feedback`, { status: 'RECEIVED' })).status).toBe(202);
      const confirmed = await eventually('CONFIRMED', async () => {
        const s = await statusOf(`api-${suffix}`);
        return s.status === 'CONFIRMED' ? s : undefined;
      });
      expect(confirmed.destination).toBe('+1425*****56');
      expect(confirmed.smsParts).toEqual({ encoding: 'GSM', units: BODY.length, parts: 1 });
      expect(JSON.stringify(confirmed)).not.toContain(BODY);

      const other = await call('POST', '/v1/messages', {
        destination: DEST,
        body: 'another body',
        useCase: 'otp',
        idempotencyKey: `cancel-${suffix}`,
      });
      expect(other.status).toBe(202);
      expect((await call('POST', `/v1/messages/cancel-${suffix}/cancel`, { reason: 'not needed' })).status).toBe(202);
      await eventually('CANCELLED', async () => {
        const s = await statusOf(`cancel-${suffix}`);
        return s.status === 'CANCELLED' ? s : undefined;
      });

      expect(await call('GET', `/v1/messages/never-${suffix}`)).toEqual({
        status: 404,
        json: { error: `no message with key "never-${suffix}"` },
      });
    });

    const { bytes, keyIds } = await rawHistory(`sms:api-${suffix}`);
    expectNoPersonalData(bytes);
    expect([...keyIds]).toEqual(['k2']);
  });

  it('refuses hostile requests with a 400 naming the field, and answers /health probes without a key', async () => {
    for (const [body, error] of [
      [
        { destination: DEST, body: BODY, useCase: 'constructor' },
        /^invalid message request: useCase: unknown use case/,
      ],
      [{ destination: DEST, body: '😀'.repeat(801), useCase: 'otp' }, /^invalid message request: body: is 1602 UCS-2/],
      [{ destination: DEST, body: ' \n ', useCase: 'otp' }, /^invalid message request: body: must contain more than/],
      [{ destination: DEST, useCase: 'otp' }, /^invalid message request: body: required$/],
    ] as const) {
      const res = await call('POST', '/v1/messages', body);
      expect(res.status).toBe(400);
      expect(res.json.error).toMatch(error);
    }
    for (const method of ['GET', 'HEAD']) {
      expect((await fetch(`${api.url}/health?probe=1`, { method })).status).toBe(200);
    }
  });
});
