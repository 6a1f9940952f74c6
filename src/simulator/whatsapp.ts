/**
 * The simulator's AWS End User Messaging Social (WhatsApp) front: `SendWhatsAppMessage` as the real
 * `@aws-sdk/client-socialmessaging` sends it, so the WhatsApp activity runs unchanged against it.
 *
 * Wire protocol (restJson1, SigV4 signing name `social-messaging`): `POST /v1/whatsapp/send` with the JSON body
 * `{ originationPhoneNumberId, metaApiVersion, message }`, `message` being the base64 of the Meta Cloud API message
 * JSON; the answer is `{ "messageId": "..." }`. Errors: the HTTP status of the modelled error, the error name in the
 * `x-amzn-ErrorType` header and `{ "message": "..." }` as body (the SDK picks the exception class from the header).
 *
 * Who is calling: the Region from the SigV4 credential scope, the account from the access key id (config accounts
 * with static credentials), exactly as for SMS. Accepted sends are recorded in the message log (operation
 * `SendWhatsAppMessage`, originator = `originationPhoneNumberId`, destination = the message's `to`, never the
 * message itself). Faults apply with `match.originator` = `originationPhoneNumberId`; only API effects (WhatsApp
 * has no delivery receipts on our DLR path):
 *
 * | effect           | answer                                      | classified as            |
 * |------------------|---------------------------------------------|--------------------------|
 * | throttle         | 429 ThrottledRequestException               | originator, retryable    |
 * | internal-error   | 500 InternalServiceException                | region, ambiguous        |
 * | spend-limit      | 400 LimitExceededException                  | account                  |
 * | account-disabled | 403 AccessDeniedByMetaException             | account                  |
 * | opted-out        | 502 DependencyException (Meta refused)      | channel                  |
 * | country-blocked  | 502 DependencyException (Meta refused)      | channel                  |
 * | timeout          | no answer                                   | region, ambiguous        |
 * | ambiguous        | accepted, then the connection is dropped    | region, ambiguous        |
 *
 * Validation: `originationPhoneNumberId` must be `phone-number-id-…` or a `…:phone-number-id/…` ARN of the caller's
 * Region, else 404 ResourceNotFoundException (an unknown number: our config); `metaApiVersion` must look like
 * `v20.0` (ValidationException); `message` must be a Meta message object with `messaging_product: "whatsapp"`, a
 * `to` and, for templates, a template name and language (InvalidParametersException).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { maskPhone } from '../domain/privacy';
import { CONTEXT_ATTEMPT, CONTEXT_WORKFLOW_ID } from '../domain/sending';
import type { ApiEffect, Fault, FaultStore } from './faults';
import { newRequestRecord, parseJsonBody, type MessageLog, type MessageRecord } from './message-log';
import { isoCountryOf, parseAuthorization } from './protocol';

export const WHATSAPP_PATH_PREFIX = '/v1/whatsapp/';
export const WHATSAPP_SEND_PATH = '/v1/whatsapp/send';
export const WHATSAPP_SIGNING_SERVICE = 'social-messaging';
export const WHATSAPP_OPERATION = 'SendWhatsAppMessage';
/** The model's limit on `message` (bytes of the decoded blob). */
export const MAX_WHATSAPP_MESSAGE_BYTES = 2_048_000;

export class WhatsAppError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** The service error a fault answers with (`timeout` / `ambiguous` are about the socket: none). */
export function whatsAppFaultError(effect: ApiEffect): WhatsAppError | undefined {
  switch (effect) {
    case 'throttle':
      return new WhatsAppError(429, 'ThrottledRequestException', 'Rate exceeded (simulated)');
    case 'internal-error':
      return new WhatsAppError(500, 'InternalServiceException', 'Internal service error (simulated)');
    case 'spend-limit':
      return new WhatsAppError(400, 'LimitExceededException', 'Account limit exceeded (simulated)');
    case 'account-disabled':
      return new WhatsAppError(403, 'AccessDeniedByMetaException', 'The WhatsApp Business Account is disabled');
    case 'opted-out':
      return new WhatsAppError(502, 'DependencyException', 'Meta: the recipient cannot receive this message');
    case 'country-blocked':
      return new WhatsAppError(502, 'DependencyException', "Meta: messages to the recipient's country are blocked");
    case 'timeout':
    case 'ambiguous':
      return undefined;
  }
}

