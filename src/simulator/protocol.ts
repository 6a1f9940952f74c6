/**
 * The AWS JSON 1.0 wire protocol of End User Messaging SMS (service `sms-voice`, target prefix
 * `PinpointSMSVoiceV2.`) as the real `@aws-sdk/client-pinpoint-sms-voice-v2` sends and parses it, and the
 * request validation the real service does before a message is accepted.
 *
 * Errors: JSON body `{ "__type": "<namespace>#<Exception>", "Message": "...", "Reason": "..." }`. The SDK picks the
 * exception class from the part of `__type` after `#` and copies modelled members by their capitalised names.
 * The model has no `@httpError` codes: every client fault is a 400 (throttling included) and
 * `InternalServerException` a 500. Front-door errors (`UnrecognizedClientException`, `UnknownOperationException`)
 * are not in the model: the SDK raises its base `PinpointSMSVoiceV2ServiceException` with that `name`.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/metadata.min.json';
import { smsParts } from '../domain/sms-parts';

export const TARGET_PREFIX = 'PinpointSMSVoiceV2.';
export const SERVICE_NAMESPACE = 'com.amazonaws.pinpointsmsvoicev2';
/** Where AWS's front door puts errors that are not part of a service model. */
export const CORAL_NAMESPACE = 'com.amazon.coral.service';
export const SIGNING_SERVICE = 'sms-voice';

export const SEND_OPERATIONS = ['SendTextMessage', 'SendVoiceMessage'] as const;
export type SendOperation = (typeof SEND_OPERATIONS)[number];
/** Opt-out list operations (./opt-out-api.ts). */
export const OPT_OUT_OPERATIONS = [
  'CreateOptOutList',
  'DescribeOptOutLists',
  'PutOptedOutNumber',
  'DescribeOptedOutNumbers',
  'DeleteOptedOutNumber',
] as const;
export type OptOutOperation = (typeof OPT_OUT_OPERATIONS)[number];
export const SUPPORTED_OPERATIONS = [...SEND_OPERATIONS, 'PutMessageFeedback', ...OPT_OUT_OPERATIONS] as const;
export type SupportedOperation = (typeof SUPPORTED_OPERATIONS)[number];

export function isSupportedOperation(op: string): op is SupportedOperation {
  return (SUPPORTED_OPERATIONS as readonly string[]).includes(op);
}

/** An error answer, in the shape the SDK deserialises. */
export class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly reason?: string,
    /** Extra modelled members: `Fields`, `ResourceType`, `ResourceId`. */
    readonly extra: Record<string, unknown> = {},
    readonly namespace: string = SERVICE_NAMESPACE,
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return {
      __type: this.namespace ? `${this.namespace}#${this.type}` : this.type,
      Message: this.message,
      ...(this.reason !== undefined ? { Reason: this.reason } : {}),
      ...this.extra,
    };
  }

  /** What the message log and the logs keep of it. */
  summary(): { type: string; reason?: string; message: string } {
    return { type: this.type, ...(this.reason !== undefined ? { reason: this.reason } : {}), message: this.message };
  }
}

export const validationError = (reason: string, field: string, message: string) =>
  new AwsError(400, 'ValidationException', `${field}: ${message}`, reason, {
    Fields: [{ Name: field, Message: message }],
  });

const CREDENTIAL_SCOPE = /Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

export interface Caller {
  accessKeyId: string;
  region: string;
  signingService: string;
}

/**
 * Who is calling, from the SigV4 `Authorization` header's credential scope. Signatures are not verified: the
 * simulator only needs the access key (-> account) and the Region the client was built for.
 */
export function parseAuthorization(header: string | undefined): Caller | undefined {
  const m = header ? CREDENTIAL_SCOPE.exec(header) : null;
  return m ? { accessKeyId: m[1], region: m[3], signingService: m[4] } : undefined;
}

// ---- request validation (the service model's constraints plus the service's own checks) ----

/** The model's pattern for `DestinationPhoneNumber`. */
export const PHONE_PATTERN = /^\+?[1-9][0-9]{1,18}$/;
export const MAX_TEXT_BODY = 1600;
export const MAX_VOICE_BODY = 6000;

export interface SendRequest {
  operation: SendOperation;
  destination: string;
  originator: string;
  /** Only its length and encoding are kept; the body itself is never stored or logged. */
  bodyLength: number;
  encoding: 'GSM' | 'UCS2';
  parts: number;
  messageType?: string;
  configurationSet?: string;
  context: Record<string, string>;
  ttlSeconds?: number;
  dryRun: boolean;
  feedbackEnabled: boolean;
  voiceId?: string;
}

/** Loosely typed view of the parsed JSON body. */
export type JsonObject = Record<string, unknown>;

export function optionalString(body: JsonObject, field: string, max: number, min = 1): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw validationError('INVALID_PARAMETER', field, 'must be a string');
  if (v.length < min) throw validationError('INVALID_PARAMETER', field, `must be at least ${min} characters`);
  if (v.length > max) throw validationError('MAXIMUM_SIZE_EXCEEDED', field, `must be at most ${max} characters`);
  return v;
}

