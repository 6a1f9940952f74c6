/**
 * The wire protocol of AWS End User Messaging Social (WhatsApp) as the simulator speaks it: `SendWhatsAppMessage` as
 * the real `@aws-sdk/client-socialmessaging` sends it, so the WhatsApp activity runs unchanged against it. The
 * front that answers it is ./whatsapp-front.
 *
 * Wire protocol (restJson1, SigV4 signing name `social-messaging`): `POST /v1/whatsapp/send` with the JSON body
 * `{ originationPhoneNumberId, metaApiVersion, message }`, `message` being the base64 of the Meta Cloud API message
 * JSON; the answer is `{ "messageId": "..." }`. Errors: the HTTP status of the modelled error, the error name in the
 * `x-amzn-ErrorType` header and `{ "message": "..." }` as body (the SDK picks the exception class from the header).
 *
 * Who is calling: the Region from the SigV4 credential scope, the account from the access key id (config accounts
 * with static credentials), exactly as for SMS. Accepted sends are recorded in the message log (operation
 * `SendWhatsAppMessage`, originator = `originationPhoneNumberId`, destination = the message's `to`, never the
 * message itself). Every accepted message gets Meta's statuses (`sent`, `delivered`, `read`), published as End User
 * Messaging Social does (./whatsapp-statuses.ts). Faults apply with `match.originator` = `originationPhoneNumberId`;
 * only API effects. Meta's refusals of a recipient are not send errors: the send is accepted and a `failed` status
 * with Meta's error code follows.
 *
 * | effect           | answer                                      | classified as            |
 * |------------------|---------------------------------------------|--------------------------|
 * | throttle         | 429 ThrottledRequestException               | originator, retryable    |
 * | internal-error   | 500 InternalServiceException                | region, ambiguous        |
 * | spend-limit      | 400 LimitExceededException                  | account                  |
 * | account-disabled | 403 AccessDeniedByMetaException             | account                  |
 * | opted-out        | accepted, then `failed` 131026 (not on WA)  | (receipt) channel        |
 * | country-blocked  | accepted, then `failed` 130497 (country)    | (receipt) channel        |
 * | timeout          | no answer                                   | region, ambiguous        |
 * | ambiguous        | accepted, then the connection is dropped    | region, ambiguous        |
 *
 * Validation: `originationPhoneNumberId` must be `phone-number-id-…` or a `…:phone-number-id/…` ARN of the caller's
 * Region, else 404 ResourceNotFoundException (an unknown number: our config); `metaApiVersion` must look like
 * `v20.0` (ValidationException); `message` must be a Meta message object with `messaging_product: "whatsapp"`, a
 * `to` and, for templates, a template name and language (InvalidParametersException).
 */
import { CONTEXT_ATTEMPT, CONTEXT_WORKFLOW_ID } from '../domain/sending';
import type { ApiEffect } from './faults';

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

/** The API faults that are Meta refusing the recipient: accepted, then a `failed` status (./whatsapp-statuses.ts). */
export const META_REFUSALS = { 'opted-out': 'not-on-whatsapp', 'country-blocked': 'country-restricted' } as const;
type AnsweringFault = Exclude<ApiEffect, 'timeout' | 'ambiguous' | keyof typeof META_REFUSALS>;

/** Status, error type and message of each API fault that answers (`timeout` / `ambiguous` are about the socket). */
const FAULT_ERRORS: Record<AnsweringFault, [number, string, string]> = {
  throttle: [429, 'ThrottledRequestException', 'Rate exceeded (simulated)'],
  'internal-error': [500, 'InternalServiceException', 'Internal service error (simulated)'],
  'spend-limit': [400, 'LimitExceededException', 'Account limit exceeded (simulated)'],
  'account-disabled': [403, 'AccessDeniedByMetaException', 'The WhatsApp Business Account is disabled'],
};

/** The service error a fault answers with (`timeout` / `ambiguous` are about the socket, refusals accepted: none). */
export function whatsAppFaultError(effect: ApiEffect): WhatsAppError | undefined {
  if (effect === 'timeout' || effect === 'ambiguous' || effect in META_REFUSALS) return undefined;
  const [status, type, message] = FAULT_ERRORS[effect as AnsweringFault];
  return new WhatsAppError(status, type, message);
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
  /** `biz_opaque_callback_data` verbatim (Meta returns it in the message's statuses). */
  callbackData?: string;
}

const PHONE_NUMBER_ID = /^phone-number-id-[0-9A-Za-z]+$/;
const PHONE_NUMBER_ARN = /^arn:aws[a-z-]*:social-messaging:([a-z0-9-]+):\d{12}:phone-number-id\/([0-9A-Za-z]+)$/;

type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
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
    ...(typeof message.biz_opaque_callback_data === 'string' ? { callbackData: message.biz_opaque_callback_data } : {}),
  };
}
