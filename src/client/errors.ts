/**
 * What the typed client throws when a message cannot be acted on, each with what is true about it. The HTTP API
 * maps them to status codes (404, 409) and the CLI to exit codes; none carries a body or a full phone number.
 */
import type { MessageStatus } from '../domain/status';

/** No message exists for this key or workflow id. */
export class MessageNotFoundError extends Error {
  override readonly name = 'MessageNotFoundError';
  constructor(readonly idempotencyKey: string) {
    super(`no message with key "${idempotencyKey}"`);
  }
}

/** The message exists but has ended: it takes no more feedback and cannot be cancelled. */
export class MessageEndedError extends Error {
  override readonly name = 'MessageEndedError';
  constructor(
    readonly idempotencyKey: string,
    readonly workflowId: string,
    /** The message's final (or, for a workflow that closed abnormally, last known) status. */
    readonly status: MessageStatus,
    reason: string,
    refused: string,
  ) {
    super(`message "${idempotencyKey}" has already ended: ${status} (${reason}); ${refused}`);
  }
}

/** An idempotency key reused for a different request: nothing was sent, the existing message is untouched. */
export class IdempotencyConflictError extends Error {
  override readonly name = 'IdempotencyConflictError';
  constructor(
    readonly idempotencyKey: string,
    readonly workflowId: string,
    /** Names of the fields that differ (`body`, `contacts.email`), never their values. */
    readonly differentFields: string[],
  ) {
    super(
      `idempotency key "${idempotencyKey}" was already used for a different request ` +
        `(different: ${differentFields.join(', ')}); nothing was sent: use a new key for a new message`,
    );
  }
}
