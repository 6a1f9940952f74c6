/**
 * A tiny real HTTP server speaking the AWS End User Messaging SMS v2 wire protocol (AWS JSON 1.0) as the real
 * `@aws-sdk/client-pinpoint-sms-voice-v2` sends and parses it, with programmable faults. For activity tests:
 * point a real client at `endpoint.url` and script what the "service" answers.
 *
 * Wire format (from the SDK's AwsJson1_0Protocol and the service model):
 * - request: `POST /`, `Content-Type: application/x-amz-json-1.0`,
 *   `X-Amz-Target: PinpointSMSVoiceV2.<Operation>`, JSON body with the model's member names
 *   (`DestinationPhoneNumber`, `Context`, `TimeToLive` as a number, ...), SigV4-signed for service `sms-voice`;
 * - success: 200, JSON output (`{ "MessageId": "..." }`);
 * - error: JSON body `{ "__type": "com.amazonaws.pinpointsmsvoicev2#<Exception>", "Message": "...", "Reason": "..." }`.
 *   The SDK picks the exception class from `__type` (the part after `#`) and copies the modelled members by their
 *   exact (capitalised) names, so `Reason` must be spelled `Reason`. The service model carries no `@httpError`
 *   codes, so every client fault is a 400 (throttling included) and `InternalServerException` a 500.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const SMS_V2_TARGET_PREFIX = 'PinpointSMSVoiceV2.';
export const SMS_V2_NAMESPACE = 'com.amazonaws.pinpointsmsvoicev2';

export type SmsV2ErrorType =
  | 'AccessDeniedException'
  | 'ConflictException'
  | 'InternalServerException'
  | 'ResourceNotFoundException'
  | 'ServiceQuotaExceededException'
  | 'ThrottlingException'
  | 'ValidationException';

/** HTTP status the real service uses per exception (no `@httpError` in the model: client faults 400, server 500). */
export const SMS_V2_ERROR_STATUS: Record<SmsV2ErrorType, number> = {
  AccessDeniedException: 400,
  ConflictException: 400,
  InternalServerException: 500,
  ResourceNotFoundException: 400,
  ServiceQuotaExceededException: 400,
  ThrottlingException: 400,
  ValidationException: 400,
};

export type Behaviour =
  /** 200 with the operation's output; `SendTextMessage` gets a fresh (or the given) `MessageId`. */
  | { kind: 'success'; messageId?: string; output?: Record<string, unknown> }
  /** An AWS-shaped error the SDK deserialises into its exception class. */
  | {
      kind: 'error';
      type: SmsV2ErrorType;
      reason?: string;
      message?: string;
      /** Override the status (default from `SMS_V2_ERROR_STATUS`). */
      status?: number;
      /** Extra modelled members (`ResourceType`, `ResourceId`, `Fields`, `RequestId`). */
      extra?: Record<string, unknown>;
    }
  /** Anything else on the wire, e.g. a load balancer's `502` HTML page. */
  | { kind: 'raw'; status: number; body: string; headers?: Record<string, string> }
  /** Read the request, never answer (client-side timeout). */
  | { kind: 'hang' }
  /** Accept the message (recorded with a MessageId, as if the service sent it), then drop the connection. */
  | { kind: 'lost-response'; messageId?: string };

export type BehaviourFn = (req: RecordedRequest) => Behaviour;

export interface RecordedRequest {
  operation: string;
  /** Parsed JSON body (`undefined` when not JSON). */
  body: Record<string, unknown> | undefined;
  rawBody: string;
  headers: IncomingHttpHeaders;
  /** From the SigV4 credential scope of `Authorization`. */
  region?: string;
  accessKeyId?: string;
  signingService?: string;
  /** How the endpoint answered. */
  behaviour: Behaviour['kind'];
  /** MessageId the "service" accepted (success and lost-response). */
  acceptedMessageId?: string;
}

