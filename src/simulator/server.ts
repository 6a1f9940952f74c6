/**
 * The carrier simulator: a local stand-in for AWS End User Messaging SMS that the real AWS SDK reaches through its
 * `endpoint` setting, so production code runs unchanged.
 *
 * - AWS JSON 1.0 (`X-Amz-Target: PinpointSMSVoiceV2.<Operation>`): `SendTextMessage`, `SendVoiceMessage`,
 *   `PutMessageFeedback`. The Region comes from the SigV4 credential scope, the account from the access key id
 *   (the config's accounts with `static` credentials). Signatures are not verified.
 * - Every accepted message gets its delivery events (DLRs), published to the SNS topic of the config's
 *   `dlrQueues` entry for (account, Region), like a configuration set's event destination.
 * - Admin API under `/_sim/`: faults, the message log, reset, health (see `handleAdmin`).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../domain/config';
import { InvalidInputError } from '../domain/errors';
import { maskPhone } from '../domain/privacy';
import { DlrChaos, type ChaoticEvent } from './chaos';
import { buildEvent, eventSchedule, statusOf, type EventSubject } from './events';
import { apiFaultError, FaultStore, type Fault } from './faults';
import {
  DEFAULT_MAX_MESSAGES,
  MessageLog,
  newRequestRecord,
  parseJsonBody,
  type MessageFilter,
  type MessageRecord,
} from './message-log';
import {
  AwsError,
  CORAL_NAMESPACE,
  isoCountryOf,
  isSupportedOperation,
  parseAuthorization,
  parseFeedbackRequest,
  parseSendRequest,
  SIGNING_SERVICE,
  SUPPORTED_OPERATIONS,
  TARGET_PREFIX,
  validationError,
  type Caller,
  type JsonObject,
  type SendOperation,
} from './protocol';
import { EventPublisher } from './publisher';
import { createWhatsAppHandler, WHATSAPP_OPERATION, WHATSAPP_PATH_PREFIX } from './whatsapp';

export const DEFAULT_DELIVERY_DELAY_MS = 200;
/** Larger request bodies are refused (413); a valid SMS v2 request is a few KB. */
export const MAX_REQUEST_BYTES = 1024 * 1024;
const STOP_DRAIN_MS = 5_000;

export type SimulatorLog = (line: Record<string, unknown>) => void;

export interface SimulatorOptions {
  config: Config;
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Time from acceptance to the final delivery event. Default 200 ms. */
  deliveryDelayMs?: number;
  /**
   * Which events the configuration set's event destination publishes (its MatchingEventTypes): `all`, or the
   * `final` ones only. Default: what the ingester consumes (`ingester.intermediateEvents`: `signal` -> all,
   * `final-only` (its default) -> final), as a production event destination should be set up.
   */
  eventTypes?: 'all' | 'final';
  /** SNS endpoint for publishing, overriding `dlrQueues[].endpoint`. */
  snsEndpoint?: string;
  /** One structured line per request / event / admin change. Never receives message bodies. */
  log?: SimulatorLog;
  /** Dice of fault probabilities (tests make them deterministic). Default Math.random, seeded by `/_sim/chaos`. */
  random?: () => number;
  /** Message log bound. Default 100 000. */
  maxMessages?: number;
}

/** The simulator's in-memory state, also reachable in-process (tests, the local stack launcher). */
export interface SimulatorState {
  readonly messages: MessageLog;
  readonly faults: FaultStore;
  /** DLR chaos (`/_sim/chaos`): duplicated, reordered, late and dropped delivery events. */
  readonly chaos: DlrChaos;
  /** Account names by the static access key ids of the config. */
  readonly accountsByAccessKey: ReadonlyMap<string, string>;
  /** Event timers not yet fired. */
  pendingTimers(): number;
  /** Clears messages, faults and DLR chaos and cancels events still to come. */
  reset(): void;
}

export interface Simulator {
  /** Base URL: the SDK's `endpoint`, and the admin API under `/_sim/`. */
  url: string;
  port: number;
  state: SimulatorState;
  stop(): Promise<void>;
}

