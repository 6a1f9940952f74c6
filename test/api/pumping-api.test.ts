/**
 * The SMS pumping guard on the HTTP API (src/api/pumping-api.ts) over a double of the operators: authentication,
 * the answers, a bad key (400, nothing reaches Temporal), a key that is not blocked (404), and a server built
 * without them (503 naming the pumping guard).
 */
import type { FastifyInstance } from 'fastify';
import type { PumpingOperations } from '../../src/api/pumping-api';
import { buildApiServer } from '../../src/api/server';
import { guardKeyOf, NothingToUnblockError } from '../../src/pumping/operators';
import { API_KEY, apiKeys, apiTestConfig, realClientOverRecorder } from './doubles';

let app: FastifyInstance;
const calls: string[] = [];
const block = { key: 'prefix:+1900234', since: 1, until: 2, why: 'conversion 0%' };

const ops: PumpingOperations = {
  list: () => {
    calls.push('list');
    return Promise.resolve({ workflowId: 'pumping-guard:q', running: true, enabled: true });
  },
  unblock: (target, by) => {
    const key = guardKeyOf(target);
    calls.push(`unblock ${key} ${by}`);
    if (key !== block.key) return Promise.reject(new NothingToUnblockError(key));
    return Promise.resolve({ workflowId: 'pumping-guard:q', unblocked: block });
  },
};

const bearer = { authorization: `Bearer ${API_KEY}` };

beforeEach(() => {
  calls.length = 0;
  app = buildApiServer({ client: realClientOverRecorder(apiTestConfig()).sms, pumping: ops, apiKeys: apiKeys() });
});
afterEach(async () => {
  await app.close();
});

it('needs a valid key', async () => {
  expect((await app.inject({ method: 'GET', url: '/pumping' })).statusCode).toBe(401);
  expect(calls).toEqual([]);
});

it('lists and unblocks, naming the caller', async () => {
  expect((await app.inject({ method: 'GET', url: '/pumping', headers: bearer })).json()).toMatchObject({
    running: true,
  });
  const res = await app.inject({
    method: 'POST',
    url: '/pumping/unblock',
    headers: bearer,
    payload: { key: '+1900234' },
  });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toMatchObject({ unblocked: { key: 'prefix:+1900234' } });
  expect(calls[1]).toMatch(/^unblock prefix:\+1900234 api:/);
});

it('answers 400 naming a bad key and 404 for a key that is not blocked', async () => {
  const bad = await app.inject({ method: 'POST', url: '/pumping/unblock', headers: bearer, payload: { key: '4470' } });
  expect(bad.statusCode).toBe(400);
  expect(bad.json<{ error: string }>().error).toContain('bad key "4470": use a prefix (+4470) or a country (GB)');
  const missing = await app.inject({
    method: 'POST',
    url: '/pumping/unblock',
    headers: bearer,
    payload: { key: 'GB' },
  });
  expect(missing.statusCode).toBe(404);
  expect(missing.json<{ error: string }>().error).toBe('nothing to unblock: country:GB is not blocked');
});

it('answers 503 naming the pumping guard when the server was built without its operations', async () => {
  const bare = buildApiServer({ client: realClientOverRecorder(apiTestConfig()).sms, apiKeys: apiKeys() });
  try {
    for (const request of [
      { method: 'GET' as const, url: '/pumping', headers: bearer },
      { method: 'POST' as const, url: '/pumping/unblock', headers: bearer, payload: { key: 'GB' } },
    ]) {
      const res = await bare.inject(request);
      expect({ url: request.url, status: res.statusCode, body: res.json() }).toEqual({
        url: request.url,
        status: 503,
        body: { error: 'pumping guard operations are not available on this API server' },
      });
    }
  } finally {
    await bare.close();
  }
});
