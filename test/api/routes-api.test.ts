/**
 * Route health on the HTTP API (fastify inject): authentication, bodies validated naming the field, bad targets
 * refused before Temporal, and what reaches Temporal for a good one (the real RouteOperators over a stand-in
 * Temporal client that records each call).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../src/api/server';
import { RouteOperators } from '../../src/health/operators';
import type { DrainRequest, RouteView, UndrainRequest } from '../../src/workflows/route-health-definitions';
import { API_KEY, apiKeys, apiTestConfig, realClientOverRecorder } from './doubles';

const bearer = { authorization: `Bearer ${API_KEY}` };
const WORKFLOW_ID = 'route-health:resilient-sms';

interface Call {
  op: string;
  workflowId?: string;
  args?: unknown[];
  startArgs?: unknown[];
}

const view = (key: string): RouteView => ({
  key,
  state: 'closed',
  condition: 'drained',
  since: 1,
  why: 'drained',
  recent: { ok: 0, failures: {}, probes: 0 },
  drain: { reason: 'maintenance', by: 'cli:ops@host', since: 1 },
});

/** A Temporal client stand-in: the routeHealth workflow exists (or not), and answers updates with the key's view. */
function temporalDouble(exists: boolean): { client: Client; calls: Call[] } {
  const calls: Call[] = [];
  const missing = () => new WorkflowNotFoundError('not found', WORKFLOW_ID, undefined);
  const client = {
    withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn(),
    workflow: {
      getHandle: (workflowId: string) => ({
        query: () => {
          calls.push({ op: 'query', workflowId });
          return exists ? Promise.resolve([view('region:us-east-1')]) : Promise.reject(missing());
        },
        executeUpdate: (_def: unknown, o: { args: [UndrainRequest] }) => {
          calls.push({ op: 'undrain', workflowId, args: o.args });
          return exists ? Promise.resolve(view(o.args[0].key)) : Promise.reject(missing());
        },
      }),
      executeUpdateWithStart: (
        _def: unknown,
        o: { args: [DrainRequest]; startWorkflowOperation: { options: { workflowId: string; args: unknown[] } } },
      ) => {
        const { workflowId, args } = o.startWorkflowOperation.options;
        calls.push({ op: 'drain', workflowId, args: o.args, startArgs: args });
        return Promise.resolve(view(o.args[0].key));
      },
    },
  } as unknown as Client;
  return { client, calls };
}

const errorOf = (res: { json: () => unknown }) => (res.json() as { error: string }).error;

let app: FastifyInstance;
let calls: Call[];
let logged: { obj: Record<string, unknown>; msg: string }[];

function serve(exists = true): void {
  const double = temporalDouble(exists);
  calls = double.calls;
  logged = [];
  const config = apiTestConfig();
  app = buildApiServer({
    client: realClientOverRecorder(config).sms,
    routes: new RouteOperators({ client: double.client, config }),
    apiKeys: apiKeys(),
    logger: {
      level: 'info',
      stream: {
        write: (line: string) => {
          const { msg, ...obj } = JSON.parse(line) as Record<string, unknown>;
          logged.push({ obj, msg: String(msg) });
        },
      },
    },
  });
}

beforeEach(() => serve());
afterEach(async () => {
  await app.close();
});

describe('authentication', () => {
  it.each([
    ['GET', '/routes', undefined],
    ['POST', '/routes/drain', { target: 'us-east-1', reason: 'x' }],
    ['POST', '/routes/undrain', { target: 'us-east-1' }],
  ] as const)('%s %s without a valid key -> 401, nothing reaches Temporal', async (method, url, payload) => {
    for (const headers of [{}, { authorization: 'Bearer wrong-key-0123456789abcdef' }]) {
      const res = await app.inject({ method, url, payload, headers });
      expect(res.statusCode).toBe(401);
    }
    expect(calls).toEqual([]);
  });
});

