/**
 * The codec server: Temporal's remote codec protocol (Payloads as protobuf JSON), bearer-token auth,
 * CORS for the Web UI's origin. Mostly through fastify's inject, once over a real port.
 */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { AesGcmPayloadCodec } from '../../src/codec/aes-gcm-codec';
import { SecretMatcher } from '../../src/codec/secrets';
import {
  buildCodecServer,
  CODEC_ALLOWED_HEADERS,
  CODEC_BODY_LIMIT,
  payloadFromJson,
  payloadToJson,
  startCodecServer,
} from '../../src/codec/server';
import { configSchema } from '../../src/domain/config';
import { fixtureConfigInput } from '../helpers/fixtures';

const TOKEN = 'codec-token-0123456789abcdef';
const UI = 'http://localhost:8233';
const auth = { authorization: `Bearer ${TOKEN}` };

const codec = new AesGcmPayloadCodec(new Map([['k1', randomBytes(32)]]), 'k1');
let app: FastifyInstance;

function build(allowTokenInPath = false): FastifyInstance {
  return buildCodecServer({
    codec,
    tokens: new SecretMatcher([{ id: 'codec', value: TOKEN }]),
    corsOrigins: [UI],
    allowTokenInPath,
  });
}

/** What the Web UI sends: Payloads in protobuf JSON (bytes as base64). */
function wire(value: unknown) {
  return payloadToJson(defaultPayloadConverter.toPayload(value));
}

beforeEach(() => {
  app = build();
});
afterEach(async () => {
  await app.close();
});

