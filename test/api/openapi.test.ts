/**
 * The OpenAPI 3.1 contract (src/api/openapi.ts): the document is well formed (every $ref resolves, every path
 * parameter is declared, every schema compiles as JSON Schema 2020-12), it lists exactly the routes the server has,
 * the committed schemas/openapi.json is current, and every status code each operation documents is produced by the
 * real handlers (fastify inject, with client doubles that answer or fail as the real client does) with a body and a
 * content type that match the document. Methods a path does not take answer 405 with `Allow`.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildOpenApiDocument, openApiJson, type JsonObject } from '../../src/api/openapi';
import type { PumpingOperations } from '../../src/api/pumping-api';
import type { RouteOperations } from '../../src/api/routes-api';
import { buildApiServer, type MessagesClient } from '../../src/api/server';
import { IdempotencyConflictError, MessageEndedError, MessageNotFoundError } from '../../src/client';
import type { StatusRecord } from '../../src/domain/status';
import { NothingToUndrainError, RouteChangeRefusedError } from '../../src/health/operators';
import { guardKeyOf, NothingToUnblockError } from '../../src/pumping/operators';
import type { PumpingView } from '../../src/workflows/pumping-definitions';
import type { RouteView } from '../../src/workflows/route-health-definitions';
import { Contract } from '../helpers/openapi-contract';
import { API_KEY, apiKeys } from './doubles';

const COMMITTED = path.join(__dirname, '..', '..', 'schemas', 'openapi.json');
const document = buildOpenApiDocument();
const paths = document.paths as Record<string, Record<string, JsonObject>>;
const bearer = { authorization: `Bearer ${API_KEY}` };

/** A record with every optional field set, so the whole schema is exercised. */
const RECORD: StatusRecord = {
  workflowId: 'sms:login-42',
  idempotencyKey: 'login-42',
  useCase: 'otp',
  country: 'US',
  destination: '+1425*****56',
  smsParts: { encoding: 'GSM', units: 19, parts: 1 },
  status: 'CONFIRMED',
  reason: 'the user confirmed the message',
  currentRung: 1,
  currentLevel: 'region',
  attempts: [
    {
      attempt: 1,
      rungIndex: 0,
      channel: 'sms',
      level: 'initial',
      routeId: 'use1-primary',
      account: 'primary',
      region: 'us-east-1',
      originator: 'pool-us',
      originatorType: 'short-code',
      state: 'timed-out',
      outcome: 'TIMED_OUT',
      failure: { scope: 'region', reason: 'NO_RECEIPT', message: 'no receipt', retryable: false, ambiguous: true },
      messageId: 'm-1',
      startedAt: 1_700_000_000_000,
      sentAt: 1_700_000_000_100,
      finishedAt: 1_700_000_030_000,
      feedbackEnabled: true,
      feedback: 'FAILED',
      events: [{ type: 'TEXT_PENDING', status: 'PENDING', at: 1_700_000_000_200, receivedAt: 1_700_000_000_300 }],
      omittedEvents: 2,
      price: 0.0075,
      carrierFee: 0.003,
    },
  ],
  skipped: [{ channel: 'voice', reason: 'no voice originator for GB' }],
  successfulAttempt: 1,
  needlessAttempts: [],
  duplicateEvents: 0,
  unmatchedEvents: 0,
  rejectedEvents: 0,
  routeHealth: [{ attempt: 2, rungIndex: 1, action: 'moved', key: 'region:us-east-1', why: 'open', at: 1 }],
  startedAt: 1_700_000_000_000,
  finishedAt: 1_700_000_040_000,
  workflowClosed: { status: 'TERMINATED', at: 1_700_000_050_000 },
};

const VIEW: RouteView = {
  key: 'region:us-east-1',
  state: 'open',
  condition: 'drained',
  since: 1,
  why: 'drained for maintenance',
  recent: { ok: 3, failures: { 'send-error': 2 }, probes: 1 },
  drain: { reason: 'maintenance', by: 'api:app', since: 1, until: 2 },
};

