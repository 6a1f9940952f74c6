/**
 * The HTTP API through fastify's inject: authentication, validation, idempotency keys, status codes,
 * and, on every refusal, proof that nothing reached Temporal (the real typed client runs over a
 * Temporal stand-in that records every call). One test uses a real Temporal client aimed at a port
 * where nothing listens: 503.
 */
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { withDeadline } from '../../src/api/main';
import { buildApiServer, isTemporalUnavailable, type MessagesClient } from '../../src/api/server';
import { deriveIdempotencyKey, MessageNotFoundError, ResilientSmsClient } from '../../src/client';
import { SecretMatcher } from '../../src/codec/secrets';
import type { StatusRecord } from '../../src/domain/status';
import { freePort } from '../../src/tools/free-ports';
import {
  API_KEY,
  OTHER_API_KEY,
  apiKeys,
  apiTestConfig,
  realClientOverRecorder,
  storedInput,
  type TemporalCall,
} from './doubles';

const DEST = '+14255550156';
const bearer = { authorization: `Bearer ${API_KEY}` };
const valid = { destination: DEST, body: 'Your code is 123456', useCase: 'otp', idempotencyKey: 'login-42' };

let app: FastifyInstance;
let calls: TemporalCall[];

function serve(behaviour: Parameters<typeof realClientOverRecorder>[1] = {}): void {
  const built = realClientOverRecorder(apiTestConfig(), behaviour);
  calls = built.calls;
  app = buildApiServer({ client: built.sms, apiKeys: apiKeys() });
}

beforeEach(() => serve());
afterEach(async () => {
  await app.close();
});

describe('authentication', () => {
  const routes = [
    { method: 'POST' as const, url: '/v1/messages', payload: valid },
    { method: 'GET' as const, url: '/v1/messages/login-42' },
    { method: 'POST' as const, url: '/v1/messages/login-42/feedback', payload: { status: 'RECEIVED' } },
    { method: 'POST' as const, url: '/v1/messages/login-42/cancel', payload: {} },
    { method: 'GET' as const, url: '/v1/nothing-here' },
  ];
  const badHeaders: Record<string, string>[] = [
    {},
    { authorization: 'Bearer wrong-key-0123456789abcdef' },
    { authorization: `Bearer ${API_KEY.slice(0, -1)}` },
    { authorization: `Bearer ${API_KEY}0` },
    { authorization: `Basic ${API_KEY}` },
    { authorization: API_KEY },
    { 'x-api-key': 'nope' },
    { 'x-api-key': '' },
    // A valid X-Api-Key does not rescue an invalid Authorization header.
    { authorization: 'Bearer wrong', 'x-api-key': API_KEY },
  ];

  it.each(routes)('$method $url: 401 for a missing or wrong key, and nothing reaches Temporal', async (route) => {
    for (const headers of badHeaders) {
      const res = await app.inject({ ...route, headers });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.json()).toEqual({ error: expect.stringMatching(/missing or invalid API key/) });
    }
    expect(calls).toEqual([]);
  });

  it('accepts every configured key, as a bearer token or as X-Api-Key', async () => {
    for (const headers of [bearer, { authorization: `bearer ${OTHER_API_KEY}` }, { 'x-api-key': API_KEY }]) {
      const res = await app.inject({ method: 'POST', url: '/v1/messages', headers, payload: valid });
      expect(res.statusCode).toBe(202);
    }
  });

  it('leaves /health open to GET and HEAD, with or without a query string (and only that)', async () => {
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ ok: true });
    expect((await app.inject({ method: 'GET', url: '/health?probe=lb' })).json()).toEqual({ ok: true });
    expect((await app.inject({ method: 'HEAD', url: '/health' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'HEAD', url: '/health?x=1' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/health' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v1/messages/x?/health' })).statusCode).toBe(401);
  });

  it('refuses to start without API keys', () => {
    const { sms } = realClientOverRecorder();
    expect(() => buildApiServer({ client: sms, apiKeys: new SecretMatcher([]) })).toThrow(/security.api.keys is empty/);
  });
});

