/**
 * Failure classification: which part of the delivery chain failed decides which rung of the ladder
 * comes next. Pure data and functions; imported by activities (to classify SDK errors), by the
 * workflow and its planner (to decide), and by tests.
 *
 * The tables, with their AWS sources, are in docs/failure-classification.md: send errors by exception name and
 * `Reason`, delivery receipts by `messageStatus`.
 */
import {
  ACCESS_DENIED_REASON_SCOPES,
  CONFLICT_REASON_SCOPES,
  MISSING_RESOURCE_SCOPES,
  QUOTA_REASON_SCOPES,
  scopeFrom,
  VALIDATION_REASON_SCOPES,
} from './sms-error-reasons';

/**
 * The scope of a failure, from narrowest to widest:
 * - `originator`: this origination identity is filtered, unregistered or throttled -> next originator.
 * - `route`: the carrier path of this account x Region did not deliver (TTL expired, unreachable
 *   carrier, no final status) -> skip the remaining originators of this route.
 * - `account`: spend limit, disabled account, country not enabled -> skip every rung of this account
 *   in this Region.
 * - `region`: the service in this Region failed (5xx, timeout, unreachable endpoint) -> skip the
 *   whole Region.
 * - `handset`: the phone is off or out of coverage -> delayed retry, then an alternate channel.
 * - `channel`: this channel cannot reach the destination on any route (invalid number, protect-configuration
 *   block) -> every rung of this channel is skipped; alternate channels only.
 * - `recipient`: opted out -> never another SMS or voice route (never routed around); only the channels
 *   the policy allows after an opt-out.
 * - `request`: the request itself is bad -> permanent failure, nothing else is tried.
 * - `config`: our configuration is wrong (unknown resource, inactive pool) -> next originator, loudly.
 */
export const FAILURE_SCOPES = [
  'originator',
  'route',
  'account',
  'region',
  'handset',
  'channel',
  'recipient',
  'request',
  'config',
] as const;
export type FailureScope = (typeof FAILURE_SCOPES)[number];

/** A classified failure of one attempt; carried in activity failure details and in the status record. */
export interface ClassifiedFailure {
  scope: FailureScope;
  /** Short machine-readable cause, e.g. `ThrottlingException`, `MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT`, `TEXT_BLOCKED`. */
  reason: string;
  /** Human-readable detail (no personal data). */
  message: string;
  /** Safe to send again on the same rung (the request provably did not lead to a send). */
  retryable: boolean;
  /** The request may have been accepted: a second send could text the user twice. */
  ambiguous: boolean;
}

/** What an activity reports about a failed send: the SDK exception, flattened. */
export interface SendErrorInfo {
  /** Exception name as the SDK reports it (`ThrottlingException`, `ValidationException`, `TimeoutError`, ...). */
  name: string;
  /** The service's `Reason` field, when present. */
  reason?: string;
  /** ResourceNotFoundException's `ResourceType` (what is missing), when present. */
  resourceType?: string;
  /** HTTP status code, when a response arrived. */
  httpStatus?: number;
  /** Node/network error code (`ECONNREFUSED`, `ETIMEDOUT`, ...), when no response arrived. */
  code?: string;
  message?: string;
}

/** Network error codes that mean no connection was made, so nothing was sent: safe to retry. */
export const CONNECTION_NEVER_MADE: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNECT_TIMEOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** How a validation failure reads in the record, by scope. */
const VALIDATION_WORDS: Partial<Record<FailureScope, string>> = {
  request: 'request rejected',
  originator: 'originator cannot send to this destination',
  account: 'destination not allowed for this account',
  config: 'unexpected validation reason for a send',
};

function conflictFailure(scope: FailureScope, reason: string, label: string, detail: string): ClassifiedFailure {
  switch (scope) {
    case 'recipient':
      return failure(scope, reason, `recipient opted out (${label}): ${detail}`);
    case 'channel':
      // The protect configuration (SMS pumping defence) blocks this destination for this channel on every route.
      return failure(scope, reason, `blocked by the protect configuration (${label}): ${detail}`);
    case 'account':
      return failure(scope, reason, `this account cannot send to this destination (${label}): ${detail}`);
    default:
      return failure(scope, reason, `configuration conflict (${label}): ${detail}`);
  }
}

/** A classified failure; not retryable and not ambiguous unless the flags say so. */
export function failure(
  scope: FailureScope,
  reason: string,
  message: string,
  flags: { retryable?: boolean; ambiguous?: boolean } = {},
): ClassifiedFailure {
  return { scope, reason, message, retryable: flags.retryable ?? false, ambiguous: flags.ambiguous ?? false };
}

/**
 * Classify an error from `SendTextMessage` / `SendVoiceMessage`. Every input yields a classification;
 * an unknown error is treated as Region-scoped and ambiguous, the safe side for a non-idempotent send.
 */
