/**
 * The package's public API: what `import { … } from 'resilient-sms'` gives (package.json `exports`, `.`). Everything
 * else under lib/ is internal and not reachable from outside the package. Only re-exports here: an application gets
 * the typed client and its connection, the data converter, the config loader, the request and status types and the
 * errors the client throws, and the check of a status webhook's signature.
 */

// The typed client and its connection (the config's `temporal` section, the worker's data converter).
export { ResilientSmsClient, deriveIdempotencyKey, type SendResult } from './client/index';
export { connectResilientSms, type ConnectedClient, type ConnectResilientSmsOptions } from './client/connect';
export { reachedUser, type DeliveryOutcome, type WaitOptions, type WaitUntil } from './client/wait';
export type { MessageRef } from './client/lifecycle';

// What the client throws, each naming what is wrong.
export { IdempotencyConflictError, MessageEndedError, MessageNotFoundError } from './client/errors';
export { InvalidInputError } from './domain/errors';
export { TemporalSettingsError, TemporalUnreachableError } from './temporal/errors';

// The data converter every process uses (payloads encrypted when the config has keys), for an app's own Temporal Client.
export { dataConverterFor } from './codec/data-converter';

// The config the client validates requests against.
export { loadConfig } from './config/load';
export type { Config } from './domain/config';

// The request and the status record.
export type { SendRequestInput } from './domain/resolve';
export type { SmsParts, SmsEncoding } from './domain/sms-parts';
export { MESSAGE_STATUSES } from './domain/status';
export type { AttemptEvent, AttemptRecord, AttemptState, MessageStatus, StatusRecord } from './domain/status';

// For receivers of status webhooks: check a notification's signature before trusting it (docs/integration.md).
export {
  DEFAULT_TOLERANCE_SECONDS,
  DELIVERY_ID_HEADER,
  EVENT_TYPE_HEADER,
  SIGNATURE_HEADER,
  verifyWebhookSignature,
  WebhookVerificationError,
  type VerifiedWebhook,
  type VerifyWebhookOptions,
  type WebhookEvent,
  type WebhookVerificationCode,
} from './webhooks/verify';