describe('POST /v1/messages', () => {
  it('starts the workflow and answers 202 with the key, the workflow id and started', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/messages', headers: bearer, payload: valid });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({
      idempotencyKey: 'login-42',
      workflowId: 'sms:login-42',
      started: true,
      smsParts: { encoding: 'GSM', units: valid.body.length, parts: 1 },
    });
    expect(res.headers.location).toBe('/v1/messages/login-42');
    expect(calls.map((c) => [c.op, c.workflowId])).toEqual([['start', 'sms:login-42']]);
  });

  it('honours the Idempotency-Key header, alone or agreeing with the body', async () => {
    const { idempotencyKey: _omit, ...noKey } = valid;
    const byHeader = await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { ...bearer, 'idempotency-key': 'from-header-1' },
      payload: noKey,
    });
    expect(byHeader.statusCode).toBe(202);
    expect(byHeader.json()).toMatchObject({ idempotencyKey: 'from-header-1', workflowId: 'sms:from-header-1' });

    const both = await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { ...bearer, 'idempotency-key': 'login-42' },
      payload: valid,
    });
    expect(both.statusCode).toBe(202);

    const conflict = await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { ...bearer, 'idempotency-key': 'something-else' },
      payload: valid,
    });
    expect(conflict.statusCode).toBe(400);
    expect(conflict.json()).toEqual({
      error: 'invalid message request: idempotencyKey: differs from the Idempotency-Key header',
    });

    const badHeader = await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { ...bearer, 'idempotency-key': '-bad key-' },
      payload: noKey,
    });
    expect(badHeader.statusCode).toBe(400);
    expect(badHeader.json<{ error: string }>().error).toMatch(/^invalid message request: idempotencyKey: /);
    expect(calls.map((c) => c.workflowId)).toEqual(['sms:from-header-1', 'sms:login-42']);
  });

  it('derives a key when none is given, so the same request twice is one message', async () => {
    const { idempotencyKey: _omit, ...noKey } = valid;
    const a = await app.inject({ method: 'POST', url: '/v1/messages', headers: bearer, payload: noKey });
    expect(a.statusCode).toBe(202);
    expect(a.json<{ idempotencyKey: string }>().idempotencyKey).toMatch(/^auto-[0-9a-f]{32}$/);
  });

  it('answers 202 with started=false when the key already has a message for the same request', async () => {
    await app.close();
    serve({ existing: new Map([['sms:login-42', storedInput(valid)]]) });
    // The same request, spelled differently (surrounding spaces in the number, the policy's message type given).
    const same = { ...valid, destination: ` ${DEST} `, messageType: 'TRANSACTIONAL' };
    for (const payload of [valid, same]) {
      const res = await app.inject({ method: 'POST', url: '/v1/messages', headers: bearer, payload });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({
        idempotencyKey: 'login-42',
        workflowId: 'sms:login-42',
        started: false,
        smsParts: { encoding: 'GSM', units: valid.body.length, parts: 1 },
      });
    }
  });

  it('answers 409 naming the fields (never their values) when the key was used for another request', async () => {
    await app.close();
    serve({ existing: new Map([['sms:login-42', storedInput(valid)]]) });
    const other = {
      ...valid,
      destination: '+14255550199',
      body: 'Your code is 999999',
      contacts: { email: 'a@b.example' },
    };
    const res = await app.inject({ method: 'POST', url: '/v1/messages', headers: bearer, payload: other });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      error:
        'idempotency key "login-42" was already used for a different request (different: destination, body, ' +
        'contacts.email); nothing was sent: use a new key for a new message',
      idempotencyKey: 'login-42',
      workflowId: 'sms:login-42',
      differentFields: ['destination', 'body', 'contacts.email'],
    });
    expect(res.body).not.toMatch(/999999|5550199|a@b|123456|5550156/);
    expect(calls.map((c) => c.op)).toEqual(['start', 'history']);
  });

  it.each([
    [{ ...valid, destination: '4255550156' }, /^invalid message request: destination: must be an E\.164 number/],
    [{ ...valid, destination: '+1999' }, /^invalid message request: destination: /],
    [{ ...valid, body: '' }, /^invalid message request: body: must not be empty/],
    [
      { ...valid, body: 'x'.repeat(1531) },
      /^invalid message request: body: is 1531 GSM 7-bit characters .*at most 1530/,
    ],
    [{ ...valid, useCase: 'Not A Use Case' }, /^invalid message request: useCase: /],
    [{ ...valid, unexpected: 1 }, /^invalid message request: .*unexpected/i],
    [{ ...valid, destination: 14255550156 }, /^invalid message request: destination: /],
    [{ body: 'x', useCase: 'otp' }, /^invalid message request: destination: /],
    [[valid], /^invalid message request: /],
    ['just a string', /^invalid message request: /],
    [null, /^invalid message request: /],
  ])('400 naming the field (case %#), and nothing reaches Temporal', async (payload, message) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { ...bearer, 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: string }>().error).toMatch(message);
    expect(calls).toEqual([]);
  });

  it("without useCase uses the config's first policy, as the CLI does: the same request derives the same key", async () => {
    const { useCase: _omitted, idempotencyKey: _none, ...request } = valid;
    const res = await app.inject({ method: 'POST', url: '/v1/messages', headers: bearer, payload: request });
    expect(res.statusCode).toBe(202);
    // `otp` is the first policy of apiTestConfig(); the CLI's `send` without --use-case sends the same request.
    const key = deriveIdempotencyKey('otp', DEST, valid.body);
    expect(res.json()).toMatchObject({ idempotencyKey: key, started: true });
    const [start] = calls;
    expect(start).toMatchObject({ op: 'start', workflowId: `sms:${key}` });
    expect((start.args?.[0] as { request: { useCase: string } }).request.useCase).toBe('otp');
  });

  it('400 for what the config refuses (unknown use case, country not allowed), before Temporal', async () => {
    const unknown = await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: bearer,
      payload: { ...valid, useCase: 'marketing' },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<{ error: string }>().error).toMatch(/useCase/);
    const gb = await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: bearer,
      payload: { ...valid, useCase: 'alert', destination: '+447700900123' },
    });
    expect(gb.statusCode).toBe(400);
    expect(calls).toEqual([]);
  });

  it('400 for a body that is not JSON, 415 for another media type, 413 for an oversized one', async () => {
    const malformed = await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { ...bearer, 'content-type': 'application/json' },
      payload: '{"destination": "+1425',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toEqual({ error: expect.any(String) });
    const proto = await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { ...bearer, 'content-type': 'application/json' },
      payload: '{"__proto__": {"x": 1}, "destination": "+14255550156"}',
    });
    expect(proto.statusCode).toBe(400);
    const text = await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { ...bearer, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(text.statusCode).toBe(415);
    const huge = await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: bearer,
      payload: { ...valid, body: 'x'.repeat(70_000) },
    });
    expect(huge.statusCode).toBe(413);
    expect(calls).toEqual([]);
  });
});

