/**
 * Request bodies of the HTTP API besides the message request itself, which is
 * `messageRequestSchema` from the domain (the same schema the typed client and the CLI use).
 */
import { z } from 'zod';
import { durationSchema } from '../domain/duration';
import { MAX_TARGET_LENGTH } from '../domain/route-targets';
import { CONTROL_CHARACTERS, MAX_REASON_LENGTH } from '../health/operators';

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

/** `POST /routes/drain`: a target as `resilient-sms routes drain` takes it (src/domain/route-targets.ts). */
export const drainRequestSchema = z
  .object({
    target: z
      .string()
      .min(1, 'must not be empty')
      .max(MAX_TARGET_LENGTH, `must be at most ${MAX_TARGET_LENGTH} characters`),
    reason: z
      .string()
      .trim()
      .min(1, 'must not be empty: say why the route is drained')
      .max(MAX_REASON_LENGTH, `must be at most ${MAX_REASON_LENGTH} characters`)
      .refine((r) => !CONTROL_CHARACTERS.test(r), 'must be one line without control characters'),
    /** Undrain on its own after this long: "30m", "2h" or milliseconds. */
    for: durationSchema.refine((ms) => ms > 0, 'must be longer than 0').optional(),
  })
  .strict();

/** `POST /routes/undrain`. */
export const undrainRequestSchema = z
  .object({
    target: z
      .string()
      .min(1, 'must not be empty')
      .max(MAX_TARGET_LENGTH, `must be at most ${MAX_TARGET_LENGTH} characters`),
  })
  .strict();
