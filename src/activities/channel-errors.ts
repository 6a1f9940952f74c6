/**
 * Failure classification of the alternate channels' send errors (WhatsApp, email, push), in the scopes of
 * `src/domain/outcome.ts`. Pure functions over the flattened `SendErrorInfo` (see `sdk-errors.ts`); voice uses
 * `classifySendError` itself (same service as SMS).
 *
 * Their receipts (WhatsApp statuses, SES events) are in src/domain/channel-receipts.ts; push has none.
 *
 * WhatsApp — AWS End User Messaging Social `SendWhatsAppMessage` (restJson1; HTTP status from the model):
 * | exception                       | HTTP | scope      | retryable | ambiguous | why                                            |
 * |---------------------------------|------|------------|-----------|-----------|------------------------------------------------|
 * | ThrottledRequestException       | 429  | originator | yes       | no        | refused before sending; back off, same number  |
 * | InternalServiceException        | 500  | region     | no        | yes       | reached the service, may have been sent        |
 * | DependencyException             | 502  | region     | yes       | no        | server fault of a dependency (Meta): retry     |
 * | AccessDeniedException           | 403  | account    | no        | no        | IAM / account cannot send                      |
 * | AccessDeniedByMetaException     | 403  | account    | no        | no        | Meta denied the business account               |
 * | LimitExceededException          | 400  | account    | no        | no        | account quota                                  |
 * | ValidationException             | 400  | request    | no        | no        | malformed request                              |
 * | InvalidParametersException      | 400  | request    | no        | no        | malformed message JSON / parameters            |
 * | ResourceNotFoundException       | 404  | config     | no        | no        | unknown originationPhoneNumberId: our config   |
 *
 * `DependencyException` is a server fault the model marks retryable (`@aws-sdk/client-socialmessaging`
 * `models/errors.d.ts`: `$fault: "server"`, `$retryable`; "Thrown when performing an action because a dependency would
 * be broken", HTTP 502, https://docs.aws.amazon.com/social-messaging/latest/APIReference/API_SendWhatsAppMessage.html):
 * the same rung is retried after a backoff (`unreachableRetries`), then the Region is given up. Meta's refusals of a
 * recipient (not on WhatsApp, country restricted) are not send errors: the send is accepted and a `failed` status
 * with Meta's error code follows (docs/receipts.md).
 *
 * Email — SES v2 `SendEmail`:
 * | exception                             | HTTP | scope      | retryable | ambiguous | why                                  |
 * |---------------------------------------|------|------------|-----------|-----------|--------------------------------------|
 * | TooManyRequestsException              | 429  | originator | yes       | no        | sending rate; back off               |
 * | LimitExceededException                | 400  | account    | no        | no        | daily quota                          |
 * | SendingPausedException                | 400  | account    | no        | no        | account sending paused (reputation)  |
 * | AccountSuspendedException             | 400  | account    | no        | no        | account permanently restricted       |
 * | MessageRejected "… not verified …"    | 400  | config     | no        | no        | sender identity not verified/sandbox |
 * | MessageRejected (other)               | 400  | request    | no        | no        | content rejected (e.g. virus)        |
 * | MailFromDomainNotVerifiedException    | 400  | config     | no        | no        | our MAIL FROM domain                 |
 * | BadRequestException                   | 400  | request    | no        | no        | malformed request / address          |
 * | NotFoundException                     | 404  | config     | no        | no        | configuration set does not exist     |
 * | InternalServiceErrorException         | 500  | region     | no        | yes       | may have been sent                   |
 *
 * Push — SNS `Publish` to a platform endpoint (awsQuery error codes in brackets):
 * | exception                                      | HTTP | scope      | retryable | ambiguous | why                      |
 * |------------------------------------------------|------|------------|-----------|-----------|--------------------------|
 * | EndpointDisabledException [EndpointDisabled]   | 400  | channel    | no        | no        | device token is gone     |
 * | NotFoundException [NotFound]                   | 404  | channel    | no        | no        | endpoint deleted         |
 * | ThrottledException, KMSThrottlingException     | 429  | originator | yes       | no        | back off                 |
 * | AuthorizationErrorException, InvalidSecurity…  | 403  | account    | no        | no        | account cannot publish   |
 * | PlatformApplicationDisabledException, KMS*     | 400  | config     | no        | no        | our platform app / keys  |
 * | InvalidParameter(Value)Exception, Validation…  | 400  | request    | no        | no        | malformed payload / ARN  |
 * | InternalErrorException [InternalError]         | 500  | region     | no        | yes       | may have been sent       |
 *
 * Every channel, when no row above matched:
 * | error                                                                  | scope      | retryable | ambiguous |
 * |------------------------------------------------------------------------|------------|-----------|-----------|
 * | CredentialsProviderError (AssumeRole failed)                           | account    | no        | no        |
 * | UnrecognizedClientException, InvalidClientTokenId, signature / expired | account    | no        | no        |
 * | ECONNREFUSED, connect timeout, DNS, unreachable (nothing sent)         | region     | yes       | no        |
 * | any other 429                                                          | originator | yes       | no        |
 * | any other 5xx                                                          | region     | no        | yes       |
 * | any other 4xx                                                          | request    | no        | no        |
 * | timeout after sending, reset, unknown                                  | region     | no        | yes       |
 */
