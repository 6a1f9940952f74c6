/**
 * The HTTP API for applications in any language (`resilient-sms api`, also started by the local stack):
 *
 *   POST /v1/messages                 send (idempotent: body `idempotencyKey` and/or `Idempotency-Key` header)
 *                                     -> 202 { idempotencyKey, workflowId, started, smsParts }
 *                                     (409 when the key was used for a different request: `differentFields`)
 *   GET  /v1/messages/{key}           the status record, whatever state its workflow is in -> 200
 *   POST /v1/messages/{key}/feedback  { "status": "RECEIVED" | "FAILED" }             -> 202 (409 when it has ended)
 *   POST /v1/messages/{key}/cancel    { "reason"?: string }                           -> 202 (409 when it has ended)
 *   GET  /routes, POST /routes/drain, POST /routes/undrain
 *                                     route health for operators (./routes-api.ts)
 *   GET  /pumping, POST /pumping/unblock  { "key": "+4470" | "GB" | "prefix:+4470" | "country:GB" }
 *                                     the SMS pumping guard for operators (./pumping-api.ts; 404 when the key is
 *                                     not blocked)
 *   GET  /health                      liveness (also HEAD, any query string; no authentication)
 *   GET  /openapi.json                the OpenAPI 3.1 contract of these routes (./openapi.ts; no authentication: it
 *                                     holds no secret and no data, and a client generator or schemathesis must read
 *                                     it before it has a key)
 *
 * `{key}` is the idempotency key or the workflow id (`sms:<key>`).
 * Every other request needs an API key from the config (`Authorization: Bearer <key>` or
 * `X-Api-Key: <key>`), compared in constant time, checked before the body is even read. Answers:
 * 401 bad or missing key, 400 invalid body or key (`{ "error": "invalid message request: destination: …" }`),
 * 404 unknown message, 409 a message that has ended (to feedback and cancel: `{ error, status, … }`) or a key
 * reused for a different request, 503 Temporal unreachable, 405 (with `Allow`) a method the path does not take.
 * 401 and 400 reach nothing in Temporal. Every answer is JSON (`{ "error": … }` for errors), as the contract says.
 * Bodies and phone numbers are never logged.
 */
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import { isGrpcServiceError } from '@temporalio/client';
import type { ResilientSmsClient } from '../client';
import { IdempotencyConflictError, MessageEndedError, MessageNotFoundError } from '../client';
import { InvalidInputError, parseOrThrow } from '../domain/errors';
import { sendRequestSchema } from '../domain/message';
import type { SendRequestInput } from '../domain/resolve';
import type { SecretMatcher } from '../codec/secrets';
import { NothingToUndrainError, RouteChangeRefusedError } from '../health/operators';
import { allowedMethods, buildOpenApiDocument, openApiJson, type JsonObject } from './openapi';
import type { CancelAccepted, FeedbackAccepted, SendAccepted } from './responses';
import { NothingToUnblockError } from '../pumping/operators';
import { registerPumpingApi, type PumpingOperations } from './pumping-api';
import { registerRouteHealthApi, type RouteOperations } from './routes-api';
import { cancelRequestSchema, feedbackRequestSchema, keyParamsSchema } from './schemas';

/** Paths answered without an API key (GET and HEAD only). */
const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/health', '/openapi.json']);

/** What the API needs from the typed client (tests pass a double). */
export type MessagesClient = Pick<ResilientSmsClient, 'sendMessage' | 'getStatus' | 'recordFeedback' | 'cancel'>;

export interface ApiServerOptions {
  client: MessagesClient;
  apiKeys: SecretMatcher;
  /** Route health for operators (`/routes…`); without it those routes answer 503. */
  routes?: RouteOperations;
  /** The SMS pumping guard for operators (`/pumping…`, ./pumping-api.ts); without it those routes answer 503. */
  pumping?: PumpingOperations;
  /** Fastify logger option (pino options, e.g. `{ level: 'info' }`); default off. */
  logger?: FastifyServerOptions['logger'];
  /** Largest request body, bytes. Default 64 KiB (an SMS body is at most 630 UCS-2 or 1530 GSM characters). */
  bodyLimit?: number;
}

/** gRPC codes meaning "Temporal is not reachable or not answering now". */
const UNAVAILABLE_GRPC_CODES = new Set([
  1, // CANCELLED (connection dropped)
  4, // DEADLINE_EXCEEDED
  8, // RESOURCE_EXHAUSTED
  14, // UNAVAILABLE
]);
const UNAVAILABLE_NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

