/**
 * Hostile message requests through the HTTP API (fastify inject, the real typed client over a
 * Temporal stand-in that records every call), with the shipped local config: object-prototype names
 * as use cases, bodies AWS would refuse (too many septets or UTF-16 code units, NUL, only
 * whitespace), missing fields, a disallowed country, and the load balancer's /health probes. Each
 * answers 4xx naming the field — never 500, never 202 — and nothing reaches Temporal.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../src/api/server';
import { loadConfig } from '../../src/config/load';
import { API_KEY, apiKeys, realClientOverRecorder, type TemporalCall } from '../api/doubles';

const config = loadConfig(path.join(__dirname, '../../config/local.yaml'));
const bearer = { authorization: `Bearer ${API_KEY}` };
const ok = { destination: '+14255550156', body: 'Your code is 123456', useCase: 'otp' };

let app: FastifyInstance;
let calls: TemporalCall[];

beforeEach(() => {
  const built = realClientOverRecorder(config);
  calls = built.calls;
  app = buildApiServer({ client: built.sms, apiKeys: apiKeys() });
});
afterEach(async () => {
  await app.close();
});

async function send(payload: Record<string, unknown>) {
  const res = await app.inject({ method: 'POST', url: '/v1/messages', headers: bearer, payload });
  return { status: res.statusCode, error: res.json<{ error?: string }>().error, json: res.json() };
}

describe('use cases named like Object.prototype properties', () => {
  it.each(['constructor', 'tostring', 'valueof', 'hasownproperty', 'isprototypeof'])(
    'useCase %j: 400 unknown use case, not 500',
    async (useCase) => {
      const res = await send({ ...ok, useCase });
      expect(res.status).toBe(400);
      expect(res.error).toBe(
        `invalid message request: useCase: unknown use case "${useCase}" (configured: otp, alert, notice)`,
      );
      expect(calls).toEqual([]);
    },
  );
});

describe('bodies AWS would refuse', () => {
  it.each([
    ['801 emoji (1602 UTF-16 code units)', '😀'.repeat(801), /body: is 1602 UCS-2 characters/],
    ['316 emoji (632 code units, over 630)', '😀'.repeat(316), /body: is 632 UCS-2 characters/],
    ['1531 GSM characters', 'x'.repeat(1531), /body: is 1531 GSM 7-bit characters/],
    ['800 euro signs (1600 septets)', '€'.repeat(800), /body: is 1600 GSM 7-bit characters/],
    ['only whitespace', ' \n\t\u00a0 ', /body: must contain more than whitespace/],
    ['a NUL character', 'Your code\u0000 is 1', /body: must not contain NUL characters/],
  ])('%s: 400', async (_what, body, message) => {
    const res = await send({ ...ok, body });
    expect(res.status).toBe(400);
    expect(res.error).toMatch(message);
    expect(calls).toEqual([]);
  });

  it('the largest bodies AWS takes are accepted, and the answer says how many parts they take', async () => {
    for (const [body, encoding, units, parts] of [
      ['x'.repeat(1530), 'GSM', 1530, 10],
      ['😀'.repeat(315), 'UCS2', 630, 10],
      ['Your code is 123456', 'GSM', 19, 1],
    ] as const) {
      const res = await send({ ...ok, body, idempotencyKey: `big-${encoding}-${units}` });
      expect(res.status).toBe(202);
      expect(res.json).toMatchObject({ started: true, smsParts: { encoding, units, parts } });
    }
  });

  it('a body too long to read aloud is refused when voice is on the ladder', async () => {
    // 1530 digits become "1 2 3 …": 3059 characters, over SendVoiceMessage's 3000 for TEXT.
    const res = await send({ ...ok, body: '1'.repeat(1530) });
    expect(res.status).toBe(400);
    expect(res.error).toMatch(/body: read aloud it is 3059 characters, over voice's 3000: give content\.voice\.text/);
    const given = await send({ ...ok, body: '1'.repeat(1530), content: { voice: { text: 'Your code' } } });
    expect(given.status).toBe(202);
  });
});

describe('validation messages', () => {
  it.each(['destination', 'body'])('a missing %s says "required"', async (field) => {
    const { [field as keyof typeof ok]: _omit, ...rest } = ok;
    const res = await send(rest);
    expect(res.status).toBe(400);
    expect(res.error).toBe(`invalid message request: ${field}: required`);
  });

  it("a missing useCase is the config's first policy (as for the CLI), a null one says what it must be", async () => {
    const { useCase: _omit, ...rest } = ok;
    expect((await send(rest)).status).toBe(202);
    const res = await send({ ...rest, useCase: null });
    expect(res.status).toBe(400);
    expect(res.error).toMatch(/^invalid message request: useCase: /);
  });

  it('a disallowed country is one sentence, not each channel of the policy joined by semicolons', async () => {
    // otp: channels sms, voice, email; allowedCountries US, GB.
    const res = await send({ ...ok, destination: '+33612345678' });
    expect(res.status).toBe(400);
    expect(res.error).toBe(
      'invalid message request: destination: country FR is not allowed for use case "otp" (allowed: US, GB), ' +
        'and the request has no contact for its other channel: email',
    );
    const withEmail = await send({ ...ok, destination: '+33612345678', contacts: { email: 'someone@example.com' } });
    expect(withEmail.status).toBe(202); // email is not limited by country
  });
});

describe('/health for load balancers', () => {
  it.each([
    ['GET', '/health'],
    ['HEAD', '/health'],
    ['GET', '/health?from=elb'],
    ['HEAD', '/health?from=elb&x=1'],
  ] as const)('%s %s answers 200 without an API key', async (method, url) => {
    const res = await app.inject({ method, url });
    expect(res.statusCode).toBe(200);
  });
});
