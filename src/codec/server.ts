/**
 * The codec server (`resilient-sms codec-server`): Temporal's remote codec protocol, so that an
 * authorised operator sees plaintext in the Web UI (or `temporal workflow show --codec-endpoint …`)
 * and nobody else does.
 *
 *   POST …/encode, POST …/decode   body and answer: Payloads as protobuf JSON,
 *                                  `{ "payloads": [{ "metadata": { "encoding": "<base64>" }, "data": "<base64>" }] }`
 *   OPTIONS …                      CORS preflight, for the configured origins only
 *   GET /health                    liveness, no secrets involved
 *
 * Only the last path segment selects encode or decode (the protocol lets the endpoints be mounted at
 * any depth). Every encode/decode needs `Authorization: Bearer <token>` (the token from the variable
 * `security.codecServer.tokenEnv` names, compared in constant time), checked before the body is
 * read; with `allowTokenInPath` the token may instead be the path segment before it, for a Web UI
 * that cannot send one. A body is at most `CODEC_BODY_LIMIT`. Nothing about a request's payloads or
 * its path is logged.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { PayloadCodec, Payload } from '@temporalio/common';
import { z } from 'zod';
import type { Config } from '../domain/config';
import { parseOrThrow, InvalidInputError } from '../domain/errors';
import { codecFor } from './data-converter';
import { PayloadDecryptionError } from './aes-gcm-codec';
import { requireSecret, SecretMatcher, secretSourceFor } from './secrets';

export const CODEC_ALLOWED_HEADERS = 'Authorization, Content-Type, X-Namespace';
const MIN_TOKEN_LENGTH = 16;

const base64Schema = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');

/** One Payload in protobuf JSON: bytes fields as base64. Unknown fields are ignored. */
const wirePayloadSchema = z.looseObject({
  metadata: z.record(z.string(), base64Schema).nullish(),
  data: base64Schema.nullish(),
});
const wirePayloadsSchema = z.looseObject({ payloads: z.array(wirePayloadSchema).nullish() });
type WirePayload = z.output<typeof wirePayloadSchema>;

export function payloadFromJson(p: WirePayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) metadata[k] = Buffer.from(v, 'base64');
  return { metadata, data: Buffer.from(p.data ?? '', 'base64') };
}

export function payloadToJson(p: Payload): { metadata: Record<string, string>; data: string } {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) metadata[k] = Buffer.from(v).toString('base64');
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** The accepted bearer token(s). */
  tokens: SecretMatcher;
  /** Browser origins allowed by CORS (the Web UI's). */
  corsOrigins: readonly string[];
  /** Accept the token as the path segment before /encode or /decode. Default false. */
  allowTokenInPath?: boolean;
  /** Fastify logger option; default off. */
  logger?: boolean | { level: string };
  /** Largest request body, bytes. Default `CODEC_BODY_LIMIT`. */
  bodyLimit?: number;
}

/**
 * What the Web UI sends: one `Payloads` message per request, the `payloads` of one event attribute
 * (workflow input, signal, query result, …; `decodeAllPotentialPayloadsWithCodec` in
 * https://github.com/temporalio/ui/blob/main/src/lib/utilities/decode-payload.ts), and
 * `temporal workflow show --codec-endpoint` does the same. Temporal refuses any such blob over 2 MiB
 * (dynamic config `limit.blobSize.error`, default 2 MiB: "Blob size limit" in
 * https://docs.temporal.io/self-hosted-guide/defaults). As base64 in protobuf JSON that is 2.67 MiB,
 * plus metadata and framing: 4 MiB covers the largest real request with room to spare, and nothing
 * larger is read.
 */
export const CODEC_BODY_LIMIT = 4 * 1024 * 1024;