export function classifySendError(err: SendErrorInfo): ClassifiedFailure {
  const name = err.name ?? 'Error';
  const reason = err.reason ?? '';
  const detail = err.message ?? name;
  const label = reason ? `${name}/${reason}` : name;

  switch (name) {
    case 'ThrottlingException':
      // The request was refused before anything was sent: safe to retry after a backoff.
      return failure('originator', name, `throttled: ${detail}`, { retryable: true });
    case 'ServiceQuotaExceededException':
      return failure(
        scopeFrom(QUOTA_REASON_SCOPES, reason) ?? 'account',
        reason || name,
        `account quota reached (${label}): ${detail}`,
      );
    case 'AccessDeniedException':
      return failure(
        scopeFrom(ACCESS_DENIED_REASON_SCOPES, reason) ?? 'account',
        reason || name,
        `account cannot send (${label}): ${detail}`,
      );
    case 'ResourceNotFoundException': {
      const missing = err.resourceType ? `${label}, ${err.resourceType}` : label;
      return failure(
        scopeFrom(MISSING_RESOURCE_SCOPES, err.resourceType) ?? 'config',
        reason || name,
        `configured resource not found (${missing}): ${detail}`,
      );
    }
    case 'ConflictException':
      // A reason not in the table (a newer service than our SDK) is about our setup: the next originator.
      return conflictFailure(scopeFrom(CONFLICT_REASON_SCOPES, reason) ?? 'config', reason || name, label, detail);
    case 'ValidationException':
      // An unknown reason takes the safe path (the next originator): never FAILED on a reason we cannot read.
      return failure(
        scopeFrom(VALIDATION_REASON_SCOPES, reason) ?? 'originator',
        reason || name,
        `${VALIDATION_WORDS[scopeFrom(VALIDATION_REASON_SCOPES, reason) ?? 'originator'] ?? 'rejected'} (${label}): ${detail}`,
      );
    case 'CredentialsProviderError':
      // We could not get credentials for the account (AssumeRole into the secondary failed): nothing was sent.
      return failure('account', 'CREDENTIALS_UNAVAILABLE', `no credentials for this account: ${detail}`);
    case 'InternalServerException':
      // The request reached the service; it may have been accepted.
      return failure('region', name, `service error, outcome unknown: ${detail}`, { ambiguous: true });
    default:
      break;
  }

  if (err.code && CONNECTION_NEVER_MADE.has(err.code)) {
    // No connection was made, so nothing was sent: retrying cannot text the user twice.
    return failure('region', err.code, `endpoint unreachable (${err.code}): ${detail}`, { retryable: true });
  }
  if (err.httpStatus !== undefined && err.httpStatus >= 500) {
    return failure('region', `HTTP_${err.httpStatus}`, `service error ${err.httpStatus}, outcome unknown: ${detail}`, {
      ambiguous: true,
    });
  }
  if (err.httpStatus !== undefined && err.httpStatus >= 400) {
    return failure('request', `HTTP_${err.httpStatus}`, `request rejected (${label}): ${detail}`);
  }
  // Timeouts, resets after the request left, and anything unknown: the outcome is unknown.
  return failure('region', err.code || name, `no response, outcome unknown (${err.code || name}): ${detail}`, {
    ambiguous: true,
  });
}

/** Final delivery-receipt statuses (the `messageStatus` of a final event, or the event type without `TEXT_`). */
export const SUCCESS_STATUSES = ['DELIVERED', 'SUCCESSFUL', 'COMPLETED'] as const;
export const INTERMEDIATE_STATUSES = ['QUEUED', 'PENDING', 'SENT', 'INITIATED', 'RINGING', 'ANSWERED'] as const;
export const FAILURE_STATUSES = [
  'BLOCKED',
  'CARRIER_BLOCKED',
  'SPAM',
  'TTL_EXPIRED',
  'CARRIER_UNREACHABLE',
  'UNREACHABLE',
  'INVALID',
  'INVALID_MESSAGE',
  'PROTECT_BLOCKED',
  'UNKNOWN',
  'FAILED',
  'BUSY',
  'NO_ANSWER',
  'COMPLETED_NO_ANSWER',
] as const;

export type DlrStatusClass = 'success' | 'intermediate' | 'failure';

export function statusClass(status: string): DlrStatusClass {
  if ((SUCCESS_STATUSES as readonly string[]).includes(status)) return 'success';
  if ((FAILURE_STATUSES as readonly string[]).includes(status)) return 'failure';
  return 'intermediate';
}

/**
 * Classify a final failing delivery receipt. `eventType` (`TEXT_BLOCKED`, `VOICE_BUSY`, ...) is the
 * reason shown; it defaults to the SMS event of that status.
 */
export function classifyDlrFailure(
  status: string,
  description?: string,
  eventType = `TEXT_${status}`,
): ClassifiedFailure {
  const msg = (s: string) => (description ? `${s}: ${description}` : s);
  switch (status) {
    case 'BLOCKED':
    case 'CARRIER_BLOCKED':
    case 'SPAM':
      return failure('originator', eventType, msg('carrier or handset filtered this originator'));
    case 'CARRIER_UNREACHABLE':
    case 'TTL_EXPIRED':
    case 'UNKNOWN':
      return failure('route', eventType, msg('carrier path did not deliver'));
    case 'INVALID':
      return failure('channel', eventType, msg('destination is not a valid mobile number'));
    case 'INVALID_MESSAGE':
      return failure('request', eventType, msg('message body rejected by the carrier'));
    case 'UNREACHABLE':
    case 'BUSY':
    case 'NO_ANSWER':
    case 'COMPLETED_NO_ANSWER':
      return failure('handset', eventType, msg('the phone did not take it (off, out of coverage, busy or unanswered)'));
    case 'PROTECT_BLOCKED':
      return failure('channel', eventType, msg('blocked by the protect configuration'));
    default:
      // FAILED and anything new: try another route.
      return failure('route', eventType, msg('not delivered'));
  }
}