describe('GET /v1/messages/{key}', () => {
  it('returns the status record', async () => {
    await app.close();
    const record = { workflowId: 'sms:login-42', status: 'IN_PROGRESS', destination: '+1425*****56', attempts: [] };
    serve({ queryResult: record });
    const res = await app.inject({ method: 'GET', url: '/v1/messages/login-42', headers: bearer });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(record);
  });

  it('404 for an unknown key, 400 for a malformed one (before Temporal)', async () => {
    await app.close();
    serve({ notFound: new Set(['sms:missing']) });
    const res = await app.inject({ method: 'GET', url: '/v1/messages/missing', headers: bearer });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'no message with key "missing"' });
    calls.length = 0;
    const bad = await app.inject({ method: 'GET', url: '/v1/messages/-nope', headers: bearer });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: string }>().error).toMatch(/^invalid message key: key: /);
    expect(calls).toEqual([]);
  });

  it('finds keys with URL-encoded characters', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/messages/tenant%2Flogin-42', headers: bearer });
    expect(res.statusCode).toBe(200);
    expect(calls[0].workflowId).toBe('sms:tenant/login-42');
  });
});

describe('feedback and cancel', () => {
  it('signals feedback: 202, and 400 naming the field for a bad status', async () => {
    const ok = await app.inject({
      method: 'POST',
      url: '/v1/messages/login-42/feedback',
      headers: bearer,
      payload: { status: 'RECEIVED' },
    });
    expect(ok.statusCode).toBe(202);
    expect(ok.json()).toEqual({ idempotencyKey: 'login-42', feedback: 'RECEIVED' });
    expect(calls).toEqual([{ op: 'signal:feedback', workflowId: 'sms:login-42', args: [{ status: 'RECEIVED' }] }]);
    calls.length = 0;

    for (const payload of [{ status: 'DELIVERED' }, {}, { status: 'FAILED', extra: true }]) {
      const bad = await app.inject({ method: 'POST', url: '/v1/messages/login-42/feedback', headers: bearer, payload });
      expect(bad.statusCode).toBe(400);
      expect(bad.json<{ error: string }>().error).toMatch(/^invalid feedback request: /);
    }
    const none = await app.inject({ method: 'POST', url: '/v1/messages/login-42/feedback', headers: bearer });
    expect(none.statusCode).toBe(400);
    expect(calls).toEqual([]);
  });

  it('cancels, with or without a body', async () => {
    const bare = await app.inject({ method: 'POST', url: '/v1/messages/login-42/cancel', headers: bearer });
    expect(bare.statusCode).toBe(202);
    const emptyJson = await app.inject({
      method: 'POST',
      url: '/v1/messages/login-42/cancel',
      headers: { ...bearer, 'content-type': 'application/json' },
      payload: '',
    });
    expect(emptyJson.statusCode).toBe(202);
    const withReason = await app.inject({
      method: 'POST',
      url: '/v1/messages/login-42/cancel',
      headers: bearer,
      payload: { reason: 'user logged in another way' },
    });
    expect(withReason.json()).toEqual({ idempotencyKey: 'login-42', cancelRequested: true });
    expect(calls.map((c) => c.args)).toEqual([[{}], [{}], [{ reason: 'user logged in another way' }]]);
    calls.length = 0;
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/messages/login-42/cancel',
      headers: bearer,
      payload: { reason: 42 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: string }>().error).toMatch(/^invalid cancel request: reason: /);
    expect(calls).toEqual([]);
  });

  it('404 for feedback or cancel of an unknown message', async () => {
    await app.close();
    serve({ notFound: new Set(['sms:missing']) });
    for (const url of ['/v1/messages/missing/feedback', '/v1/messages/missing/cancel']) {
      const res = await app.inject({ method: 'POST', url, headers: bearer, payload: { status: 'FAILED' } });
      if (url.endsWith('cancel'))
        expect(res.statusCode).toBe(400); // cancel has no status field
      else expect(res.statusCode).toBe(404);
    }
    const cancel = await app.inject({ method: 'POST', url: '/v1/messages/missing/cancel', headers: bearer });
    expect(cancel.statusCode).toBe(404);
  });
});