function bearerToken(header: string | undefined): string | undefined {
  const m = header ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
  return m ? m[1] : undefined;
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** `/<prefix…>/<op>`: the operation (last segment) and the prefix before it. */
function splitPath(url: string): { op: string | undefined; prefix: string } {
  const segments = pathOf(url).split('/').filter(Boolean);
  const op = segments.pop();
  let prefix = segments.join('/');
  try {
    prefix = decodeURIComponent(prefix);
  } catch {
    // keep it as sent: it will not match a token
  }
  return { op, prefix };
}

export function buildCodecServer(opts: CodecServerOptions): FastifyInstance {
  if (opts.tokens.size === 0) throw new Error('the codec server needs a token: every request is authenticated');
  const origins = new Set(opts.corsOrigins);
  const app = Fastify({
    // Request URLs may carry the token (allowTokenInPath): requests are logged by method and operation only.
    logger: opts.logger
      ? {
          level: opts.logger === true ? 'info' : opts.logger.level,
          serializers: {
            req: (req: { method: string; url: string }) => ({ method: req.method, op: splitPath(req.url).op }),
          },
        }
      : false,
    bodyLimit: opts.bodyLimit ?? CODEC_BODY_LIMIT,
  });

  const corsFor = (req: FastifyRequest, reply: FastifyReply): boolean => {
    void reply.header('vary', 'Origin');
    const origin = req.headers.origin;
    if (origin === undefined) return true; // not a browser's cross-origin call (tctl, temporal CLI, curl)
    if (!origins.has(origin)) return false;
    void reply.header('access-control-allow-origin', origin).header('access-control-allow-credentials', 'true');
    return true;
  };

  // Everything about a POST is decided here, before its body is read: a request without the token
  // costs no parsing (twenty unauthenticated 7.8 MB bodies used to delay an authorised decode by seconds).
  app.addHook('onRequest', async (req, reply) => {
    if (!corsFor(req, reply)) {
      return reply.code(403).send({ error: 'origin not allowed' });
    }
    if (req.method !== 'POST') return;
    const { op, prefix } = splitPath(req.url);
    if (op !== 'encode' && op !== 'decode') return reply.code(404).send({ error: 'POST …/encode or …/decode' });
    const presented = bearerToken(req.headers.authorization) ?? (opts.allowTokenInPath && prefix ? prefix : undefined);
    if (opts.tokens.match(presented) === undefined) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="resilient-sms codec"')
        .header('connection', 'close') // the unread body is not drained on this connection
        .send({ error: 'missing or invalid token' });
    }
  });

  app.get('/health', (_req, reply) => reply.send({ ok: true }));

  app.options('/*', async (req, reply) => {
    void reply
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', CODEC_ALLOWED_HEADERS)
      .header('access-control-max-age', '600');
    if (req.headers['access-control-request-private-network'] === 'true') {
      void reply.header('access-control-allow-private-network', 'true');
    }
    return reply.code(204).send();
  });

  app.post('/*', async (req, reply) => {
    const { op } = splitPath(req.url); // encode or decode, and authenticated: checked in onRequest
    const body = parseOrThrow(wirePayloadsSchema, req.body, 'payloads');
    const payloads = (body.payloads ?? []).map(payloadFromJson);
    const out = op === 'encode' ? await opts.codec.encode(payloads) : await opts.codec.decode(payloads);
    return reply.code(200).send({ payloads: out.map(payloadToJson) });
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof InvalidInputError) return reply.code(400).send({ error: err.message });
    if (err instanceof PayloadDecryptionError) return reply.code(422).send({ error: err.message });
    const status = (err as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return reply.code(status).send({ error: (err as Error).message });
    }
    req.log.error({ err: { name: (err as Error).name, message: (err as Error).message } }, 'codec request failed');
    return reply.code(500).send({ error: 'internal error' });
  });

  return app;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Builds the codec server from a config (keys and token read from the environment) and listens. */
export async function startCodecServer(
  config: Config,
  opts: { host?: string; port?: number; env?: NodeJS.ProcessEnv; logger?: boolean | { level: string } } = {},
): Promise<RunningServer> {
  const { encryption, codecServer } = config.security;
  if (!encryption) throw new Error('security.encryption is not configured: the codec server has nothing to decode');
  if (!codecServer) throw new Error('security.codecServer is not configured (tokenEnv, corsOrigins, port)');
  const source = secretSourceFor(config, opts.env);
  const token = requireSecret(source, codecServer.tokenEnv, 'codec server token', MIN_TOKEN_LENGTH);
  const app = buildCodecServer({
    codec: codecFor(encryption, source),
    tokens: new SecretMatcher([{ id: 'codec', value: token }]),
    corsOrigins: codecServer.corsOrigins,
    allowTokenInPath: codecServer.allowTokenInPath,
    logger: opts.logger,
  });
  const host = opts.host ?? codecServer.host;
  await app.listen({ host, port: opts.port ?? codecServer.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? codecServer.port);
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, app, close: () => app.close() };
}

/** Waits for SIGINT/SIGTERM, then closes. */
export function untilStopped(close: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      close().then(resolve, resolve);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}