export interface WhatsAppSend {
  originationPhoneNumberId: string;
  metaApiVersion: string;
  destination: string;
  /** `template`, `text`, ... */
  type: string;
  templateName?: string;
  /** Workflow id and attempt from `biz_opaque_callback_data`, when it carries ours. */
  context: Record<string, string>;
}

const PHONE_NUMBER_ID = /^phone-number-id-[0-9A-Za-z]+$/;
const PHONE_NUMBER_ARN = /^arn:aws[a-z-]*:social-messaging:([a-z0-9-]+):\d{12}:phone-number-id\/([0-9A-Za-z]+)$/;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid(message: string): WhatsAppError {
  return new WhatsAppError(400, 'InvalidParametersException', message);
}

function callbackContext(data: unknown): Record<string, string> {
  if (typeof data !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(data);
    if (!isObject(parsed)) return {};
    const out: Record<string, string> = {};
    for (const key of [CONTEXT_WORKFLOW_ID, CONTEXT_ATTEMPT]) {
      if (typeof parsed[key] === 'string') out[key] = parsed[key];
    }
    return out;
  } catch {
    return {};
  }
}

/** Validates a `SendWhatsAppMessage` body the way the service (and Meta, for the message shape) would. */
export function parseWhatsAppSend(body: unknown, region: string): WhatsAppSend {
  if (!isObject(body)) throw new WhatsAppError(400, 'ValidationException', 'the request body is not a JSON object');
  const id = body.originationPhoneNumberId;
  if (typeof id !== 'string' || id.length < 1 || id.length > 100) {
    throw new WhatsAppError(400, 'ValidationException', 'originationPhoneNumberId: required, 1 to 100 characters');
  }
  const arn = PHONE_NUMBER_ARN.exec(id);
  if (!PHONE_NUMBER_ID.test(id) && !(arn && arn[1] === region)) {
    throw new WhatsAppError(404, 'ResourceNotFoundException', `Phone number ${id} was not found in ${region}`);
  }
  const version = body.metaApiVersion;
  if (typeof version !== 'string' || !/^v\d+(\.\d+)?$/.test(version)) {
    throw new WhatsAppError(400, 'ValidationException', 'metaApiVersion: must be formatted as v{VersionNumber}');
  }
  if (typeof body.message !== 'string' || body.message.length === 0) {
    throw new WhatsAppError(400, 'ValidationException', 'message: required');
  }
  const bytes = Buffer.from(body.message, 'base64');
  if (bytes.length < 1 || bytes.length > MAX_WHATSAPP_MESSAGE_BYTES) {
    throw new WhatsAppError(400, 'ValidationException', `message: 1 to ${MAX_WHATSAPP_MESSAGE_BYTES} bytes`);
  }
  let message: unknown;
  try {
    message = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalid('message: not a JSON WhatsApp message object');
  }
  if (!isObject(message)) throw invalid('message: not a JSON WhatsApp message object');
  if (message.messaging_product !== 'whatsapp') throw invalid('message.messaging_product: must be "whatsapp"');
  if (typeof message.to !== 'string' || !/^\+?[1-9]\d{1,18}$/.test(message.to)) {
    throw invalid('message.to: must be a phone number');
  }
  const type = typeof message.type === 'string' ? message.type : 'text';
  let templateName: string | undefined;
  if (type === 'template') {
    const t = message.template;
    if (!isObject(t) || typeof t.name !== 'string' || t.name.length === 0) {
      throw invalid('message.template.name: required');
    }
    if (!isObject(t.language) || typeof t.language.code !== 'string') {
      throw invalid('message.template.language.code: required');
    }
    templateName = t.name;
  }
  return {
    originationPhoneNumberId: id,
    metaApiVersion: version,
    destination: message.to.startsWith('+') ? message.to : `+${message.to}`,
    type,
    ...(templateName !== undefined ? { templateName } : {}),
    context: callbackContext(message.biz_opaque_callback_data),
  };
}

