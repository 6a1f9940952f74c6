/**
 * Request bodies of the HTTP API besides the message request itself, which is
 * `messageRequestSchema` from the domain (the same schema the typed client and the CLI use).
 */
import { z } from 'zod';

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
 * A message by idempotency key or by workflow id (`sms:<key>`, as the Web UI, logs and report show it). Only the
 * length is checked here; the typed client (messageRefs) checks the characters, naming the rule, before it calls
 * Temporal.
 */
export const keyParamsSchema = z
  .object({ key: z.string().min(1, 'must not be empty').max(204, 'must be at most 204 characters') })
  .strict();

export type FeedbackRequest = z.output<typeof feedbackRequestSchema>;
export type CancelRequest = z.output<typeof cancelRequestSchema>;