describe('a message whose workflow has closed, and messages named by workflow id', () => {
  const lastKnown = {
    workflowId: 'sms:login-42',
    idempotencyKey: 'login-42',
    status: 'IN_PROGRESS',
    reason: 'waiting for the delivery receipt of attempt 1',
    destination: '+1425*****56',
    attempts: [],
  };
  const closed = (describeStatus: string, queryResult: unknown = lastKnown, extra = {}) => {
    serve({ describeStatus, queryResult, closed: new Set(['sms:login-42']), ...extra });
  };

  it.each(['TERMINATED', 'TIMED_OUT', 'FAILED', 'CANCELLED', 'CONTINUED_AS_NEW'])(
    'GET: a workflow %s while in progress is ABORTED, saying how it closed, with the last known record',
    async (state) => {
      await app.close();
      closed(state);
      const res = await app.inject({ method: 'GET', url: '/v1/messages/login-42', headers: bearer });
      expect(res.statusCode).toBe(200);
      const record = res.json<StatusRecord>();
      expect(record.status).toBe('ABORTED');
      expect(record.reason).toMatch(
        /^the workflow .+ before the message reached an outcome; nothing more will be sent/,
      );
      expect(record.reason).toContain('(last known: waiting for the delivery receipt of attempt 1)');
      expect(record.workflowClosed).toEqual({ status: state, at: 1_700_000_060_000 });
      expect(record.finishedAt).toBe(1_700_000_060_000);
      expect(calls.map((c) => c.op)).toEqual(['describe', 'query']);
    },
  );

  it('GET: a message terminated after its receipt stays DELIVERED, saying the workflow was terminated', async () => {
    await app.close();
    closed('TERMINATED', { ...lastKnown, status: 'DELIVERED', reason: 'delivered; listening for feedback' });
    const record = (await app.inject({ method: 'GET', url: '/v1/messages/login-42', headers: bearer })).json();
    expect(record).toMatchObject({
      status: 'DELIVERED',
      reason: 'the workflow was terminated (last known: delivered; listening for feedback)',
      workflowClosed: { status: 'TERMINATED' },
    });
  });

  it('GET: when the closed workflow cannot be replayed, the record comes from its input', async () => {
    await app.close();
    closed('TERMINATED', lastKnown, { queryFails: true, existing: new Map([['sms:login-42', storedInput(valid)]]) });
    const res = await app.inject({ method: 'GET', url: '/v1/messages/login-42', headers: bearer });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      workflowId: 'sms:login-42',
      idempotencyKey: 'login-42',
      useCase: 'otp',
      country: 'US',
      destination: '+1425*****56',
      status: 'ABORTED',
      attempts: [],
      workflowClosed: { status: 'TERMINATED' },
    });
    expect(res.json<StatusRecord>().reason).toMatch(/its record could not be read \(the status query failed: Error\)/);
    expect(res.body).not.toContain('123456');
  });

  it.each([
    ['feedback', { status: 'RECEIVED' }, 'it takes no more feedback'],
    ['cancel', {}, 'there is nothing left to cancel'],
  ])('%s on a message that has ended: 409 with its status, not 404', async (action, payload, refused) => {
    await app.close();
    closed('COMPLETED', { ...lastKnown, status: 'CANCELLED', reason: 'cancelled: not needed' });
    const res = await app.inject({ method: 'POST', url: `/v1/messages/login-42/${action}`, headers: bearer, payload });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      error: `message "login-42" has already ended: CANCELLED (cancelled: not needed); ${refused}`,
      idempotencyKey: 'login-42',
      workflowId: 'sms:login-42',
      status: 'CANCELLED',
    });
  });

  it('feedback on a terminated message: 409 ABORTED', async () => {
    await app.close();
    closed('TERMINATED');
    const res = await app.inject({
      method: 'POST',
      url: '/v1/messages/login-42/feedback',
      headers: bearer,
      payload: { status: 'FAILED' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ status: 'ABORTED', error: expect.stringMatching(/was terminated/) });
  });

  it('status, feedback and cancel take the workflow id (sms:<key>) as well as the key', async () => {
    await app.close();
    serve({ notFound: new Set(['sms:sms:login-42']), queryResult: lastKnown });
    const status = await app.inject({ method: 'GET', url: '/v1/messages/sms:login-42', headers: bearer });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({ idempotencyKey: 'login-42' });
    const feedback = await app.inject({
      method: 'POST',
      url: '/v1/messages/sms%3Alogin-42/feedback',
      headers: bearer,
      payload: { status: 'RECEIVED' },
    });
    expect(feedback.json()).toEqual({ idempotencyKey: 'login-42', feedback: 'RECEIVED' });
    const cancel = await app.inject({ method: 'POST', url: '/v1/messages/sms:login-42/cancel', headers: bearer });
    expect(cancel.json()).toEqual({ idempotencyKey: 'login-42', cancelRequested: true });
    // The key reading first (a message keyed "sms:login-42" would win), then the workflow id.
    expect(calls.map((c) => [c.op, c.workflowId])).toEqual([
      ['describe', 'sms:sms:login-42'],
      ['describe', 'sms:login-42'],
      ['query', 'sms:login-42'],
      ['signal:feedback', 'sms:sms:login-42'],
      ['describe', 'sms:sms:login-42'], // not found: is it closed, or not there at all?
      ['signal:feedback', 'sms:login-42'],
      ['signal:cancel', 'sms:sms:login-42'],
      ['describe', 'sms:sms:login-42'],
      ['signal:cancel', 'sms:login-42'],
    ]);
  });

  it('404 names what was asked for when neither reading exists; 400 (not 414) for one too long', async () => {
    await app.close();
    serve({ notFound: new Set(['sms:sms:gone', 'sms:gone']) });
    const res = await app.inject({ method: 'GET', url: '/v1/messages/sms:gone', headers: bearer });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'no message with key "sms:gone"' });
    calls.length = 0;
    const long = await app.inject({ method: 'GET', url: `/v1/messages/sms:${'k'.repeat(201)}`, headers: bearer });
    expect(long.statusCode).toBe(400);
    expect(long.json<{ error: string }>().error).toBe('invalid message key: key: must be at most 204 characters');
    expect(calls).toEqual([]);
    const longest = await app.inject({ method: 'GET', url: `/v1/messages/sms:${'k'.repeat(200)}`, headers: bearer });
    expect(longest.statusCode).toBe(200); // reached the (stand-in) Temporal
    // Only the workflow-id reading fits: describe and query that one.
    expect(new Set(calls.map((c) => c.workflowId))).toEqual(new Set([`sms:${'k'.repeat(200)}`]));
  });
});