import { CONNECTION_NEVER_MADE, failure, type ClassifiedFailure, type SendErrorInfo } from '../domain/outcome';
import { redact, toSendErrorInfo } from './sdk-errors';

/** Front-door authentication errors (not in any service model): the account's credentials are wrong. */
const AUTH_FAILURES = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'ExpiredToken',
  'ExpiredTokenException',
]);

/** The rows every channel shares; `channel` names the channel in messages. */
function classifyCommon(channel: string, err: SendErrorInfo): ClassifiedFailure {
  const name = err.name ?? 'Error';
  const detail = err.message ?? name;
  if (name === 'CredentialsProviderError') {
    return failure('account', 'CREDENTIALS_UNAVAILABLE', `no credentials for this account: ${detail}`);
  }
  if (AUTH_FAILURES.has(name)) {
    return failure('account', name, `${channel}: credentials refused (${name}): ${detail}`);
  }
  if (err.code && CONNECTION_NEVER_MADE.has(err.code)) {
    return failure('region', err.code, `${channel} endpoint unreachable (${err.code}): ${detail}`, { retryable: true });
  }
  if (err.httpStatus === 429) {
    return failure('originator', name, `${channel} throttled (${name}): ${detail}`, { retryable: true });
  }
  if (err.httpStatus !== undefined && err.httpStatus >= 500) {
    return failure(
      'region',
      name === 'Error' || name === 'Unknown' ? `HTTP_${err.httpStatus}` : name,
      `${channel} service error ${err.httpStatus}, outcome unknown: ${detail}`,
      { ambiguous: true },
    );
  }
  if (err.httpStatus !== undefined && err.httpStatus >= 400) {
    return failure('request', name, `${channel} request rejected (${name}, HTTP ${err.httpStatus}): ${detail}`);
  }
  return failure(
    'region',
    err.code || name,
    `${channel}: no response, outcome unknown (${err.code || name}): ${detail}`,
    {
      ambiguous: true,
    },
  );
}

/** `SendWhatsAppMessage` errors (see the table above). */
export function classifyWhatsAppError(err: SendErrorInfo): ClassifiedFailure {
  const name = err.name ?? 'Error';
  const detail = err.message ?? name;
  switch (name) {
    case 'ThrottledRequestException':
      return failure('originator', name, `WhatsApp throttled: ${detail}`, { retryable: true });
    case 'InternalServiceException':
      return failure('region', name, `WhatsApp service error, outcome unknown: ${detail}`, { ambiguous: true });
    case 'DependencyException':
      return failure('region', name, `WhatsApp service dependency (Meta) failed, retryable: ${detail}`, {
        retryable: true,
      });
    case 'AccessDeniedException':
    case 'AccessDeniedByMetaException':
      return failure('account', name, `WhatsApp account cannot send (${name}): ${detail}`);
    case 'LimitExceededException':
      return failure('account', name, `WhatsApp account limit reached: ${detail}`);
    case 'ValidationException':
    case 'InvalidParametersException':
      return failure('request', name, `WhatsApp request rejected (${name}): ${detail}`);
    case 'ResourceNotFoundException':
      return failure('config', name, `WhatsApp origination phone number not found: ${detail}`);
    default:
      return classifyCommon('WhatsApp', err);
  }
}