/** A guard view with every optional field set. */
const BLOCK = { key: 'prefix:+1900234', since: 1, until: 2, why: 'conversion 0% of 40 sends', by: 'api:ops' };
const PUMPING_VIEW: PumpingView = {
  at: 1_700_000_000_000,
  blocks: [BLOCK],
  keys: [
    {
      key: 'prefix:+1900234',
      state: 'blocked',
      why: 'conversion',
      since: 1,
      until: 2,
      sends: 40,
      received: 0,
      stopped: 3,
    },
    { key: 'country:GB', sends: 5, received: 4, stopped: 0 },
  ],
};

const unavailable = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:7233'), { code: 'ECONNREFUSED' });

function messagesDouble(fail?: () => Error): MessagesClient {
  const answer = <T>(value: T) => (fail ? Promise.reject(fail()) : Promise.resolve(value));
  const ref = (key: string) => ({ idempotencyKey: key, workflowId: `sms:${key}` });
  return {
    sendMessage: () =>
      answer({ ...ref('login-42'), started: true, smsParts: { encoding: 'GSM', units: 19, parts: 1 } }),
    getStatus: () => answer(RECORD),
    recordFeedback: (key) => answer(ref(key)),
    cancel: (key) => answer(ref(key)),
  };
}

function routesDouble(fail?: () => Error): RouteOperations {
  const answer = <T>(value: T) => (fail ? Promise.reject(fail()) : Promise.resolve(value));
  const change = { workflowId: 'route-health:q', target: 'region:us-east-1', enabled: true, routes: [VIEW] };
  return {
    routes: () => answer({ workflowId: 'route-health:q', running: true, enabled: true, routes: [VIEW] }),
    drain: () => answer(change),
    undrain: () => answer(change),
  };
}

function pumpingDouble(fail?: () => Error): PumpingOperations {
  const answer = <T>(value: T) => (fail ? Promise.reject(fail()) : Promise.resolve(value));
  return {
    list: () => answer({ workflowId: 'pumping-guard:q', running: true, enabled: true, view: PUMPING_VIEW }),
    unblock: (target) => {
      guardKeyOf(target); // a bad key is refused before anything else, as by the real operators
      return answer({ workflowId: 'pumping-guard:q', unblocked: BLOCK });
    },
  };
}

interface Setup {
  messages?: () => Error;
  routes?: () => Error;
  noRoutes?: boolean;
  pumping?: () => Error;
  noPumping?: boolean;
}

interface Case {
  template: string;
  status: number;
  request: InjectOptions & { method: 'GET' | 'POST'; url: string };
  setup?: Setup;
}

const big = { reason: 'x'.repeat(70 * 1024) };
const text = { 'content-type': 'text/plain' };

/** Requests that produce each documented answer of the operations with a JSON body (besides 2xx). */
function bodyCases(template: string, url: string, good: object, setup: Setup, fail: () => Error): Case[] {
  const post = (payload: unknown, headers: Record<string, string> = bearer) => ({
    method: 'POST' as const,
    url,
    headers,
    payload: payload as object,
  });
  return [
    { template, status: 401, request: post(good, {}) },
    { template, status: 413, request: post(big) },
    { template, status: 415, request: post('{}', { ...bearer, ...text }) },
    { template, status: 503, request: post(good), setup: { ...setup, [Object.keys(setup)[0]]: fail } },
  ];
}

const MESSAGE = { destination: '+14255550156', body: 'Your code is 123456', useCase: 'otp' };
const key = (template: string) => template.replace('{key}', 'login-42');
const get = (url: string, headers: Record<string, string> = bearer) => ({ method: 'GET' as const, url, headers });
const post = (url: string, payload?: unknown) => ({
  method: 'POST' as const,
  url,
  headers: bearer,
  payload: payload as object,
});