describe('codec server', () => {
  it('encodes and decodes Payloads JSON, at any depth of the URL', async () => {
    const values = [{ destination: '+14255550156', body: 'Your code is 123456' }, 'x', 42];
    const enc = await app.inject({
      method: 'POST',
      url: '/encode',
      headers: { ...auth, 'content-type': 'application/json', 'x-namespace': 'default' },
      payload: { payloads: values.map(wire) },
    });
    expect(enc.statusCode).toBe(200);
    const encoded = enc.json<{ payloads: { metadata: Record<string, string>; data: string }[] }>();
    expect(encoded.payloads).toHaveLength(3);
    for (const p of encoded.payloads) {
      expect(Buffer.from(p.metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
      expect(Buffer.from(p.metadata['encryption-key-id'], 'base64').toString()).toBe('k1');
    }
    expect(enc.body).not.toContain(Buffer.from('4255550156').toString('base64').slice(0, 8));

    const dec = await app.inject({
      method: 'POST',
      url: '/namespaces/default/decode',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: encoded,
    });
    expect(dec.statusCode).toBe(200);
    const decoded = dec.json<{ payloads: { metadata: Record<string, string>; data: string }[] }>();
    expect(decoded.payloads.map((p) => defaultPayloadConverter.fromPayload(payloadFromJson(p)))).toEqual(values);
  });

  it('decodes what the real codec wrote into history', async () => {
    const [stored] = await codec.encode([defaultPayloadConverter.toPayload('from history')]);
    const res = await app.inject({
      method: 'POST',
      url: '/decode',
      headers: auth,
      payload: { payloads: [payloadToJson(stored)] },
    });
    expect(res.statusCode).toBe(200);
    const [p] = res.json<{ payloads: { metadata: Record<string, string>; data: string }[] }>().payloads;
    expect(defaultPayloadConverter.fromPayload(payloadFromJson(p))).toBe('from history');
  });

  it('answers 401 without the right bearer token, and never decodes', async () => {
    const [stored] = await codec.encode([defaultPayloadConverter.toPayload('secret')]);
    const payload = { payloads: [payloadToJson(stored)] };
    for (const headers of [
      {},
      { authorization: 'Bearer wrong-token-0123456789abcdef' },
      { authorization: `Basic ${TOKEN}` },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
    ]) {
      const res = await app.inject({ method: 'POST', url: '/decode', headers, payload });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.body).not.toContain('secret');
    }
    // The token in the path is refused unless allowed.
    const inPath = await app.inject({ method: 'POST', url: `/${TOKEN}/decode`, payload });
    expect(inPath.statusCode).toBe(401);
  });

  it('checks the token before reading the body: a bad or oversized body without it is a 401, not a 400 or 413', async () => {
    const malformed = await app.inject({
      method: 'POST',
      url: '/decode',
      headers: { 'content-type': 'application/json' },
      payload: '{"payloads": [',
    });
    expect(malformed.statusCode).toBe(401);
    const huge = await app.inject({
      method: 'POST',
      url: '/decode',
      headers: { 'content-type': 'application/json' },
      payload: `{"payloads":[{"data":"${'A'.repeat(CODEC_BODY_LIMIT + 1024)}"}]}`,
    });
    expect(huge.statusCode).toBe(401);
    // An unknown operation is refused before its body is read too.
    const other = await app.inject({ method: 'POST', url: '/transcode', headers: auth, payload: '{"payloads": [' });
    expect(other.statusCode).toBe(404);
  });

  it('reads bodies up to CODEC_BODY_LIMIT: the largest Payloads Temporal stores (2 MiB) fits, more is a 413', async () => {
    const [stored] = await codec.encode([defaultPayloadConverter.toPayload('x'.repeat(2 * 1024 * 1024 - 64))]);
    const largest = await app.inject({
      method: 'POST',
      url: '/decode',
      headers: auth,
      payload: { payloads: [payloadToJson(stored)] },
    });
    expect(largest.statusCode).toBe(200);
    const tooLarge = await app.inject({
      method: 'POST',
      url: '/decode',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: `{"payloads":[{"data":"${'A'.repeat(CODEC_BODY_LIMIT)}"}]}`,
    });
    expect(tooLarge.statusCode).toBe(413);
  });

  it('accepts the token as the path segment before /decode when allowTokenInPath is set', async () => {
    await app.close();
    app = build(true);
    const [stored] = await codec.encode([defaultPayloadConverter.toPayload('ok')]);
    const payload = { payloads: [payloadToJson(stored)] };
    expect((await app.inject({ method: 'POST', url: `/${TOKEN}/decode`, payload })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: `/nope${TOKEN}/decode`, payload })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/decode', payload })).statusCode).toBe(401);
  });

  it('answers the CORS preflight for the UI origin, with Authorization and X-Namespace allowed', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/decode',
      headers: {
        origin: UI,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-namespace',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(UI);
    expect(res.headers['access-control-allow-methods']).toBe('POST, OPTIONS');
    expect(res.headers['access-control-allow-headers']).toBe(CODEC_ALLOWED_HEADERS);
    expect(String(res.headers['access-control-allow-headers'])).toMatch(/Authorization/);
    expect(String(res.headers['access-control-allow-headers'])).toMatch(/X-Namespace/);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers.vary).toMatch(/Origin/);

    const post = await app.inject({ method: 'POST', url: '/encode', headers: { ...auth, origin: UI }, payload: {} });
    expect(post.statusCode).toBe(200);
    expect(post.headers['access-control-allow-origin']).toBe(UI);
    expect(post.json()).toEqual({ payloads: [] });

    // A 401 still carries the CORS headers, so the UI can tell the user why.
    const denied = await app.inject({ method: 'POST', url: '/decode', headers: { origin: UI }, payload: {} });
    expect(denied.statusCode).toBe(401);
    expect(denied.headers['access-control-allow-origin']).toBe(UI);
  });

  it('refuses other origins (preflight and requests) without CORS headers', async () => {
    for (const method of ['OPTIONS', 'POST'] as const) {
      const res = await app.inject({
        method,
        url: '/decode',
        headers: { ...auth, origin: 'https://evil.example', 'access-control-request-method': 'POST' },
        payload: method === 'POST' ? {} : undefined,
      });
      expect(res.statusCode).toBe(403);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('answers 400 for a body that is not Payloads JSON, 422 for a payload it cannot decrypt, 404 elsewhere', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/decode',
      headers: auth,
      payload: { payloads: [{ data: 1 }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: string }>().error).toMatch(/^invalid payloads: payloads\[0\]\.data/);

    const other = new AesGcmPayloadCodec(new Map([['k9', randomBytes(32)]]), 'k9');
    const [foreign] = await other.encode([defaultPayloadConverter.toPayload('x')]);
    const unknownKey = await app.inject({
      method: 'POST',
      url: '/decode',
      headers: auth,
      payload: { payloads: [payloadToJson(foreign)] },
    });
    expect(unknownKey.statusCode).toBe(422);
    expect(unknownKey.json<{ error: string }>().error).toMatch(/key "k9", which is not configured/);

    expect((await app.inject({ method: 'POST', url: '/transcode', headers: auth, payload: {} })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ ok: true });
  });
});

describe('startCodecServer', () => {
  const security = {
    encryption: { currentKeyId: 'k1', keys: [{ id: 'k1', env: 'CS_TEST_KEY' }] },
    codecServer: { tokenEnv: 'CS_TEST_TOKEN', corsOrigins: [UI], port: 0 },
  };
  const config = configSchema.parse({ ...fixtureConfigInput(), security });
  const env = { CS_TEST_KEY: randomBytes(32).toString('base64'), CS_TEST_TOKEN: TOKEN };

  it('serves over a real port with the keys and token from the environment', async () => {
    const server = await startCodecServer(config, { env });
    try {
      const preflight = await fetch(`${server.url}/decode`, {
        method: 'OPTIONS',
        headers: {
          origin: UI,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'x-namespace',
        },
      });
      expect(preflight.status).toBe(204);
      const enc = await fetch(`${server.url}/encode`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', 'x-namespace': 'default', origin: UI },
        body: JSON.stringify({ payloads: [wire('over the wire')] }),
      });
      expect(enc.status).toBe(200);
      const dec = await fetch(`${server.url}/decode`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: await enc.text(),
      });
      const body = (await dec.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
      expect(defaultPayloadConverter.fromPayload(payloadFromJson(body.payloads[0]))).toBe('over the wire');
      const anonymous = await fetch(`${server.url}/decode`, { method: 'POST', body: '{}' });
      expect(anonymous.status).toBe(401);
    } finally {
      await server.close();
    }
  });

  it('refuses to start without its token, a short token, or without encryption', async () => {
    await expect(startCodecServer(config, { env: { CS_TEST_KEY: env.CS_TEST_KEY } })).rejects.toThrow(
      'codec server token: environment variable CS_TEST_TOKEN is not set',
    );
    await expect(startCodecServer(config, { env: { ...env, CS_TEST_TOKEN: 'short' } })).rejects.toThrow(
      /CS_TEST_TOKEN is too short/,
    );
    const plain = configSchema.parse({ ...fixtureConfigInput(), security: { codecServer: security.codecServer } });
    await expect(startCodecServer(plain, { env })).rejects.toThrow(/security.encryption is not configured/);
  });
});