export interface SmsV2Endpoint {
  readonly url: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Requests for one operation. */
  requestsFor(operation: string): RecordedRequest[];
  /** Standing behaviour for an operation (default: success). */
  on(operation: string, behaviour: Behaviour | BehaviourFn): void;
  /** One-shot behaviours, consumed in order before the standing one. */
  once(operation: string, ...behaviours: Behaviour[]): void;
  /** Forget requests and behaviours. */
  reset(): void;
  close(): Promise<void>;
}

const CREDENTIAL_SCOPE = /Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

function parseAuthorization(
  header: string | undefined,
): Pick<RecordedRequest, 'region' | 'accessKeyId' | 'signingService'> {
  const m = header ? CREDENTIAL_SCOPE.exec(header) : null;
  return m ? { accessKeyId: m[1], region: m[3], signingService: m[4] } : {};
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(payload),
    'x-amzn-RequestId': randomUUID(),
    ...headers,
  });
  res.end(payload);
}

export async function startSmsV2Endpoint(): Promise<SmsV2Endpoint> {
  const requests: RecordedRequest[] = [];
  const standing = new Map<string, Behaviour | BehaviourFn>();
  const queued = new Map<string, Behaviour[]>();
  const sockets = new Set<Socket>();

  const pick = (rec: RecordedRequest): Behaviour => {
    const q = queued.get(rec.operation);
    if (q && q.length > 0) return q.shift()!;
    const b = standing.get(rec.operation);
    if (!b) return { kind: 'success' };
    return typeof b === 'function' ? b(rec) : b;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, rawBody: string): void => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(SMS_V2_TARGET_PREFIX) ? target.slice(SMS_V2_TARGET_PREFIX.length) : target;
    let body: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(rawBody);
      if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    const rec: RecordedRequest = {
      operation,
      body,
      rawBody,
      headers: req.headers,
      ...parseAuthorization(req.headers.authorization),
      behaviour: 'success',
    };
    requests.push(rec);

    if (req.method !== 'POST' || !target.startsWith(SMS_V2_TARGET_PREFIX)) {
      rec.behaviour = 'error';
      sendJson(res, 400, { __type: `${SMS_V2_NAMESPACE}#UnknownOperationException`, Message: `bad target ${target}` });
      return;
    }

    const behaviour = pick(rec);
    rec.behaviour = behaviour.kind;
    switch (behaviour.kind) {
      case 'success': {
        let output = behaviour.output;
        if (!output && operation === 'SendTextMessage') {
          output = { MessageId: behaviour.messageId ?? randomUUID() };
        } else if (!output && operation === 'PutMessageFeedback') {
          output = { MessageId: body?.MessageId, MessageFeedbackStatus: body?.MessageFeedbackStatus };
        }
        if (typeof output?.MessageId === 'string' && operation.startsWith('Send'))
          rec.acceptedMessageId = output.MessageId;
        sendJson(res, 200, output ?? {});
        return;
      }
      case 'error': {
        const errorBody: Record<string, unknown> = {
          __type: `${SMS_V2_NAMESPACE}#${behaviour.type}`,
          Message: behaviour.message ?? `simulated ${behaviour.type}`,
          ...(behaviour.reason !== undefined ? { Reason: behaviour.reason } : {}),
          ...behaviour.extra,
        };
        sendJson(res, behaviour.status ?? SMS_V2_ERROR_STATUS[behaviour.type], errorBody);
        return;
      }
      case 'raw':
        res.writeHead(behaviour.status, { 'Content-Length': Buffer.byteLength(behaviour.body), ...behaviour.headers });
        res.end(behaviour.body);
        return;
      case 'hang':
        return; // keep the socket open until the client gives up or the endpoint closes
      case 'lost-response':
        rec.acceptedMessageId = behaviour.messageId ?? randomUUID();
        req.socket.destroy();
        return;
    }
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    requestsFor: (operation) => requests.filter((r) => r.operation === operation),
    on(operation, behaviour) {
      standing.set(operation, behaviour);
    },
    once(operation, ...behaviours) {
      queued.set(operation, [...(queued.get(operation) ?? []), ...behaviours]);
    },
    reset() {
      requests.length = 0;
      standing.clear();
      queued.clear();
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/** A TCP port on 127.0.0.1 that nothing listens on (for connection-refused tests). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