const CASES: Case[] = [
  { template: '/v1/messages', status: 202, request: post('/v1/messages', MESSAGE) },
  { template: '/v1/messages', status: 400, request: post('/v1/messages', { ...MESSAGE, destination: '12' }) },
  {
    template: '/v1/messages',
    status: 409,
    request: post('/v1/messages', MESSAGE),
    setup: { messages: () => new IdempotencyConflictError('login-42', 'sms:login-42', ['body']) },
  },
  ...bodyCases('/v1/messages', '/v1/messages', MESSAGE, { messages: undefined }, unavailable),
  { template: '/v1/messages/{key}', status: 200, request: get('/v1/messages/login-42') },
  { template: '/v1/messages/{key}', status: 400, request: get(`/v1/messages/${'k'.repeat(205)}`) },
  { template: '/v1/messages/{key}', status: 401, request: get('/v1/messages/login-42', {}) },
  {
    template: '/v1/messages/{key}',
    status: 404,
    request: get('/v1/messages/login-42'),
    setup: { messages: () => new MessageNotFoundError('login-42') },
  },
  {
    template: '/v1/messages/{key}',
    status: 503,
    request: get('/v1/messages/login-42'),
    setup: { messages: unavailable },
  },
  ...(
    [
      ['/v1/messages/{key}/feedback', { status: 'RECEIVED' }, { status: 'MAYBE' }],
      // A JSON null is a bad body, not "no body" (which cancels without a reason).
      ['/v1/messages/{key}/cancel', undefined, null],
    ] as const
  ).flatMap(([template, good, bad]): Case[] => [
    { template, status: 202, request: post(key(template), good) },
    {
      template,
      status: 400,
      request: {
        ...post(key(template)),
        payload: JSON.stringify(bad),
        headers: { ...bearer, 'content-type': 'application/json' },
      },
    },
    {
      template,
      status: 404,
      request: post(key(template), good),
      setup: { messages: () => new MessageNotFoundError('login-42') },
    },
    {
      template,
      status: 409,
      request: post(key(template), good),
      setup: { messages: () => new MessageEndedError('login-42', 'sms:login-42', 'DELIVERED', 'delivered', 'no') },
    },
    ...bodyCases(template, key(template), good ?? {}, { messages: undefined }, unavailable),
  ]),
  { template: '/routes', status: 200, request: get('/routes') },
  { template: '/routes', status: 401, request: get('/routes', {}) },
  { template: '/routes', status: 503, request: get('/routes'), setup: { noRoutes: true } },
  ...(['/routes/drain', '/routes/undrain'] as const).flatMap((template): Case[] => {
    const good = { target: 'region:us-east-1', reason: 'maintenance' };
    const body = template === '/routes/drain' ? good : { target: good.target };
    return [
      { template, status: 200, request: post(template, body) },
      { template, status: 400, request: post(template, { ...body, target: '' }) },
      {
        template,
        status: 422,
        request: post(template, body),
        setup: { routes: () => new RouteChangeRefusedError('route health refused the change: no') },
      },
      ...bodyCases(template, template, body, { routes: undefined }, unavailable),
    ];
  }),
  {
    template: '/routes/undrain',
    status: 404,
    request: post('/routes/undrain', { target: 'region:us-east-1' }),
    setup: { routes: () => new NothingToUndrainError('nothing drained') },
  },
  { template: '/pumping', status: 200, request: get('/pumping') },
  { template: '/pumping', status: 401, request: get('/pumping', {}) },
  { template: '/pumping', status: 503, request: get('/pumping'), setup: { pumping: unavailable } },
  { template: '/pumping', status: 503, request: get('/pumping'), setup: { noPumping: true } },
  { template: '/pumping/unblock', status: 200, request: post('/pumping/unblock', { key: '+1900234' }) },
  { template: '/pumping/unblock', status: 400, request: post('/pumping/unblock', { key: '4470' }) },
  { template: '/pumping/unblock', status: 400, request: post('/pumping/unblock', { key: 'GB', by: 'x' }) },
  {
    template: '/pumping/unblock',
    status: 404,
    request: post('/pumping/unblock', { key: 'GB' }),
    setup: { pumping: () => new NothingToUnblockError('country:GB') },
  },
  ...bodyCases('/pumping/unblock', '/pumping/unblock', { key: 'GB' }, { pumping: undefined }, unavailable),
  { template: '/health', status: 200, request: get('/health', {}) },
  { template: '/openapi.json', status: 200, request: get('/openapi.json', {}) },
];