/** SES v2 `SendEmail` errors (see the table above). */
export function classifyEmailError(err: SendErrorInfo): ClassifiedFailure {
  const name = err.name ?? 'Error';
  const detail = err.message ?? name;
  switch (name) {
    case 'TooManyRequestsException':
    case 'Throttling':
    case 'ThrottlingException':
      return failure('originator', name, `email throttled: ${detail}`, { retryable: true });
    case 'LimitExceededException':
      return failure('account', name, `email sending quota reached: ${detail}`);
    case 'SendingPausedException':
      return failure('account', name, `email sending paused for this account: ${detail}`);
    case 'AccountSuspendedException':
      return failure('account', name, `email sending suspended for this account: ${detail}`);
    case 'MessageRejected':
      if (/not verified/i.test(detail)) {
        return failure('config', 'EMAIL_ADDRESS_NOT_VERIFIED', `email identity not verified: ${detail}`);
      }
      return failure('request', name, `email rejected: ${detail}`);
    case 'MailFromDomainNotVerifiedException':
      return failure('config', name, `MAIL FROM domain not verified: ${detail}`);
    case 'BadRequestException':
      return failure('request', name, `email request rejected: ${detail}`);
    case 'NotFoundException':
      return failure('config', name, `email resource not found (configuration set?): ${detail}`);
    case 'InternalServiceErrorException':
      return failure('region', name, `email service error, outcome unknown: ${detail}`, { ambiguous: true });
    default:
      return classifyCommon('email', err);
  }
}

/** SNS `Publish` (mobile push) errors (see the table above). */
export function classifyPushError(err: SendErrorInfo): ClassifiedFailure {
  const name = err.name ?? 'Error';
  const detail = err.message ?? name;
  switch (name) {
    case 'EndpointDisabledException':
      return failure('channel', name, `push endpoint disabled (device token no longer valid): ${detail}`);
    case 'NotFoundException':
      return failure('channel', name, `push endpoint not found: ${detail}`);
    case 'ThrottledException':
    case 'KMSThrottlingException':
      return failure('originator', name, `push throttled: ${detail}`, { retryable: true });
    case 'AuthorizationErrorException':
    case 'InvalidSecurityException':
      return failure('account', name, `account cannot publish push (${name}): ${detail}`);
    case 'PlatformApplicationDisabledException':
    case 'KMSAccessDeniedException':
    case 'KMSDisabledException':
    case 'KMSInvalidStateException':
    case 'KMSNotFoundException':
    case 'KMSOptInRequired':
      return failure('config', name, `push platform configuration problem (${name}): ${detail}`);
    case 'InvalidParameterException':
    case 'InvalidParameterValueException':
    case 'ValidationException':
      return failure('request', name, `push request rejected (${name}): ${detail}`);
    case 'InternalErrorException':
      return failure('region', name, `push service error, outcome unknown: ${detail}`, { ambiguous: true });
    default:
      return classifyCommon('push', err);
  }
}

export interface ChannelSecrets {
  /** The recipient's phone number (WhatsApp). */
  destination?: string;
  /** Personal strings that must not appear: e-mail recipient, message texts, template parameters. */
  texts?: Array<string | undefined>;
  /** E-mail addresses that may stay (our own sender); every other address is replaced by `<email>`. */
  keepEmails?: string[];
}

const EMAIL_LIKE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** Remove personal data from an error message: the secrets given, phone numbers, other people's e-mail addresses. */
export function redactChannel(message: string, secrets: ChannelSecrets = {}): string {
  let out = message;
  const texts = (secrets.texts ?? []).filter((t): t is string => typeof t === 'string' && t.length >= 4);
  // Longest first, so a text containing another is replaced whole.
  for (const t of [...texts].sort((a, b) => b.length - a.length)) out = out.split(t).join('<content>');
  const keep = new Set((secrets.keepEmails ?? []).map((e) => e.toLowerCase()));
  out = out.replace(EMAIL_LIKE, (m) => (keep.has(m.toLowerCase()) ? m : '<email>'));
  return redact(out, { destination: secrets.destination });
}

function rawMessage(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err);
  const e = err as Record<string, unknown>;
  for (const v of [e.message, e.Message, e.name]) if (typeof v === 'string' && v.length > 0) return v;
  return 'Error';
}

/** `toSendErrorInfo` with the channel's redaction (applied to the raw message, secrets first). Never throws. */
export function toChannelErrorInfo(err: unknown, secrets: ChannelSecrets = {}): SendErrorInfo {
  return { ...toSendErrorInfo(err), message: redactChannel(rawMessage(err), secrets) };
}