describe('GET /routes', () => {
  it('answers the routes query', async () => {
    const res = await app.inject({ method: 'GET', url: '/routes', headers: bearer });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      workflowId: WORKFLOW_ID,
      running: true,
      enabled: false,
      routes: [view('region:us-east-1')],
    });
  });

  it('says route health has seen nothing yet when its workflow does not exist', async () => {
    await app.close();
    serve(false);
    const res = await app.inject({ method: 'GET', url: '/routes', headers: bearer });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ running: false, routes: [] });
  });
});

describe('POST /routes/drain', () => {
  it('drains every key the target names, by the caller, starting the workflow if needed, and logs it', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/routes/drain',
      headers: bearer,
      payload: { target: 'use1-primary', reason: ' carrier maintenance ', for: '30m' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ target: 'use1-primary', routes: [{ key: 'route:primary/us-east-1' }] });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      op: 'drain',
      workflowId: WORKFLOW_ID,
      args: [{ key: 'route:primary/us-east-1', reason: 'carrier maintenance', by: 'api:app', forMs: 1_800_000 }],
    });
    expect(calls[0].startArgs).toHaveLength(1);
    expect(logged).toContainEqual({
      msg: 'route drained',
      obj: expect.objectContaining({
        by: 'api:app',
        target: 'use1-primary',
        keys: ['route:primary/us-east-1'],
        reason: 'carrier maintenance',
        forMs: 1_800_000,
      }),
    });
  });

  it.each([
    [{ reason: 'x' }, 'target: required'],
    [{ target: 'us-east-1' }, 'reason: required'],
    [{ target: 'us-east-1', reason: '   ' }, 'reason: must not be empty'],
    [{ target: 'us-east-1', reason: 'x', for: 'soon' }, 'for: not a duration'],
    [{ target: 'us-east-1', reason: 'x', for: 0 }, 'for: must be longer than 0'],
    [{ target: 'us-east-1', reason: 'x', until: '1h' }, 'Unrecognized key: "until"'],
    [{ target: 'eu-west-1', reason: 'x' }, 'target: bad target "eu-west-1"'],
    [{ target: 'route:primary/eu-west-1', reason: 'x' }, 'target: bad target "route:primary/eu-west-1"'],
  ])('refuses %j with a 400 naming the field, before Temporal', async (payload, message) => {
    const res = await app.inject({ method: 'POST', url: '/routes/drain', headers: bearer, payload });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res)).toContain('invalid drain request: ');
    expect(errorOf(res)).toContain(message);
    expect(calls).toEqual([]);
  });
});

describe('POST /routes/undrain', () => {
  it('undrains the keys and logs who did it', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/routes/undrain',
      headers: bearer,
      payload: { target: 'region:us-east-1' },
    });
    expect(res.statusCode).toBe(200);
    expect(calls).toEqual([
      { op: 'query', workflowId: WORKFLOW_ID },
      { op: 'undrain', workflowId: WORKFLOW_ID, args: [{ key: 'region:us-east-1', by: 'api:app' }] },
    ]);
    expect(logged.map((l) => l.msg)).toContain('route undrained');
  });

  it('answers 404 when the target is not drained', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/routes/undrain',
      headers: bearer,
      payload: { target: 'us-west-2' },
    });
    expect(res.statusCode).toBe(404);
    expect(errorOf(res)).toBe('nothing to undrain: region:us-west-2 is not drained');
  });

  it('answers 404 when route health has seen nothing yet, 400 for a bad target', async () => {
    await app.close();
    serve(false);
    const missing = await app.inject({
      method: 'POST',
      url: '/routes/undrain',
      headers: bearer,
      payload: { target: 'us-east-1' },
    });
    expect(missing.statusCode).toBe(404);
    expect(errorOf(missing)).toContain('route health has seen nothing yet');
    const bad = await app.inject({
      method: 'POST',
      url: '/routes/undrain',
      headers: bearer,
      payload: { target: 'nope' },
    });
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad)).toMatch(/^invalid undrain request: target: bad target "nope"/);
  });
});

it('answers 503 on /routes when the server was built without route operations', async () => {
  await app.close();
  app = buildApiServer({ client: realClientOverRecorder(apiTestConfig()).sms, apiKeys: apiKeys() });
  const res = await app.inject({ method: 'GET', url: '/routes', headers: bearer });
  expect(res.statusCode).toBe(503);
});