describe('errors', () => {
  function serveWith(client: MessagesClient): void {
    app = buildApiServer({ client, apiKeys: apiKeys() });
  }
  const failing = (err: Error): MessagesClient => ({
    sendMessage: () => Promise.reject(err),
    getStatus: () => Promise.reject(err),
    recordFeedback: () => Promise.reject(err),
    cancel: () => Promise.reject(err),
  });

  it('503 when Temporal cannot be reached (a real client, nothing listening, short deadline)', async () => {
    await app.close();
    const port = await freePort();
    const connection = Connection.lazy({ address: `127.0.0.1:${port}` });
    const temporal = new Client({ connection });
    const sms = new ResilientSmsClient(apiTestConfig(), temporal);
    serveWith(withDeadline(sms, temporal, 1_500));
    try {
      const send = await app.inject({ method: 'POST', url: '/v1/messages', headers: bearer, payload: valid });
      expect(send.statusCode).toBe(503);
      expect(send.headers['retry-after']).toBe('5');
      expect(send.json()).toEqual({ error: 'Temporal is unavailable; retry later' });
      const status = await app.inject({ method: 'GET', url: '/v1/messages/login-42', headers: bearer });
      expect(status.statusCode).toBe(503);
    } finally {
      await connection.close();
    }
  });

  it('logs requests without bodies, keys or phone numbers', async () => {
    await app.close();
    const lines: string[] = [];
    const built = realClientOverRecorder();
    app = buildApiServer({
      client: { ...failing(new Error('lookup failed for +14255550156')), sendMessage: (r) => built.sms.sendMessage(r) },
      apiKeys: apiKeys(),
      logger: { level: 'debug', stream: { write: (line: string) => lines.push(line) } },
    });
    await app.inject({ method: 'POST', url: '/v1/messages', headers: bearer, payload: valid });
    await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: bearer,
      payload: { ...valid, destination: '+1' },
    });
    await app.inject({ method: 'GET', url: '/v1/messages/login-42', headers: bearer });
    await app.inject({ method: 'GET', url: '/v1/messages/login-42', headers: { authorization: 'Bearer guess-1234' } });
    const log = lines.join('');
    expect(log).toContain('request failed');
    expect(log).toContain('[digits]');
    for (const secret of ['4255550156', 'Your code', '123456', API_KEY, 'guess-1234'])
      expect(log).not.toContain(secret);
  });

  it('500 with no detail for anything else; 404 for MessageNotFoundError from any client', async () => {
    await app.close();
    serveWith(failing(new Error('boom with +14255550156')));
    const res = await app.inject({ method: 'GET', url: '/v1/messages/x1', headers: bearer });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'internal error' });
    await app.close();
    serveWith(failing(new MessageNotFoundError('x1')));
    expect((await app.inject({ method: 'GET', url: '/v1/messages/x1', headers: bearer })).statusCode).toBe(404);
  });

  it('classifies gRPC and network errors', () => {
    const grpc = Object.assign(new Error('14 UNAVAILABLE'), { code: 14, details: 'x', metadata: {} });
    expect(isTemporalUnavailable(new Error('wrapped', { cause: grpc }))).toBe(true);
    expect(isTemporalUnavailable(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTemporalUnavailable(Object.assign(new Error('nope'), { code: 7, details: 'x', metadata: {} }))).toBe(
      false,
    );
    expect(isTemporalUnavailable(new Error('other'))).toBe(false);
  });
});
