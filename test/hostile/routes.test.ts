/**
 * Hostile route-health requests through the HTTP API (fastify inject, the real RouteOperators over a Temporal
 * stand-in that records every call), with the shipped local config: targets that are not strings, too long, made of
 * prototype names or path tricks, reasons with control characters, odd `for` values, extra and nested fields. Each
 * answers 400 naming the field — never 500 — and nothing reaches Temporal.
 */
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../src/api/server';
import { loadConfig } from '../../src/config/load';
import { RouteOperators } from '../../src/health/operators';
import { API_KEY, apiKeys, realClientOverRecorder } from '../api/doubles';

const config = loadConfig(path.join(__dirname, '../../config/local.yaml'));
const bearer = { authorization: `Bearer ${API_KEY}` };

let app: FastifyInstance;
let calls: string[];

beforeEach(() => {
  calls = [];
  const record = (op: string) => () => {
    calls.push(op);
    return Promise.reject(new Error(`${op} reached Temporal`));
  };
  const temporal = {
    withDeadline: <T>(_d: number, fn: () => Promise<T>) => fn(),
    workflow: {
      getHandle: () => ({ query: record('query'), executeUpdate: record('undrain') }),
      executeUpdateWithStart: record('drain'),
    },
  } as unknown as Client;
  app = buildApiServer({
    client: realClientOverRecorder(config).sms,
    routes: new RouteOperators({ client: temporal, config }),
    apiKeys: apiKeys(),
  });
});
afterEach(async () => {
  await app.close();
});

async function post(url: string, payload: unknown) {
  const res = await app.inject({
    method: 'POST',
    url,
    headers: { ...bearer, 'content-type': 'application/json' },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  return { status: res.statusCode, error: res.json<{ error?: string }>().error ?? '' };
}

describe('POST /routes/drain', () => {
  it.each([
    [{ target: 42, reason: 'x' }, /^invalid drain request: target: /],
    [{ target: ['us-east-1'], reason: 'x' }, /^invalid drain request: target: /],
    [{ target: { region: 'us-east-1' }, reason: 'x' }, /^invalid drain request: target: /],
    [{ target: 'x'.repeat(513), reason: 'x' }, /target: must be at most 512 characters/],
    [{ target: 'constructor', reason: 'x' }, /target: bad target "constructor": it is not a health key/],
    [{ target: '__proto__', reason: 'x' }, /target: bad target "__proto__"/],
    [{ target: 'toString', reason: 'x' }, /target: bad target "toString"/],
    [{ target: 'route:../../us-east-1', reason: 'x' }, /target: bad target "route:..\/..\/us-east-1"/],
    [
      { target: 'region:us-east-1\nregion:us-west-2', reason: 'x' },
      /target: bad target "region:us-east-1\\nregion:us-west-2"/,
    ],
    [{ target: 'originator:primary/us-east-1/@US', reason: 'x' }, /target: bad target/],
    [{ target: 'us-east-1', reason: 'line one\nline two' }, /reason: must be one line without control characters/],
    [{ target: 'us-east-1', reason: 'bell\u0007' }, /reason: must be one line without control characters/],
    [{ target: 'us-east-1', reason: 'x'.repeat(501) }, /reason: must be at most 500 characters/],
    [{ target: 'us-east-1', reason: 42 }, /^invalid drain request: reason: /],
    [{ target: 'us-east-1', reason: 'x', for: -1 }, /for: /],
    [{ target: 'us-east-1', reason: 'x', for: '1000000y' }, /for: "1000000y" is longer than the maximum, 365d/],
    [{ target: 'us-east-1', reason: 'x', for: Number.MAX_VALUE }, /for: /],
    [{ target: 'us-east-1', reason: 'x', for: { ms: 5 } }, /for: /],
    [{ target: 'us-east-1', reason: 'x', by: 'someone-else' }, /Unrecognized key: "by"/],
    [['us-east-1'], /^invalid drain request: /],
    [null, /^invalid drain request: /],
  ])('%j -> 400 naming the field, nothing reaches Temporal', async (payload, message) => {
    const res = await post('/routes/drain', payload);
    expect(res).toEqual({ status: 400, error: expect.stringMatching(message) as unknown });
    expect(calls).toEqual([]);
  });

  it('a __proto__ key in the body is refused as malformed JSON, not merged', async () => {
    const res = await post('/routes/drain', '{"target":"us-east-1","reason":"x","__proto__":{"for":1}}');
    expect(res.status).toBe(400);
    expect(calls).toEqual([]);
  });
});

describe('POST /routes/undrain', () => {
  it.each([
    [{}, /target: required/],
    [{ target: '' }, /target: must not be empty/],
    [{ target: 'region:mars-north-1' }, /target: bad target "region:mars-north-1"/],
    [{ target: 'us-east-1', reason: 'x' }, /Unrecognized key: "reason"/],
  ])('%j -> 400 naming the field, nothing reaches Temporal', async (payload, message) => {
    const res = await post('/routes/undrain', payload);
    expect(res).toEqual({ status: 400, error: expect.stringMatching(message) as unknown });
    expect(calls).toEqual([]);
  });
});