export interface WhatsAppFront {
  /** Static access key id -> account name. */
  keys: ReadonlyMap<string, string>;
  messages: MessageLog;
  faults: FaultStore;
  emit: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

function answer(res: ServerResponse, requestId: string, status: number, body: unknown, errorType?: string): void {
  if (res.headersSent || res.destroyed) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(payload)),
    'x-amzn-RequestId': requestId,
    ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
  });
  res.end(payload);
}

/** Handles every request under `/v1/whatsapp/`. */
export function createWhatsAppHandler(front: WhatsAppFront) {
  return function handleWhatsApp(req: IncomingMessage, res: ServerResponse, path: string, raw: string): void {
    const requestId = randomUUID();
    const caller = parseAuthorization(req.headers.authorization);
    const account = caller ? front.keys.get(caller.accessKeyId) : undefined;
    const record: MessageRecord = newRequestRecord(requestId, WHATSAPP_OPERATION, caller, account);
    const body = parseJsonBody(raw);
    if (isObject(body) && typeof body.originationPhoneNumberId === 'string') {
      record.originator = body.originationPhoneNumberId;
    }
    let logIt = true;
    try {
      if (req.method !== 'POST' || path !== WHATSAPP_SEND_PATH) {
        logIt = false;
        throw new WhatsAppError(
          404,
          'UnknownOperationException',
          `The simulator implements POST ${WHATSAPP_SEND_PATH} (SendWhatsAppMessage); got ${req.method} ${path}`,
        );
      }
      if (!caller) throw new WhatsAppError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
      if (caller.signingService !== WHATSAPP_SIGNING_SERVICE) {
        throw new WhatsAppError(
          403,
          'InvalidSignatureException',
          `Credential should be scoped to correct service: '${WHATSAPP_SIGNING_SERVICE}'.`,
        );
      }
      if (!account) {
        throw new WhatsAppError(
          403,
          'UnrecognizedClientException',
          'The security token included in the request is invalid.',
        );
      }
      const send = parseWhatsAppSend(body, caller.region);
      const isoCountryCode = isoCountryOf(send.destination);
      Object.assign(record, {
        originator: send.originationPhoneNumberId,
        destination: send.destination,
        ...(isoCountryCode ? { isoCountryCode } : {}),
        messageType: send.type,
        context: send.context,
      });
      const fault: Fault | undefined = front.faults.take({
        operation: WHATSAPP_OPERATION,
        account,
        region: caller.region,
        originator: send.originationPhoneNumberId,
        destination: send.destination,
      });
      if (fault) record.faultId = fault.id;
      const accept = (): string => {
        const messageId = randomUUID();
        record.messageId = messageId;
        record.outcome = 'accepted';
        return messageId;
      };
      if (fault && 'api' in fault.effect) {
        const effect = fault.effect.api;
        if (effect === 'timeout') {
          record.outcome = 'timeout';
          return; // never answer: the client times out
        }
        if (effect === 'ambiguous') {
          accept();
          record.outcome = 'ambiguous';
          req.socket.destroy();
          return;
        }
        throw whatsAppFaultError(effect)!;
      }
      answer(res, requestId, 200, { messageId: accept() });
    } catch (err) {
      const error =
        err instanceof WhatsAppError
          ? err
          : new WhatsAppError(500, 'InternalServiceException', `simulator error: ${(err as Error).message}`);
      if (!(err instanceof WhatsAppError))
        front.emit('error', 'internal error', { operation: WHATSAPP_OPERATION, error: String(err) });
      record.outcome = 'rejected';
      record.error = { type: error.type, message: error.message };
      answer(res, requestId, error.status, { message: error.message }, error.type);
    } finally {
      if (logIt) {
        front.messages.add(record);
        front.emit(record.outcome === 'accepted' ? 'info' : 'warn', 'send', {
          operation: WHATSAPP_OPERATION,
          requestId,
          account: record.account,
          region: record.region,
          originator: record.originator,
          destination: record.destination ? maskPhone(record.destination) : undefined,
          outcome: record.outcome,
          ...(record.messageId ? { messageId: record.messageId } : {}),
          ...(record.faultId ? { faultId: record.faultId } : {}),
          ...(record.error ? { error: record.error } : {}),
        });
      }
    }
  };
}