function serve(setup: Setup = {}): FastifyInstance {
  return buildApiServer({
    client: messagesDouble(setup.messages),
    routes: setup.noRoutes ? undefined : routesDouble(setup.routes),
    pumping: setup.noPumping ? undefined : pumpingDouble(setup.pumping),
    apiKeys: apiKeys(),
  });
}

describe('the document', () => {
  it('is an OpenAPI 3.1 document: info, operations with responses, resolvable $refs, declared path parameters', () => {
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    expect(document.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    const text = JSON.stringify(document);
    for (const [, ref] of text.matchAll(/"\$ref":"([^"]+)"/g)) {
      const target = ref
        .replace(/^#\//, '')
        .split('/')
        .reduce<unknown>((node, k) => (node as JsonObject | undefined)?.[k], document);
      expect({ ref, found: target !== undefined }).toEqual({ ref, found: true });
    }
    const operationIds = new Set<string>();
    const schemes = Object.keys((document.components as { securitySchemes: object }).securitySchemes);
    for (const [template, item] of Object.entries(paths)) {
      const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        expect(['get', 'post']).toContain(method);
        expect(operationIds.has(String(op.operationId))).toBe(false);
        operationIds.add(String(op.operationId));
        const declared = ((op.parameters ?? []) as { in: string; name: string; required?: boolean }[]).filter(
          (p) => p.in === 'path',
        );
        expect(declared.map((p) => p.name)).toEqual(names);
        expect(declared.every((p) => p.required === true)).toBe(true);
        const responses = op.responses as Record<string, JsonObject>;
        expect(Object.keys(responses).length).toBeGreaterThan(0);
        for (const code of Object.keys(responses)) expect(code).toMatch(/^[1-5]\d\d$/);
        for (const requirement of (op.security ?? document.security) as Record<string, unknown>[]) {
          for (const scheme of Object.keys(requirement)) expect(schemes).toContain(scheme);
        }
      }
    }
  });

  it('holds schemas that compile as strict JSON Schema 2020-12 (no unknown keyword, valid regular expressions)', () => {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
    addFormats(ajv);
    const schemas = (document.components as { schemas: Record<string, JsonObject> }).schemas;
    for (const [name, schema] of Object.entries(schemas)) {
      expect({ name, compiles: (() => (ajv.compile(schema), true))() }).toEqual({ name, compiles: true });
    }
  });

  it('authenticates every operation (bearer or X-Api-Key) except GET /health and GET /openapi.json', () => {
    expect(document.security).toEqual([{ bearerAuth: [] }, { apiKey: [] }]);
    expect((document.components as { securitySchemes: object }).securitySchemes).toEqual({
      bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      apiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }),
    });
    const open = Object.entries(paths).flatMap(([t, item]) =>
      Object.entries(item)
        .filter(([, op]) => Array.isArray(op.security) && op.security.length === 0)
        .map(([m]) => `${m} ${t}`),
    );
    expect(open.sort()).toEqual(['get /health', 'get /openapi.json']);
  });

  it('lists exactly the routes the server has', async () => {
    const app = serve();
    await app.ready();
    const served = new Set<string>();
    let prefix: string[] = [];
    for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
      const m = /^([│ ]*)[├└]── (\S+) \(([^)]+)\)/.exec(line);
      if (!m) continue;
      const depth = m[1].length / 4;
      prefix = [...prefix.slice(0, depth), m[2]];
      const route = prefix.join('').replace(/:(\w+)/g, '{$1}');
      for (const method of m[3].split(', ')) if (method !== 'HEAD') served.add(`${method.toLowerCase()} ${route}`);
    }
    await app.close();
    const documented = Object.entries(paths).flatMap(([t, item]) => Object.keys(item).map((m) => `${m} ${t}`));
    expect([...served].sort()).toEqual(documented.sort());
  });

  it('is committed as schemas/openapi.json, current (regenerate: resilient-sms openapi --out schemas/openapi.json)', () => {
    expect(fs.readFileSync(COMMITTED, 'utf8')).toBe(openApiJson());
  });
});

