/**
 * Every `Reason` End User Messaging SMS and voice can put on an exception, and what its scope is: one explicit row per
 * member of the SDK's enums (the SDK model of `@aws-sdk/client-pinpoint-sms-voice-v2`, the same lists as the API
 * reference's ValidationException, ConflictException, AccessDeniedException, ServiceQuotaExceededException and
 * ResourceNotFoundException pages: https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/CommonErrors.html
 * and each operation's Errors section). The `Record` types make the compiler refuse an SDK update that adds a member
 * without a row; test/domain/sms-error-reasons.test.ts checks the installed SDK's values at run time.
 *
 * Scopes (src/domain/outcome.ts): `request` fails the message (wrong on every route), so only reasons that are about
 * the request's own content get it; a reason about who sends (an originator, its registration, its capabilities) is
 * `originator`; about the account in that Region (sandbox, country settings, spending) is `account`; a management-API
 * reason a send should never return is `config` (next originator, logged at ERROR). A reason not listed here (a newer
 * SDK than this table) takes the safe path: the next originator, never FAILED.
 * Why each scope is right, with sources: docs/failure-classification.md.
 */
import type {
  AccessDeniedExceptionReason,
  ConflictExceptionReason,
  ResourceType,
  ServiceQuotaExceededExceptionReason,
  ValidationExceptionReason,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';

/** The failure scopes a reason can have (a subset of `FailureScope` in ./outcome.ts, which imports this table). */
export type ReasonScope = 'request' | 'originator' | 'account' | 'route' | 'config' | 'recipient' | 'channel';
type Scope = ReasonScope;

/** ValidationException reasons. */
export const VALIDATION_REASON_SCOPES: Record<ValidationExceptionReason, Scope> = {
  // The request itself is malformed or too big: the same request fails on every route.
  ATTACHMENT_TYPE_NOT_SUPPORTED: 'request',
  CANNOT_PARSE: 'request',
  FIELD_VALIDATION_FAILED: 'request',
  INVALID_PARAMETER: 'request',
  INVALID_REQUEST: 'request',
  MAXIMUM_SIZE_EXCEEDED: 'request',
  MEDIA_TYPE_NOT_SUPPORTED: 'request',
  MISSING_PARAMETER: 'request',
  PARAMETERS_CANNOT_BE_USED_TOGETHER: 'request',
  PRICE_OVER_THRESHOLD: 'request',
  UNSPECIFIED_PARAMETER_NOT_SUPPORTED: 'request',
  // The originator (its registration, its type, its capabilities) cannot send this: another originator can.
  CHANNEL_NOT_ENABLED: 'originator',
  INVALID_ARN: 'originator',
  INVALID_IDENTITY_FOR_DESTINATION_COUNTRY: 'originator',
  INVALID_REGISTRATION_ASSOCIATION: 'originator',
  PHONE_NUMBER_CANNOT_BE_OPTED_IN: 'originator',
  RESOURCE_NOT_ACCESSIBLE: 'originator',
  SENDER_ID_NOT_REGISTERED: 'originator',
  SENDER_ID_NOT_SUPPORTED: 'originator',
  SENDER_ID_REQUIRES_REGISTRATION: 'originator',
  TWO_WAY_CHANNEL_NOT_PRESENT: 'originator',
  TWO_WAY_NOT_ENABLED: 'originator',
  TWO_WAY_NOT_SUPPORTED_IN_COUNTRY: 'originator',
  TWO_WAY_NOT_SUPPORTED_IN_REGION: 'originator',
  TWO_WAY_TOPIC_NOT_PRESENT: 'originator',
  VOICE_CAPABILITY_NOT_AVAILABLE: 'originator',
  // The account in this Region may not send there: the other account (or Region) may.
  COUNTRY_CODE_MISMATCH: 'account',
  COUNTRY_NOT_ENABLED: 'account',
  DESTINATION_COUNTRY_BLOCKED: 'account',
  INTERNATIONAL_SENDING_NOT_SUPPORTED: 'account',
  // Reasons of the management APIs (opt-out lists, registrations, verification, paging): a send returning one is a
  // surprise about our setup, not about the message. `OTHER` says nothing either: the safe path.
  CANNOT_ADD_OPTED_OUT_NUMBER: 'config',
  INVALID_FILTER_VALUES: 'config',
  INVALID_NEXT_TOKEN: 'config',
  OTHER: 'config',
  PHONE_NUMBER_CANNOT_BE_RELEASED: 'config',
  REGISTRATION_FIELD_CANNOT_BE_DELETED: 'config',
  REQUESTED_SPEND_LIMIT_HIGHER_THAN_SERVICE_LIMIT: 'config',
  UNKNOWN_OPERATION: 'config',
  UNKNOWN_REGISTRATION_FIELD: 'config',
  UNKNOWN_REGISTRATION_SECTION: 'config',
  UNKNOWN_REGISTRATION_TYPE: 'config',
  UNKNOWN_REGISTRATION_VERSION: 'config',
  VERIFICATION_CODE_MISMATCH: 'config',
};

/** ConflictException reasons. */
export const CONFLICT_REASON_SCOPES: Record<ConflictExceptionReason, Scope> = {
  // The recipient said STOP: never routed around.
  DESTINATION_PHONE_NUMBER_OPTED_OUT: 'recipient',
  // The protect configuration (SMS pumping defence) blocks this destination for this channel: never routed around.
  DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION: 'channel',
  DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE: 'channel',
  // The account is in the SMS sandbox and may only text verified numbers: no originator of it can, another account may.
  DESTINATION_PHONE_NUMBER_NOT_VERIFIED: 'account',
  // The originator does not fit the send (message type, keyword, capabilities): the next originator.
  KEYWORD_MISMATCH: 'originator',
  MESSAGE_TYPE_MISMATCH: 'originator',
  NUMBER_CAPABILITIES_MISMATCH: 'originator',
  // State of our resources (inactive, mismatched settings, registrations): next originator, loudly.
  CREATE_REGISTRATION_VERSION_NOT_ALLOWED: 'config',
  DELETION_PROTECTION_ENABLED: 'config',
  DISASSOCIATE_REGISTRATION_NOT_ALLOWED: 'config',
  DISCARD_REGISTRATION_VERSION_NOT_ALLOWED: 'config',
  EDIT_REGISTRATION_FIELD_VALUES_NOT_ALLOWED: 'config',
  EVENT_DESTINATION_MISMATCH: 'config',
  LAST_PHONE_NUMBER: 'config',
  NOTIFY_CONFIGURATION_NOT_ACTIVE: 'config',
  NO_ORIGINATION_IDENTITIES_FOUND: 'config',
  OPT_OUT_LIST_MISMATCH: 'config',
  PHONE_NUMBER_ASSOCIATED_TO_POOL: 'config',
  PHONE_NUMBER_ASSOCIATED_TO_REGISTRATION: 'config',
  PHONE_NUMBER_NOT_ASSOCIATED_TO_POOL: 'config',
  PHONE_NUMBER_NOT_IN_REGISTRATION_REGION: 'config',
  POOL_ASSOCIATED_TO_NOTIFY_CONFIGURATION: 'config',
  PROTECT_CONFIGURATION_ASSOCIATED_WITH_CONFIGURATION_SET: 'config',
  PROTECT_CONFIGURATION_IS_ACCOUNT_DEFAULT: 'config',
  PROTECT_CONFIGURATION_NOT_ASSOCIATED_WITH_CONFIGURATION_SET: 'config',
  RCS_AGENT_ALREADY_ASSOCIATED_TO_REGISTRATION_TYPE: 'config',
  RCS_AGENT_ASSOCIATED_TO_POOL: 'config',
  REGISTRATION_ALREADY_SUBMITTED: 'config',
  REGISTRATION_NOT_COMPLETE: 'config',
  RESOURCE_ALREADY_ASSOCIATED: 'config',
  RESOURCE_ALREADY_EXISTS: 'config',
  RESOURCE_DELETION_NOT_ALLOWED: 'config',
  RESOURCE_MODIFICATION_NOT_ALLOWED: 'config',
  RESOURCE_NOT_ACTIVE: 'config',
  RESOURCE_NOT_EMPTY: 'config',
  SELF_MANAGED_OPT_OUTS_MISMATCH: 'config',
  SENDER_ID_ASSOCIATED_TO_POOL: 'config',
  SUBMIT_REGISTRATION_VERSION_NOT_ALLOWED: 'config',
  TWO_WAY_CONFIG_MISMATCH: 'config',
  VERIFICATION_ALREADY_COMPLETE: 'config',
  VERIFICATION_CODE_EXPIRED: 'config',
};

/** AccessDeniedException reasons: the account cannot send (disabled, reputation); the other account may. */
export const ACCESS_DENIED_REASON_SCOPES: Record<AccessDeniedExceptionReason, Scope> = {
  ACCOUNT_DISABLED: 'account',
  INSUFFICIENT_ACCOUNT_REPUTATION: 'account',
};

/**
 * ServiceQuotaExceededException reasons: every quota is per account and Region (the spending limits per channel, the
 * daily calls to one destination, resource counts), so the other account or Region may still send.
 */
export const QUOTA_REASON_SCOPES: Record<ServiceQuotaExceededExceptionReason, Scope> = {
  ASSOCIATIONS_PER_REGISTRATION: 'account',
  CONFIGURATION_SETS_PER_ACCOUNT: 'account',
  DAILY_DESTINATION_CALL_LIMIT: 'account',
  DAILY_NOTIFY_TIER_MESSAGE_LIMIT: 'account',
  EVENT_DESTINATIONS_PER_CONFIGURATION_SET: 'account',
  KEYWORDS_PER_PHONE_NUMBER: 'account',
  KEYWORDS_PER_POOL: 'account',
  MONTHLY_SPEND_LIMIT_REACHED_FOR_MEDIA: 'account',
  MONTHLY_SPEND_LIMIT_REACHED_FOR_NOTIFY: 'account',
  MONTHLY_SPEND_LIMIT_REACHED_FOR_RCS: 'account',
  MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT: 'account',
  MONTHLY_SPEND_LIMIT_REACHED_FOR_VOICE: 'account',
  NOTIFY_CONFIGURATIONS_PER_ACCOUNT: 'account',
  OPT_OUT_LISTS_PER_ACCOUNT: 'account',
  ORIGINATION_IDENTITIES_PER_POOL: 'account',
  PHONE_NUMBERS_PER_ACCOUNT: 'account',
  PHONE_NUMBERS_PER_REGISTRATION: 'account',
  POOLS_PER_ACCOUNT: 'account',
  PROTECT_CONFIGURATIONS_PER_ACCOUNT: 'account',
  RCS_AGENTS_PER_ACCOUNT: 'account',
  REGISTRATIONS_PER_ACCOUNT: 'account',
  REGISTRATION_ATTACHMENTS_CREATED_PER_DAY: 'account',
  REGISTRATION_ATTACHMENTS_PER_ACCOUNT: 'account',
  REGISTRATION_VERSIONS_CREATED_PER_DAY: 'account',
  SENDER_IDS_PER_ACCOUNT: 'account',
  TAGS_PER_RESOURCE: 'account',
  VERIFICATION_ATTEMPTS_PER_DAY: 'account',
  VERIFIED_DESTINATION_NUMBERS_PER_ACCOUNT: 'account',
};

/**
 * ResourceNotFoundException's `ResourceType`: what is missing decides what else cannot work. A configuration set
 * is used by every originator of its route; the account, by everything of it in the Region; anything else belongs to
 * one originator (its pool, number, sender ID, registration, keyword, opt-out list).
 */
export const MISSING_RESOURCE_SCOPES: Record<ResourceType, Scope> = {
  account: 'account',
  'configuration-set': 'route',
  'event-destination': 'route',
  'protect-configuration': 'route',
  keyword: 'config',
  message: 'config',
  'message-template': 'config',
  'notify-configuration': 'config',
  'notify-template': 'config',
  'opted-out-number': 'config',
  'opt-out-list': 'config',
  'phone-number': 'config',
  policy: 'config',
  pool: 'config',
  'rcs-agent': 'config',
  registration: 'config',
  'registration-attachment': 'config',
  'sender-id': 'config',
  'verified-destination-number': 'config',
};

/** The row for `reason` in `table`, if it has one (own properties only: a reason comes from a response). */
export function scopeFrom(table: Record<string, Scope>, reason: string | undefined): Scope | undefined {
  if (reason === undefined || !Object.prototype.hasOwnProperty.call(table, reason)) return undefined;
  return table[reason];
}