/** Whether an error means Temporal could not be reached (answer 503, the caller may retry). */
export function isTemporalUnavailable(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 10 && current instanceof Error; depth++) {
    if (isGrpcServiceError(current)) return UNAVAILABLE_GRPC_CODES.has(current.code);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'number' && UNAVAILABLE_GRPC_CODES.has(code) && 'details' in current) return true;
    if (typeof code === 'string' && UNAVAILABLE_NET_CODES.has(code)) return true;
    if (current.name === 'TransportError' || current.name === 'TimeoutError') return true;
    current = current.cause;
  }
  return false;
}

function singleHeader(req: FastifyRequest, name: string): string | undefined {
  const value = req.headers[name];
  if (Array.isArray(value)) {
    throw new InvalidInputError('request', [{ path: name, message: 'header given more than once' }]);
  }
  return value;
}

function presentedKey(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(auth);
    return m ? m[1] : undefined;
  }
  const apiKey = req.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey : undefined;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The message request with the `Idempotency-Key` header folded in (they must agree when both are given). */
function withHeaderKey(body: unknown, headerKey: string | undefined): unknown {
  if (headerKey === undefined || !isPlainObject(body)) return body;
  if (body.idempotencyKey !== undefined && body.idempotencyKey !== headerKey) {
    throw new InvalidInputError('message request', [
      { path: 'idempotencyKey', message: 'differs from the Idempotency-Key header' },
    ]);
  }
  return { ...body, idempotencyKey: headerKey };
}

function keyOf(req: FastifyRequest): string {
  return parseOrThrow(keyParamsSchema, req.params, 'message key').key;
}

export function buildApiServer(opts: ApiServerOptions): FastifyInstance {
  if (opts.apiKeys.size === 0) {
    throw new Error('security.api.keys is empty: every API request must be authenticated; add { id, env } entries');
  }
  const { client } = opts;
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: opts.bodyLimit ?? 64 * 1024,
    // Fastify's default (100) answers 414 to a key of 101-200 characters (or its workflow id, URL-encoded):
    // let every one through to keyParamsSchema, which names what is wrong.
    routerOptions: { maxParamLength: 1024 },
    // A URL the router cannot decode (a bad percent-encoding) is answered before any hook runs: still a 401 without
    // a key, else a 400 in the API's error shape.
    frameworkErrors: (err, req, res) => {
      const reply = res as FastifyReply;
      if (opts.apiKeys.match(presentedKey(req)) === undefined) void unauthorized(reply);
      else void reply.code(400).send({ error: `invalid request: ${err.message}` });
    },
  });

  // An empty JSON body (a bare POST …/cancel) is "no body", not a parse error.
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(['application/json', 'text/plain']); // JSON only: anything else is a 415
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') done(null, undefined);
    else void jsonParser(req, text, done);
  });

  // The id of the API key each request presented: who made a change, for the log.
  const callers = new WeakMap<FastifyRequest, string>();
  app.addHook('onRequest', async (req, reply) => {
    // Load balancers probe /health with GET or HEAD, sometimes with a query string, and never with a key; the
    // contract is public too (see the header).
    if ((req.method === 'GET' || req.method === 'HEAD') && PUBLIC_PATHS.has(req.url.split('?')[0])) return;
    const caller = opts.apiKeys.match(presentedKey(req));
    if (caller !== undefined) callers.set(req, caller);
    else return unauthorized(reply);
  });

  app.get('/health', (_req, reply) => reply.send({ ok: true }));

  const contractJson = openApiJson(contract());
  app.get('/openapi.json', (_req, reply) => reply.type('application/json; charset=utf-8').send(contractJson));

  app.post('/v1/messages', async (req, reply) => {
    const input = withHeaderKey(req.body, singleHeader(req, 'idempotency-key'));
    // Validated here for a clear 400 before anything else; the client validates it against the config too.
    // Without `useCase` the client uses the config's first policy: the same default as the CLI.
    parseOrThrow(sendRequestSchema, input, 'message request');
    const sent = await client.sendMessage(input as SendRequestInput);
    const accepted: SendAccepted = {
      idempotencyKey: sent.idempotencyKey,
      workflowId: sent.workflowId,
      started: sent.started,
      smsParts: sent.smsParts,
    };
    return reply
      .code(202)
      .header('location', `/v1/messages/${encodeURIComponent(sent.idempotencyKey)}`)
      .send(accepted);
  });

  app.get('/v1/messages/:key', async (req) => {
    return client.getStatus(keyOf(req));
  });

  app.post('/v1/messages/:key/feedback', async (req, reply) => {
    const key = keyOf(req);
    const { status } = parseOrThrow(feedbackRequestSchema, req.body, 'feedback request');
    const message = await client.recordFeedback(key, status);
    const accepted: FeedbackAccepted = { idempotencyKey: message.idempotencyKey, feedback: status };
    return reply.code(202).send(accepted);
  });

  app.post('/v1/messages/:key/cancel', async (req, reply) => {
    const key = keyOf(req);
    // No body at all is no reason; a JSON `null` (or any other non-object) is a 400 like any bad body.
    const { reason } = parseOrThrow(cancelRequestSchema, req.body === undefined ? {} : req.body, 'cancel request');
    const message = await client.cancel(key, reason);
    const accepted: CancelAccepted = { idempotencyKey: message.idempotencyKey, cancelRequested: true };
    return reply.code(202).send(accepted);
  });

  registerRouteHealthApi(app, opts.routes ?? unavailableRoutes, (req) => callers.get(req) ?? 'unknown');
  registerPumpingApi(app, opts.pumping ?? unavailablePumping, (req) => callers.get(req) ?? 'unknown');

  app.setNotFoundHandler(noSuchRoute);

  app.setErrorHandler(answerError);

  return app;
}