describe('the handlers answer what the document says', () => {
  const contract = new Contract(document);
  const seen = new Set<string>();

  it.each(CASES.map((c) => ({ ...c, name: `${c.request.method} ${c.request.url}`.slice(0, 60) })))(
    '$template answers $status to $name with a documented body',
    async ({ template, status, request, setup }) => {
      const app = serve(setup);
      try {
        const res = await app.inject(request);
        expect(res.statusCode).toBe(status);
        expect(contract.problems(request.method, template, { ...res, body: res.body })).toEqual([]);
        seen.add(`${request.method.toLowerCase()} ${template} ${status}`);
      } finally {
        await app.close();
      }
    },
  );

  it('produces every status code the document lists, for every operation', () => {
    const documented = Object.entries(paths).flatMap(([t, item]) =>
      Object.entries(item).flatMap(([m, op]) => Object.keys(op.responses as object).map((c) => `${m} ${t} ${c}`)),
    );
    expect([...seen].sort()).toEqual(documented.sort());
  });

  it('serves the document at /openapi.json without a key (GET and HEAD), as committed', async () => {
    const app = serve();
    const res = await app.inject(get('/openapi.json', {}));
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body).toBe(openApiJson());
    expect((await app.inject({ method: 'HEAD', url: '/openapi.json' })).statusCode).toBe(200);
    // Only GET and HEAD are open: anything else on it still needs a key.
    expect((await app.inject({ method: 'POST', url: '/openapi.json' })).statusCode).toBe(401);
    await app.close();
  });
});

describe('methods and URLs outside the document', () => {
  it('answers 405 with Allow (JSON, with a key) to a method a documented path does not take, 401 without a key', async () => {
    const app = serve();
    for (const [template, item] of Object.entries(paths)) {
      const url = key(template);
      const allowed = Object.keys(item).map((m) => m.toUpperCase());
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'QUERY']) {
        if (allowed.includes(method)) continue;
        const res = await app.inject({ method: method as 'GET', url, headers: bearer });
        expect({ method, url, status: res.statusCode, allow: res.headers.allow }).toEqual({
          method,
          url,
          status: 405,
          allow: [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].join(', '),
        });
        expect(res.json()).toEqual({
          error: `${method} is not allowed on this path (allowed: ${String(res.headers.allow)})`,
        });
        if (template !== '/health' && template !== '/openapi.json') {
          expect((await app.inject({ method: method as 'GET', url })).statusCode).toBe(401);
        }
      }
    }
    expect((await app.inject(get('/v2/nothing'))).json()).toEqual({ error: 'no such route' });
    await app.close();
  });

  it('answers a URL it cannot decode in its own error shape: 400 with a key, 401 without', async () => {
    const app = serve();
    const bad = await app.inject(get('/v1/messages/%zz'));
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: expect.stringMatching(/^invalid request: .*not a valid url component/) });
    expect((await app.inject(get('/v1/messages/%zz', {}))).statusCode).toBe(401);
    await app.close();
  });
});
