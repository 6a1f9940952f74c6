/**
 * Flattening AWS SDK v3 / Node errors into the plain `SendErrorInfo` the domain classifier reads.
 *
 * What the SDK actually throws (client-pinpoint-sms-voice-v2 3.11xx, @smithy/node-http-handler 4.x):
 * - service errors: instances of the modelled exception classes (`ValidationException`, ...), with `name`, the
 *   service's `Reason` as the **capitalised own property `Reason`** (also `Message`, `Fields`, `ResourceType`,
 *   `ResourceId` where modelled), `message` copied from the body's `Message`, `$fault`, and
 *   `$metadata.httpStatusCode` / `$metadata.requestId`;
 * - an unmodelled error body: a `PinpointSMSVoiceV2ServiceException` named after `__type` (or `Unknown`);
 * - request timeout (`throwOnRequestTimeout`): `name: 'TimeoutError'`, `code: 'ETIMEDOUT'`;
 * - connect timeout: `name: 'TimeoutError'`, no code;
 * - connection reset / socket hang-up (a lost response): the Node error **renamed** `TimeoutError`, `code: 'ECONNRESET'`;
 * - connection refused: the plain Node error, `code: 'ECONNREFUSED'` (an `AggregateError` with the codes on its
 *   `errors` when Node tried several addresses).
 */
import type { SendErrorInfo } from '../domain/outcome';

type Loose = Record<string, unknown>;

function isObject(v: unknown): v is Loose {
  return typeof v === 'object' && v !== null;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** The first Node error `code` found on the error, its `cause` chain or an `AggregateError`'s `errors`. */
export function findErrorCode(err: unknown, depth = 0): string | undefined {
  if (!isObject(err) || depth > 5) return undefined;
  const own = str(err.code);
  if (own) return own;
  if (Array.isArray(err.errors)) {
    for (const inner of err.errors) {
      const code = findErrorCode(inner, depth + 1);
      if (code) return code;
    }
  }
  return findErrorCode(err.cause, depth + 1);
}

export function httpStatusOf(err: unknown): number | undefined {
  if (!isObject(err)) return undefined;
  const metadata = err.$metadata;
  if (isObject(metadata) && typeof metadata.httpStatusCode === 'number') return metadata.httpStatusCode;
  const response = err.$response;
  if (isObject(response) && typeof response.statusCode === 'number') return response.statusCode;
  return undefined;
}

export function requestIdOf(err: unknown): string | undefined {
  if (!isObject(err) || !isObject(err.$metadata)) return undefined;
  return str(err.$metadata.requestId);
}

/** The service's `Reason` (SMS v2 exceptions carry it as `Reason`; tolerate a lower-case spelling too). */
export function reasonOf(err: unknown): string | undefined {
  if (!isObject(err)) return undefined;
  return str(err.Reason) ?? str(err.reason);
}

/** Names of the fields a `ValidationException` complains about (names only: the field messages may quote values). */
function validationFieldNames(err: Loose): string[] {
  if (!Array.isArray(err.Fields)) return [];
  return err.Fields.flatMap((f: unknown) => (isObject(f) && str(f.Name) ? [f.Name as string] : []));
}

export interface RedactionSecrets {
  destination?: string;
  body?: string;
}

/** `+` and digits with separators (`+1 (206) 555-0152`), or a bare run of 7-15 digits; not IP addresses. */
const PHONE_LIKE = /\+\d[\d ()-]{5,}\d|\b\d{7,15}\b/g;

/**
 * Remove personal data from an error message before it is logged or stored in the workflow history: the
 * destination number and the message body if quoted, and anything that looks like a phone number.
 */
export function redact(message: string, secrets: RedactionSecrets = {}): string {
  let out = message;
  if (secrets.body && secrets.body.length >= 4) out = out.split(secrets.body).join('<body>');
  if (secrets.destination) {
    out = out.split(secrets.destination).join('<destination>');
    const digits = secrets.destination.replace(/^\+/, '');
    if (digits.length >= 6) out = out.split(digits).join('<destination>');
  }
  return out.replace(PHONE_LIKE, '<number>');
}

/** Flatten whatever the SDK threw into the classifier's input. Never throws. */
export function toSendErrorInfo(err: unknown, secrets: RedactionSecrets = {}): SendErrorInfo {
  if (!isObject(err)) {
    return { name: 'Error', message: redact(String(err), secrets) };
  }
  const name = str(err.name) ?? 'Error';
  let message = str(err.message) ?? str(err.Message) ?? name;
  const fields = validationFieldNames(err);
  if (fields.length > 0) message = `${message} [fields: ${fields.join(', ')}]`;
  const info: SendErrorInfo = { name, message: redact(message, secrets) };
  const reason = reasonOf(err);
  if (reason) info.reason = reason;
  // ResourceNotFoundException names what is missing (`ResourceType`, SDK model); it decides the scope.
  const resourceType = str(err.ResourceType) ?? str(err.resourceType);
  if (resourceType) info.resourceType = resourceType;
  const httpStatus = httpStatusOf(err);
  if (httpStatus !== undefined) info.httpStatus = httpStatus;
  const code = findErrorCode(err);
  if (code) info.code = code;
  // node-http-handler's connect timeout carries no code; name it, since nothing left the machine.
  else if (name === 'TimeoutError' && /establish a connection/i.test(message)) info.code = 'ECONNECT_TIMEOUT';
  return info;
}