function unauthorized(reply: FastifyReply): FastifyReply {
  return reply
    .code(401)
    .header('www-authenticate', 'Bearer realm="resilient-sms"')
    .send({ error: 'missing or invalid API key (Authorization: Bearer <key> or X-Api-Key)' });
}

let contractDocument: JsonObject | undefined;
/** The OpenAPI document of this API (built once). */
function contract(): JsonObject {
  contractDocument ??= buildOpenApiDocument();
  return contractDocument;
}

/** No route for this method and path: 405 with `Allow` when the path takes other methods, else 404. */
function noSuchRoute(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const allow = allowedMethods(req.url, contract());
  if (allow === undefined) return reply.code(404).send({ error: 'no such route' });
  return reply
    .code(405)
    .header('allow', allow.join(', '))
    .send({ error: `${req.method} is not allowed on this path (allowed: ${allow.join(', ')})` });
}

/** Route operations when the API was built without them: every call says so. */
const unavailableRoutes: RouteOperations = {
  routes: () => Promise.reject(new OperationsUnavailableError('route')),
  drain: () => Promise.reject(new OperationsUnavailableError('route')),
  undrain: () => Promise.reject(new OperationsUnavailableError('route')),
};

const unavailablePumping: PumpingOperations = {
  list: () => Promise.reject(new OperationsUnavailableError('pumping guard')),
  unblock: () => Promise.reject(new OperationsUnavailableError('pumping guard')),
};

class OperationsUnavailableError extends Error {
  constructor(what: 'route' | 'pumping guard') {
    super(`${what} operations are not available on this API server`);
  }
}

/** Every error as the answer the API documents: 400, 404, 409, 503, Fastify's own 4xx, else a 500 without details. */
function answerError(err: Error, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof InvalidInputError) return reply.code(400).send({ error: err.message });
  if (
    err instanceof MessageNotFoundError ||
    err instanceof NothingToUndrainError ||
    err instanceof NothingToUnblockError
  ) {
    return reply.code(404).send({ error: err.message });
  }
  if (err instanceof RouteChangeRefusedError) return reply.code(422).send({ error: err.message });
  if (err instanceof MessageEndedError) {
    const { idempotencyKey, workflowId, status } = err;
    return reply.code(409).send({ error: err.message, idempotencyKey, workflowId, status });
  }
  if (err instanceof IdempotencyConflictError) {
    const { idempotencyKey, workflowId, differentFields } = err;
    return reply.code(409).send({ error: err.message, idempotencyKey, workflowId, differentFields });
  }
  if (err instanceof OperationsUnavailableError) return reply.code(503).send({ error: err.message });
  if (isTemporalUnavailable(err)) {
    req.log.warn({ err: { name: err.name } }, 'Temporal unavailable');
    return reply.code(503).header('retry-after', '5').send({ error: 'Temporal is unavailable; retry later' });
  }
  // A method no route takes fails Fastify's body checks on the way to the not-found handler (a QUERY without a
  // content type): the answer is still the 405 or 404 the method and path get.
  if (req.is404) return noSuchRoute(req, reply);
  const status = (err as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Fastify's own: malformed JSON (including a forbidden __proto__ key), unsupported media type, body too large.
    return reply.code(status).send({ error: `invalid request: ${err.message}` });
  }
  // Long digit runs look like phone numbers: never let one into a log.
  const message = String(err.message).replace(/\+?\d{6,}/g, '[digits]');
  req.log.error({ err: { name: err.name, message } }, 'request failed');
  return reply.code(500).send({ error: 'internal error' });
}
