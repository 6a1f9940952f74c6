/**
 * The simulator's shared HTTP helper (src/simulator/http.ts) on its own: the router's choice of front and how it
 * answers what a front throws, and the AWS-style JSON answer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidInputError } from '../../src/domain/errors';
import { createRouter, HttpError, sendAwsJson, type Route } from '../../src/simulator/http';

const lines: { level: string; msg: string }[] = [];
const emit = (level: string, msg: string) => void lines.push({ level, msg });

const routes: Route[] = [
  {
    matches: (_req, url) => url.pathname === '/http-error',
    handle: () => {
      throw new HttpError(405, 'nope');
    },
  },
  {
    matches: (_req, url) => url.pathname === '/invalid',
    handle: () => {
      throw new InvalidInputError('fault', [{ path: 'effect', message: 'required' }]);
    },
  },
  {
    matches: (_req, url) => url.pathname === '/boom',
    handle: () => {
      throw new Error('boom');
    },
  },
  {
    matches: (req, url) => req.method === 'POST' && url.pathname === '/aws',
    handle: (_req, res, _url, raw) => sendAwsJson(res, 'req-1', 200, { raw }, { 'x-amzn-ErrorType': 'None' }),
  },
];

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => void createRouter(routes, emit)(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function call(path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; json: unknown }> {
  const res = await fetch(`${base}${path}`, init);
  return { status: res.status, headers: res.headers, json: await res.json() };
}

describe('createRouter', () => {
  it('answers a path no front claims with 404 and { error }', async () => {
    expect(await call('/nowhere')).toMatchObject({ status: 404, json: { error: 'no such path /nowhere' } });
  });

  it('answers an HttpError with its status and an InvalidInputError with 400 and its issues', async () => {
    expect(await call('/http-error')).toMatchObject({ status: 405, json: { error: 'nope' } });
    const invalid = await call('/invalid');
    expect(invalid.status).toBe(400);
    expect(invalid.json).toMatchObject({ issues: [{ path: 'effect', message: 'required' }] });
  });

  it('answers anything else with 500 and logs it', async () => {
    expect(await call('/boom')).toMatchObject({ status: 500, json: { error: 'simulator error: boom' } });
    expect(lines).toContainEqual({ level: 'error', msg: 'request failed' });
  });

  it('hands the front the whole body; the AWS answer carries the request id', async () => {
    const res = await call('/aws', { method: 'POST', body: 'hello' });
    expect(res).toMatchObject({ status: 200, json: { raw: 'hello' } });
    expect(res.headers.get('x-amzn-requestid')).toBe('req-1');
    expect(res.headers.get('x-amzn-errortype')).toBe('None');
    expect(res.headers.get('content-type')).toBe('application/json');
  });
});
