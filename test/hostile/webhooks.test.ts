/**
 * Hostile input to status webhooks: webhook URLs and fields in requests through the HTTP API (the real typed client
 * over a Temporal stand-in that records every call), forged or garbage signature headers given to
 * `verifyWebhookSignature`, and receivers that misbehave toward `postWebhook`. Requests answer 400 naming the field
 * and never reach Temporal; verification throws `WebhookVerificationError`, never anything else; the activity ends
 * with a classified failure, never hangs.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ApplicationFailure } from '@temporalio/common';
import { createWebhookActivities } from '../../src/activities/webhook';
import { buildApiServer } from '../../src/api/server';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/domain/config';
import { resolveMessage } from '../../src/domain/resolve';
import { webhookPolicySchema } from '../../src/domain/webhook-config';
import { signatureHeader } from '../../src/webhooks/signature';
import { verifyWebhookSignature, WebhookVerificationError } from '../../src/webhooks/verify';
import { API_KEY, apiKeys, realClientOverRecorder, type TemporalCall } from '../api/doubles';

const base = loadConfig(path.join(__dirname, '../../config/local.yaml'));
const config: Config = {
  ...base,
  policies: {
    ...base.policies,
    otp: {
      ...base.policies.otp,
      webhook: webhookPolicySchema.parse({ signingKeyId: 'k1', keys: [{ id: 'k1', env: 'RSMS_HOSTILE_WEBHOOK_K1' }] }),
    },
  },
};
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
  return { status: res.statusCode, error: res.json<{ error?: string }>().error };
}

describe('webhooks in requests through the HTTP API', () => {
  it.each([
    ['file:///etc/passwd', 'must be https (not file:)'],
    ['data:text/plain,hi', 'must be https (not data:)'],
    ['gopher://127.0.0.1:6379/_FLUSHALL', 'must be https (not gopher:)'],
    ['http://10.0.0.5/hook', 'plain http only to localhost'],
    ['http://localhost.evil.example/hook', 'plain http only to localhost'],
    ['https://169.254.169.254/latest/meta-data/', 'instance metadata service'],
    ['https://2852039166/latest/meta-data/', 'instance metadata service'], // 169.254.169.254 as one number
    ['https://[fd00:ec2::254]/latest/meta-data/', 'instance metadata service'],
    ['https://[::ffff:169.254.169.254]/latest/meta-data/', 'instance metadata service'],
    ['https://[0:0:0:0:0:ffff:a9fe:a9fe]/latest/meta-data/', 'instance metadata service'],
    ['https://admin:hunter2@app.example.com/', 'user name or password'],
    ['https://app.example.com/#x', '#fragment'],
    ['not a url', 'not an absolute URL'],
    [`https://app.example.com/${'a'.repeat(5000)}`, 'longer than 2048'],
  ])('webhook.url %j: 400 naming webhook.url, nothing started', async (url, problem) => {
    const res = await send({ ...ok, webhook: { url } });
    expect(res.status).toBe(400);
    expect(res.error).toContain('webhook.url');
    expect(res.error).toContain(problem);
    expect(res.error).not.toContain('hunter2');
    expect(calls).toHaveLength(0);
  });

  it.each([
    [{ url: 'https://a.example.com/', keyId: 'k1' }, 'Unrecognized key: "keyId"'],
    [{ url: 'https://a.example.com/', secret: 'mine' }, 'Unrecognized key: "secret"'],
    [{ url: 'https://a.example.com/', env: 'AWS_SECRET_ACCESS_KEY' }, 'Unrecognized key: "env"'],
    [{ url: 'https://a.example.com/', events: 'all' }, 'webhook.events'],
    ['https://a.example.com/', 'webhook'],
    [{}, 'webhook.url: required'],
    [[{ url: 'https://a.example.com/' }], 'webhook'],
  ])('webhook %j: 400, a request never chooses a key or a secret', async (webhook, problem) => {
    const res = await send({ ...ok, webhook });
    if (res.status === 202) throw new Error(`accepted ${JSON.stringify(webhook)}`);
    expect(res.status).toBe(400);
    expect(res.error).toContain(problem);
    expect(calls).toHaveLength(0);
  });

  it('a webhook with an own "__proto__" key (raw JSON): 400, nothing started', async () => {
    const payload = `{"destination":"+14255550156","body":"hi","useCase":"otp","webhook":{"url":"https://a.example.com/","__proto__":{"keyId":"x"}}}`;
    const res = await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { ...bearer, 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(calls).toHaveLength(0);
  });

  it("refuses a request's webhook on a use case without webhook keys", async () => {
    const useCase = Object.keys(config.policies).find((u) => !config.policies[u].webhook)!;
    const res = await send({ ...ok, useCase, webhook: { url: 'https://a.example.com/' } });
    expect(res.status).toBe(400);
    expect(res.error).toContain(`webhook: use case "${useCase}" has no webhook keys`);
    expect(calls).toHaveLength(0);
  });

  it('starts a message whose request names a good webhook: the request carries its URL, the plan only the key id', async () => {
    const webhook = { url: 'https://a.example.com/hook' };
    const res = await send({ ...ok, webhook });
    expect(res.status).toBe(202);
    // The client starts the message with the request alone; the worker resolves the plan from it.
    expect(calls).toHaveLength(1);
    expect(JSON.stringify(calls[0].args)).toContain('"webhook":{"url":"https://a.example.com/hook"}');
    expect(JSON.stringify(calls)).not.toContain('RSMS_HOSTILE_WEBHOOK_K1');
    const { plan } = resolveMessage(config, { ...ok, webhook });
    expect(plan.webhook).toMatchObject({ url: webhook.url, keyId: 'k1' });
    expect(JSON.stringify(plan)).not.toContain('RSMS_HOSTILE_WEBHOOK_K1');
  });
});

describe('forged and garbage signature headers', () => {
  const secret = 's'.repeat(40);
  const body = '{"id":"run:final"}';
  const t = 1_764_547_200;
  const good = signatureHeader({ id: 'k1', secret }, t, body);
  const now = t * 1000;

  it.each([
    [
      'no kid, a signature by another secret',
      signatureHeader({ id: 'k1', secret: 'x'.repeat(40) }, t, body).replace('kid=k1,', ''),
    ],
    ['kid __proto__', good.replace('kid=k1', 'kid=__proto__')],
    ['kid constructor', good.replace('kid=k1', 'kid=constructor')],
    ['a v1 of the wrong length', `t=${t},kid=k1,v1=abc`],
    ['an upper-case hex v1', good.replace(/v1=(\w+)/, (_m, h: string) => `v1=${h.toUpperCase()}`)],
    ['t negative', good.replace(`t=${t}`, `t=-${t}`)],
    ['t huge', good.replace(`t=${t}`, 't=99999999999999999999')],
    ['ten thousand commas', ','.repeat(10_000)],
    ['a header of 5000 v1 entries', Array.from({ length: 5000 }, () => `v1=${'0'.repeat(64)}`).join(',')],
    ['NUL bytes', `t=${t}\u0000,kid=k1,v1=${'0'.repeat(64)}`],
    ['the signature of an empty body', signatureHeader({ id: 'k1', secret }, t, '')],
  ])('%s: a WebhookVerificationError, nothing else', (_what, header) => {
    let thrown: unknown;
    try {
      verifyWebhookSignature({ body, signature: header, secrets: { k1: secret }, now });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(WebhookVerificationError);
  });

  it('verifies the untouched header (the cases above fail for their change alone)', () => {
    expect(verifyWebhookSignature({ body, signature: good, secrets: { k1: secret }, now }).keyId).toBe('k1');
  });
});

describe('receivers that misbehave toward postWebhook', () => {
  let server: Server;
  let url: string;
  let behave: (res: import('node:http').ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => behave(res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const { postWebhook } = createWebhookActivities({ keys: new Map([['k1', 's'.repeat(40)]]) });
  const input = () => ({
    url,
    keyId: 'k1',
    deliveryId: 'd',
    type: 'message.final' as const,
    body: '{}',
    timeoutMs: 1_000,
  });

  it('a 200 whose body never ends: delivered, the body is not read', async () => {
    behave = (res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write('x'.repeat(65536)), 5);
      res.on('close', () => clearInterval(timer));
    };
    await expect(postWebhook(input())).resolves.toEqual({ httpStatus: 200 });
  });

  it('a connection closed without an answer: retryable', async () => {
    behave = (res) => res.socket?.destroy();
    const err = await postWebhook(input()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'WebhookFailed', nonRetryable: false });
  });

  it('headers that never come: retryable after the timeout', async () => {
    behave = () => undefined;
    const err = await postWebhook({ ...input(), timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'WebhookFailed', nonRetryable: false });
    expect((err as Error).message).toContain('no answer within 300 ms');
  });
});