export function requiredString(body: JsonObject, field: string, max: number): string {
  const v = body[field];
  if (v === undefined || v === null || v === '') throw validationError('MISSING_PARAMETER', field, 'is required');
  return optionalString(body, field, max)!;
}

export function optionalEnum(body: JsonObject, field: string, values: readonly string[]): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !values.includes(v)) {
    throw validationError('INVALID_PARAMETER', field, `must be one of ${values.join(', ')}`);
  }
  return v;
}

function optionalBoolean(body: JsonObject, field: string): boolean {
  const v = body[field];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw validationError('INVALID_PARAMETER', field, 'must be a boolean');
  return v;
}

function context(body: JsonObject): Record<string, string> {
  const v = body.Context;
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw validationError('INVALID_PARAMETER', 'Context', 'must be a map');
  const entries = Object.entries(v as JsonObject);
  if (entries.length > 5) throw validationError('MAXIMUM_SIZE_EXCEEDED', 'Context', 'at most 5 entries');
  const out: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > 100) {
      throw validationError('INVALID_PARAMETER', 'Context', 'keys must be 1 to 100 characters');
    }
    if (typeof value !== 'string') throw validationError('INVALID_PARAMETER', `Context.${key}`, 'must be a string');
    if (value.length < 1 || value.length > 800) {
      throw validationError('INVALID_PARAMETER', `Context.${key}`, 'must be 1 to 800 characters');
    }
    out[key] = value;
  }
  return out;
}

/** Encoding and number of parts of an SMS body, as carriers count them (src/domain/sms-parts.ts). */
export function smsSegments(body: string): { encoding: 'GSM' | 'UCS2'; parts: number } {
  const { encoding, parts } = smsParts(body);
  return { encoding, parts };
}

function destination(body: JsonObject): string {
  const dest = requiredString(body, 'DestinationPhoneNumber', 20);
  if (!PHONE_PATTERN.test(dest)) {
    throw validationError('CANNOT_PARSE', 'DestinationPhoneNumber', 'is not a phone number in E.164 format');
  }
  return dest.startsWith('+') ? dest : `+${dest}`;
}

/** Validates a `SendTextMessage` / `SendVoiceMessage` body the way the service does; throws a ValidationException. */
export function parseSendRequest(operation: SendOperation, body: JsonObject): SendRequest {
  const dest = destination(body);
  const originator = requiredString(body, 'OriginationIdentity', 256);
  const common = {
    operation,
    destination: dest,
    originator,
    configurationSet: optionalString(body, 'ConfigurationSetName', 256),
    context: context(body),
    dryRun: optionalBoolean(body, 'DryRun'),
    feedbackEnabled: optionalBoolean(body, 'MessageFeedbackEnabled'),
  };
  const ttl = body.TimeToLive;
  if (
    ttl !== undefined &&
    ttl !== null &&
    (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 5 || ttl > 259200)
  ) {
    throw validationError('INVALID_PARAMETER', 'TimeToLive', 'must be an integer from 5 to 259200 seconds');
  }
  // MaxPrice / MaxPricePerMinute, ProtectConfigurationId, Keyword, DestinationCountryParameters: ./send-parameters.ts.
  if (operation === 'SendTextMessage') {
    const text = requiredString(body, 'MessageBody', MAX_TEXT_BODY);
    const messageType = optionalEnum(body, 'MessageType', ['TRANSACTIONAL', 'PROMOTIONAL']);
    return {
      ...common,
      bodyLength: text.length,
      ...smsSegments(text),
      messageType: messageType ?? 'TRANSACTIONAL',
      ...(typeof ttl === 'number' ? { ttlSeconds: ttl } : {}),
    };
  }
  const text = optionalString(body, 'MessageBody', MAX_VOICE_BODY) ?? '';
  optionalEnum(body, 'MessageBodyTextType', ['TEXT', 'SSML']);
  return {
    ...common,
    bodyLength: text.length,
    encoding: 'UCS2',
    parts: 1,
    voiceId: optionalString(body, 'VoiceId', 64),
    ...(typeof ttl === 'number' ? { ttlSeconds: ttl } : {}),
  };
}

export interface FeedbackRequest {
  messageId: string;
  status: 'RECEIVED' | 'FAILED';
}

export function parseFeedbackRequest(body: JsonObject): FeedbackRequest {
  const messageId = requiredString(body, 'MessageId', 64);
  const status = optionalEnum(body, 'MessageFeedbackStatus', ['RECEIVED', 'FAILED']);
  if (!status) throw validationError('MISSING_PARAMETER', 'MessageFeedbackStatus', 'is required');
  return { messageId, status: status as FeedbackRequest['status'] };
}

/**
 * ISO country of a destination number: libphonenumber's country, else the main country of its calling code
 * (test numbers such as +1 555 01xx are not "valid" but are still US for billing and routing).
 */
export function isoCountryOf(e164: string): string | undefined {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return undefined;
  if (parsed.country) return parsed.country;
  return metadata.country_calling_codes[parsed.countryCallingCode]?.[0];
}
