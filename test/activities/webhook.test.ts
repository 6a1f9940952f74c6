/**
 * `postWebhook` (src/activities/webhook.ts) against an HTTP server in this process: the request it sends (signed,
 * with the delivery id and event type), and which answers it treats as delivered, worth retrying, or refused.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { createWebhookActivities, type PostWebhookInput } from '../../src/activities/webhook';
import { verifyWebhookSignature } from '../../src/webhooks/verify';

const SECRET = 'k1-secret-0123456789abcdef0123456789abcdef';
const NOW = 1_764_547_200_000;

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  url: string;
}

let server: Server;
let base: string;
let received: Received[] = [];
let answer: (res: ServerResponse) => void = (res) => res.writeHead(204).end();

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), url: req.url ?? '' });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received = [];
  answer = (res) => res.writeHead(204).end();
});

const { postWebhook } = createWebhookActivities({ keys: new Map([['k1', SECRET]]), now: () => NOW });

function input(over: Partial<PostWebhookInput> = {}): PostWebhookInput {
  return {
    url: `${base}/hook?token=t0k3n`,
    keyId: 'k1',
    deliveryId: 'run-1:final',
    type: 'message.final',
    body: JSON.stringify({ id: 'run-1:final', type: 'message.final' }),
    timeoutMs: 2_000,
    ...over,
  };
}

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('postWebhook', () => {
  it('POSTs the body signed with the named key, with the delivery id and event type, to the URL with its query', async () => {
    await expect(postWebhook(input())).resolves.toEqual({ httpStatus: 204 });
    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req.url).toBe('/hook?token=t0k3n');
    expect(req.body).toBe(input().body);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['resilient-sms-delivery-id']).toBe('run-1:final');
    expect(req.headers['resilient-sms-event']).toBe('message.final');
    const verified = verifyWebhookSignature({
      body: req.body,
      signature: req.headers['resilient-sms-signature'],
      secrets: { k1: SECRET },
      now: NOW,
    });
    expect(verified).toMatchObject({ keyId: 'k1', timestamp: NOW / 1000 });
  });

  it.each([200, 201, 202, 299])('treats %i as delivered', async (status) => {
    answer = (res) => res.writeHead(status).end('ok');
    await expect(postWebhook(input())).resolves.toEqual({ httpStatus: status });
  });

  it.each([400, 401, 403, 404, 410, 422])('stops on %i: non-retryable WebhookRejected', async (status) => {
    answer = (res) => res.writeHead(status).end();
    const failure = await failureOf(postWebhook(input()));
    expect(failure).toMatchObject({ type: 'WebhookRejected', nonRetryable: true });
    expect(failure.message).toContain(`answered HTTP ${status}; not retried`);
    expect(failure.message).not.toContain('t0k3n');
  });

  it('does not follow a redirect, and says so', async () => {
    answer = (res) => res.writeHead(302, { location: `${base}/elsewhere` }).end();
    const failure = await failureOf(postWebhook(input()));
    expect(failure).toMatchObject({ type: 'WebhookRejected', nonRetryable: true });
    expect(failure.message).toContain('redirects are not followed');
    expect(received.map((r) => r.url)).toEqual(['/hook?token=t0k3n']);
  });

  it.each([408, 429, 500, 502, 503, 504])('retries %i', async (status) => {
    answer = (res) => res.writeHead(status).end();
    const failure = await failureOf(postWebhook(input()));
    expect(failure).toMatchObject({ type: 'WebhookFailed', nonRetryable: false });
    expect(failure.details).toEqual([{ httpStatus: status }]);
  });

  it("waits a 429's Retry-After seconds (at most an hour), ignoring one it cannot read", async () => {
    answer = (res) => res.writeHead(429, { 'retry-after': '120' }).end();
    expect((await failureOf(postWebhook(input()))).nextRetryDelay).toBe(120_000);
    answer = (res) => res.writeHead(503, { 'retry-after': '999999' }).end();
    expect((await failureOf(postWebhook(input()))).nextRetryDelay).toBe(3_600_000);
    answer = (res) => res.writeHead(429, { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }).end();
    expect((await failureOf(postWebhook(input()))).nextRetryDelay).toBeUndefined();
  });

  it('retries a refused connection, naming the socket error and not the query', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const failure = await failureOf(postWebhook(input({ url: `http://127.0.0.1:${port}/hook?token=t0k3n` })));
    expect(failure).toMatchObject({ type: 'WebhookFailed', nonRetryable: false });
    expect(failure.message).toBe(`webhook http://127.0.0.1:${port}/hook: ECONNREFUSED`);
  });

  it('retries a receiver that does not answer within the timeout', async () => {
    answer = () => undefined; // never answers
    const failure = await failureOf(postWebhook(input({ timeoutMs: 200 })));
    expect(failure).toMatchObject({ type: 'WebhookFailed', nonRetryable: false });
    expect(failure.message).toContain('no answer within 200 ms');
  });

  it('refuses to sign with a key id this worker does not have (retryable: another worker may), sending nothing', async () => {
    const failure = await failureOf(postWebhook(input({ keyId: 'k9' })));
    expect(failure).toMatchObject({ type: 'WebhookKeyUnknown', nonRetryable: false });
    expect(failure.message).toContain('webhook key "k9" is not in this worker\'s config');
    expect(received).toHaveLength(0);
  });
});
