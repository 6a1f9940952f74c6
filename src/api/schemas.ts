/**
 * Request bodies of the HTTP API besides the message request itself, which is
 * `messageRequestSchema` from the domain (the same schema the typed client and the CLI use).
 */
import { z } from 'zod';
import { idempotencyKeySchema } from '../domain/message';

export const feedbackRequestSchema = z
  .object({
    /** RECEIVED: the user acted on the message. FAILED: the app knows it did not arrive (escalate now). */
    status: z.enum(['RECEIVED', 'FAILED']),
  })
  .strict();

export const cancelRequestSchema = z
  .object({
    reason: z.string().max(500, 'must be at most 500 characters').optional(),
  })
  .strict();

/**
 * A message by idempotency key or by workflow id (`sms:<key>`, as the Web UI, logs and report show it): the key's
 * characters, and room for the prefix. The typed client decides which one it is.
 */
export const keyParamsSchema = z
  .object({ key: idempotencyKeySchema.max(200 + 'sms:'.length, 'must be at most 204 characters') })
  .strict();

export type FeedbackRequest = z.output<typeof feedbackRequestSchema>;
export type CancelRequest = z.output<typeof cancelRequestSchema>;