/** Static access key id -> account name. Two accounts with one key could not be told apart: that is an error. */
export function accountsByAccessKey(config: Config): Map<string, string> {
  const map = new Map<string, string>();
  for (const [name, account] of Object.entries(config.accounts)) {
    if (account.credentials.type !== 'static') continue;
    const key = account.credentials.accessKeyId;
    const other = map.get(key);
    if (other !== undefined) {
      throw new Error(
        `accounts.${name}.credentials.accessKeyId: same access key id as account "${other}"; ` +
          'the simulator tells accounts apart by their access key id',
      );
    }
    map.set(key, name);
  }
  return map;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(payload)),
    ...headers,
  });
  res.end(payload);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        reject(new HttpError(413, `request body larger than ${MAX_REQUEST_BYTES} bytes`));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** `?originator=+1206...` arrives as a space when the client did not encode `+`: restore it. */
function queryValue(params: URLSearchParams, name: string): string | undefined {
  const v = params.get(name);
  if (v === null) return undefined;
  return /^ \d/.test(v) ? `+${v.slice(1)}` : v;
}

const MESSAGE_FILTERS = [
  'account',
  'region',
  'originator',
  'destination',
  'outcome',
  'messageId',
  'operation',
] as const;

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const { config } = opts;
  const host = opts.host ?? '127.0.0.1';
  const deliveryDelayMs = opts.deliveryDelayMs ?? DEFAULT_DELIVERY_DELAY_MS;
  const eventTypes = opts.eventTypes ?? (opts.config.ingester?.intermediateEvents === 'signal' ? 'all' : 'final');
  if (!Number.isFinite(deliveryDelayMs) || deliveryDelayMs < 0) {
    throw new Error(`deliveryDelayMs must be a non-negative number, got ${deliveryDelayMs}`);
  }
  const log: SimulatorLog = opts.log ?? (() => {});
  const emit = (level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}) => {
    try {
      log({ time: new Date().toISOString(), level, component: 'simulator', msg, ...fields });
    } catch {
      // a broken log sink must not break the simulator
    }
  };

  const keys = accountsByAccessKey(config);
  const messages = new MessageLog(opts.maxMessages ?? DEFAULT_MAX_MESSAGES);
  const chaos = new DlrChaos();
  const faults = new FaultStore(Object.keys(config.accounts), opts.random ?? (() => chaos.faultRandom()));
  const publisher = new EventPublisher(config, opts.snsEndpoint);
  const timers = new Set<NodeJS.Timeout>();
  const inflight = new Set<Promise<void>>();
  let stopped = false;

  const track = (p: Promise<void>) => {
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };

  const cancelTimers = () => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
  };

  const state: SimulatorState = {
    messages,
    faults,
    chaos,
    accountsByAccessKey: keys,
    pendingTimers: () => timers.size,
    reset() {
      cancelTimers();
      messages.clear();
      faults.clear();
      chaos.clear();
    },
  };

  // End User Messaging Social (WhatsApp): POST /v1/whatsapp/send, see ./whatsapp.ts.
  const handleWhatsApp = createWhatsAppHandler({ keys, messages, faults, emit });

  // ---- delivery events ----

  async function publishEvent(record: MessageRecord, subject: EventSubject, scheduled: ChaoticEvent): Promise<void> {
    const now = Date.now();
    const happenedAt = scheduled.happenedAtMs !== undefined ? subject.acceptedAt + scheduled.happenedAtMs : now;
    const event = buildEvent(subject, scheduled, happenedAt);
    let result = await publisher.publish(record.account, record.region, event);
    // DLR chaos `duplicate`: the very same event again (at-least-once delivery).
    for (let copy = 1; copy < (scheduled.copies ?? 1) && result.published; copy++)
      result = await publisher.publish(record.account, record.region, event);
    record.pendingEvents = Math.max(0, record.pendingEvents - 1);
    record.events.push({
      eventType: scheduled.eventType,
      messageStatus: statusOf(scheduled.eventType),
      isFinal: scheduled.isFinal,
      eventTimestamp: now,
      publishedAt: new Date().toISOString(),
      published: result.published,
      ...(result.topicArn ? { topicArn: result.topicArn } : {}),
      ...(result.error ? { error: result.error } : {}),
    });
    emit(result.published ? 'info' : 'warn', 'event', {
      messageId: subject.messageId,
      eventType: scheduled.eventType,
      account: record.account,
      region: record.region,
      published: result.published,
      ...(result.topicArn ? { topicArn: result.topicArn } : {}),
      ...(result.error ? { error: result.error } : {}),
    });
  }

  /** Publishes the events of one message in order: each waits for the previous publish. */
  function scheduleEvents(record: MessageRecord, subject: EventSubject, schedule: ChaoticEvent[]): void {
    let chain: Promise<void> = Promise.resolve();
    record.pendingEvents = schedule.length;
    for (const scheduled of schedule) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        chain = chain
          .then(() => publishEvent(record, subject, scheduled))
          .catch((err: unknown) => emit('error', 'event failed', { messageId: subject.messageId, error: String(err) }));
        track(chain);
      }, scheduled.atMs);
      timers.add(timer);
    }
  }

  // ---- SMS v2 operations ----

  function answer(res: ServerResponse, requestId: string, status: number, body: unknown): void {
    sendJson(res, status, body, { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-RequestId': requestId });
  }

  function handleSend(
    req: IncomingMessage,
    res: ServerResponse,
    operation: SendOperation,
    caller: Caller,
    account: string,
    body: JsonObject,
    record: MessageRecord,
  ): void {
    const send = parseSendRequest(operation, body);
    const isoCountryCode = isoCountryOf(send.destination);
    Object.assign(record, {
      originator: send.originator,
      destination: send.destination,
      ...(isoCountryCode ? { isoCountryCode } : {}),
      bodyLength: send.bodyLength,
      ...(send.messageType ? { messageType: send.messageType } : {}),
      ...(send.configurationSet ? { configurationSet: send.configurationSet } : {}),
      context: send.context,
      ...(send.dryRun ? { dryRun: true } : {}),
      messageFeedbackEnabled: send.feedbackEnabled,
    });

    const fault: Fault | undefined = faults.take({
      operation,
      account,
      region: caller.region,
      originator: send.originator,
      destination: send.destination,
    });
    if (fault) record.faultId = fault.id;

    const accept = (): string => {
      const messageId = randomUUID();
      const acceptedAt = Date.now();
      record.messageId = messageId;
      record.outcome = 'accepted';
      if (!send.dryRun) {
        const dlr = fault && 'dlr' in fault.effect ? fault.effect : undefined;
        const schedule = eventSchedule(operation, dlr?.dlr, dlr?.delayMs ?? deliveryDelayMs).filter(
          (e) => e.isFinal || eventTypes === 'all',
        );
        const subject = { messageId, request: send, isoCountryCode, acceptedAt };
        scheduleEvents(record, subject, chaos.apply(messageId, schedule));
      }
      return messageId;
    };

    if (fault && 'api' in fault.effect) {
      const effect = fault.effect.api;
      if (effect === 'timeout') {
        record.outcome = 'timeout';
        return; // never answer: the client times out, nothing was sent
      }
      if (effect === 'ambiguous') {
        accept();
        record.outcome = 'ambiguous';
        req.socket.destroy(); // the message went out, the answer is lost
        return;
      }
      throw apiFaultError(effect, operation)!;
    }
    answer(res, record.requestId, 200, { MessageId: accept() });
  }

  function handleFeedback(res: ServerResponse, requestId: string, caller: Caller, account: string, body: JsonObject) {
    const fb = parseFeedbackRequest(body);
    const record = messages.byId(fb.messageId);
    if (!record || record.account !== account || record.region !== caller.region) {
      throw new AwsError(400, 'ResourceNotFoundException', `Message ${fb.messageId} was not found`, undefined, {
        ResourceType: 'message',
        ResourceId: fb.messageId,
      });
    }
    record.feedback = { status: fb.status, at: new Date().toISOString() };
    emit('info', 'feedback', { messageId: fb.messageId, account, region: caller.region, status: fb.status });
    answer(res, requestId, 200, { MessageId: fb.messageId, MessageFeedbackStatus: fb.status });
  }

  function handleAws(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const requestId = randomUUID();
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    if (!isSupportedOperation(operation)) {
      const err = new AwsError(
        400,
        'UnknownOperationException',
        `The simulator implements ${SUPPORTED_OPERATIONS.join(', ')}; got X-Amz-Target "${target}"`,
        undefined,
        {},
        CORAL_NAMESPACE,
      );
      emit('warn', 'unknown operation', { target });
      answer(res, requestId, err.status, err.body());
      return;
    }
    const caller = parseAuthorization(req.headers.authorization);
    const account = caller ? keys.get(caller.accessKeyId) : undefined;
    const record: MessageRecord | undefined =
      operation === 'PutMessageFeedback' ? undefined : newRequestRecord(requestId, operation, caller, account);
    const body = parseJsonBody(raw);
    const json = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as JsonObject) : undefined;
    if (record && json) {
      // What the log shows even when the request is refused (never the body itself).
      if (typeof json.OriginationIdentity === 'string') record.originator = json.OriginationIdentity;
      if (typeof json.DestinationPhoneNumber === 'string') record.destination = json.DestinationPhoneNumber;
      if (typeof json.MessageBody === 'string') record.bodyLength = json.MessageBody.length;
    }
    try {
      if (!caller) {
        throw new AwsError(
          403,
          'MissingAuthenticationTokenException',
          'Missing Authentication Token',
          undefined,
          {},
          '',
        );
      }
      if (caller.signingService !== SIGNING_SERVICE) {
        throw new AwsError(
          400,
          'InvalidSignatureException',
          `Credential should be scoped to correct service: '${SIGNING_SERVICE}'.`,
          undefined,
          {},
          '',
        );
      }
      if (!account) {
        throw new AwsError(
          400,
          'UnrecognizedClientException',
          'The security token included in the request is invalid.',
          undefined,
          {},
          '',
        );
      }
      if (!json) throw validationError('CANNOT_PARSE', 'body', 'the request body is not a JSON object');
      if (record) handleSend(req, res, operation as SendOperation, caller, account, json, record);
      else handleFeedback(res, requestId, caller, account, json);
    } catch (err) {
      const error =
        err instanceof AwsError
          ? err
          : new AwsError(500, 'InternalServerException', `simulator error: ${(err as Error).message}`);
      if (!(err instanceof AwsError)) emit('error', 'internal error', { operation, error: String(err) });
      if (record) {
        record.outcome = 'rejected';
        record.error = error.summary();
      }
      answer(res, requestId, error.status, error.body());
    } finally {
      if (record) {
        messages.add(record);
        emit(record.outcome === 'accepted' ? 'info' : 'warn', 'send', {
          operation,
          requestId,
          account: record.account,
          region: record.region,
          originator: record.originator,
          destination: record.destination ? maskPhone(record.destination) : undefined,
          bodyLength: record.bodyLength,
          outcome: record.outcome,
          ...(record.messageId ? { messageId: record.messageId } : {}),
          ...(record.faultId ? { faultId: record.faultId } : {}),
          ...(record.error ? { error: record.error } : {}),
        });
      }
    }
  }

  // ---- admin API ----

  function adminJsonBody(raw: string): unknown {
    try {
      return JSON.parse(raw);
    } catch (err) {
      throw new HttpError(400, `body is not valid JSON: ${(err as Error).message}`);
    }
  }

  function listMessages(params: URLSearchParams): { messages: MessageRecord[]; total: number; trimmed: number } {
    const filter: MessageFilter = {};
    let limit: number | undefined;
    for (const name of params.keys()) {
      if (name === 'limit') continue;
      if (!(MESSAGE_FILTERS as readonly string[]).includes(name)) {
        throw new HttpError(400, `unknown query parameter "${name}" (filters: ${MESSAGE_FILTERS.join(', ')}, limit)`);
      }
    }
    for (const name of MESSAGE_FILTERS) {
      const v = queryValue(params, name);
      if (v !== undefined) filter[name] = v;
    }
    const rawLimit = params.get('limit');
    if (rawLimit !== null) {
      limit = Number(rawLimit);
      if (!Number.isInteger(limit) || limit < 1) throw new HttpError(400, 'limit: must be a positive integer');
    }
    const all = messages.list(filter);
    const list = limit !== undefined ? all.slice(-limit) : all;
    return { messages: list, total: all.length, trimmed: messages.trimmed };
  }

  function handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL, raw: string): void {
    const parts = url.pathname.split('/').filter(Boolean).slice(1); // drop "_sim"
    const method = req.method ?? 'GET';
    const [resource, id, ...rest] = parts;
    if (rest.length > 0) throw new HttpError(404, `no such path ${url.pathname}`);
    const allow = (methods: string[]) => {
      if (!methods.includes(method)) {
        throw new HttpError(405, `${method} not allowed on ${url.pathname} (allowed: ${methods.join(', ')})`);
      }
    };
    switch (resource) {
      case 'health':
        allow(['GET']);
        sendJson(res, 200, { status: 'ok', messages: messages.size, faults: faults.size, pendingEvents: timers.size });
        return;
      case 'faults':
        if (id === undefined) {
          allow(['GET', 'POST', 'DELETE']);
          if (method === 'GET') {
            sendJson(res, 200, { faults: faults.list() });
          } else if (method === 'POST') {
            const fault = faults.add(adminJsonBody(raw));
            emit('info', 'fault added', { fault });
            sendJson(res, 201, fault);
          } else {
            const deleted = faults.clear();
            emit('info', 'faults deleted', { deleted });
            sendJson(res, 200, { deleted });
          }
        } else {
          allow(['GET', 'DELETE']);
          const fault = faults.list().find((f) => f.id === id);
          if (!fault) throw new HttpError(404, `no fault with id "${id}"`);
          if (method === 'DELETE') {
            faults.remove(id);
            emit('info', 'fault deleted', { id });
            sendJson(res, 200, { deleted: id });
          } else {
            sendJson(res, 200, fault);
          }
        }
        return;
      case 'messages':
        allow(['GET']);
        if (id === undefined) {
          sendJson(res, 200, listMessages(url.searchParams));
        } else {
          const record = messages.byId(id);
          if (!record) throw new HttpError(404, `no message with id "${id}"`);
          sendJson(res, 200, record);
        }
        return;
      case 'chaos':
        if (id !== undefined) break;
        allow(['GET', 'POST', 'DELETE']);
        if (method === 'GET') {
          sendJson(res, 200, chaos.describe());
        } else if (method === 'POST') {
          const settings = chaos.configure(adminJsonBody(raw));
          emit('info', 'DLR chaos set', { settings });
          sendJson(res, 201, { settings });
        } else {
          const stats = chaos.clear();
          emit('info', 'DLR chaos cleared', { stats });
          sendJson(res, 200, { cleared: true, stats });
        }
        return;
      case 'reset':
        if (id !== undefined) break;
        allow(['POST']);
        state.reset();
        emit('info', 'reset');
        sendJson(res, 200, { reset: true });
        return;
    }
    throw new HttpError(
      404,
      `no such path ${url.pathname} (see /_sim/health, /_sim/faults, /_sim/chaos, /_sim/messages, /_sim/reset)`,
    );
  }

  // ---- HTTP ----

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const admin = url.pathname === '/_sim' || url.pathname.startsWith('/_sim/');
    try {
      const raw = await readBody(req);
      if (admin) handleAdmin(req, res, url, raw);
      else if (url.pathname.startsWith(WHATSAPP_PATH_PREFIX)) handleWhatsApp(req, res, url.pathname, raw);
      else if (req.method === 'POST') handleAws(req, res, raw);
      else if (req.method === 'GET' && url.pathname === '/') {
        sendJson(res, 200, {
          service: 'resilient-sms carrier simulator (AWS End User Messaging SMS, AWS JSON 1.0)',
          operations: [...SUPPORTED_OPERATIONS, WHATSAPP_OPERATION],
          admin: ['/_sim/health', '/_sim/faults', '/_sim/chaos', '/_sim/messages', '/_sim/reset'],
        });
      } else throw new HttpError(404, `no such path ${url.pathname}`);
    } catch (err) {
      if (err instanceof HttpError) {
        sendJson(res, err.status, { error: err.message });
        if (err.status === 413) res.once('finish', () => req.socket.destroy());
      } else if (err instanceof InvalidInputError) {
        sendJson(res, 400, { error: err.message, issues: err.issues });
      } else {
        emit('error', 'request failed', { path: url.pathname, error: String(err) });
        sendJson(res, 500, { error: `simulator error: ${(err as Error).message}` });
      }
    }
  }

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => emit('error', 'server error', { error: String(err) }));
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  emit('info', 'listening', {
    url,
    deliveryDelayMs,
    accounts: Object.fromEntries([...keys].map(([key, name]) => [name, key])),
    dlrTopics: config.dlrQueues
      .filter((q) => q.topicArn)
      .map((q) => ({ account: q.account, region: q.region, topicArn: q.topicArn })),
  });
  for (const route of config.routes) {
    if (config.accounts[route.account]?.credentials.type !== 'static') {
      emit('warn', 'route account has no static credentials: the simulator cannot recognise its requests', {
        route: route.id,
        account: route.account,
      });
    }
    const dest = publisher.destination(route.account, route.region);
    if ('error' in dest)
      emit('warn', 'route has no DLR topic: its events will not be published', { route: route.id, reason: dest.error });
  }

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    cancelTimers();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    const drained = Promise.allSettled([...inflight]);
    let drainTimer: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise<void>((r) => (drainTimer = setTimeout(r, STOP_DRAIN_MS)))]);
    clearTimeout(drainTimer);
    cancelTimers(); // an in-flight chain cannot schedule more, but be certain
    publisher.destroy();
    emit('info', 'stopped');
  };

  return { url, port, state, stop };
}
