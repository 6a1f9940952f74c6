import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { z } from 'zod';
import { smsBodyProblem } from './sms-parts';
import { isTimeZone } from './time-zone';
import { webhookRequestSchema } from './webhook-config';

/**
 * A phone number in E.164 (`+` and digits), checked against libphonenumber's metadata for the
 * number's country, not by a regex. The parsed value is normalised E.164.
 */
export const e164Schema = z.string().transform((value, ctx) => {
  const trimmed = value.trim();
  if (!/^\+\d+$/.test(trimmed)) {
    ctx.addIssue({ code: 'custom', message: 'must be an E.164 number: "+" followed by digits, no spaces' });
    return z.NEVER;
  }
  const parsed = parsePhoneNumberFromString(trimmed);
  if (!parsed || !parsed.isValid()) {
    ctx.addIssue({ code: 'custom', message: 'is not a valid phone number for any country' });
    return z.NEVER;
  }
  if (!parsed.country) {
    ctx.addIssue({ code: 'custom', message: 'is a non-geographic number; SMS needs a country' });
    return z.NEVER;
  }
  return parsed.number;
});

/** ISO 3166-1 alpha-2 country of an already validated E.164 number. */
export function countryOf(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed?.country) throw new Error('number has no country');
  return parsed.country;
}

export const MESSAGE_TYPES = ['TRANSACTIONAL', 'PROMOTIONAL'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Keys are ours to choose but end up in a workflow id: keep them printable and short. */
export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/, 'may contain only letters, digits and . _ : @ / - (starting alphanumeric)');

export const useCaseSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lowercase letters, digits, _ or -');

/** What an application asks for. Parsed at every boundary (client, HTTP, CLI). */
export const messageRequestSchema = z
  .object({
    destination: e164Schema,
    /**
     * The SMS text, checked as AWS will check it (`smsBodyProblem`, src/domain/sms-parts.ts): GSM 7-bit
     * or UCS-2, at most 1530 septets or 630 UTF-16 code units; no NUL, not only whitespace.
     */
    body: z.string().superRefine((body, ctx) => {
      const problem = smsBodyProblem(body);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    messageType: z.enum(MESSAGE_TYPES).optional(),
    useCase: useCaseSchema,
    idempotencyKey: idempotencyKeySchema.optional(),
    contacts: z
      .object({
        email: z.email().optional(),
        pushEndpointArn: z
          .string()
          .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:endpoint\/.+$/, 'must be an SNS platform endpoint ARN')
          .optional(),
        whatsapp: e164Schema.optional(),
      })
      .strict()
      .optional(),
    /** Per-channel content; anything absent is derived from `body`. */
    content: z
      .object({
        voice: z
          .object({
            text: z.string().min(1).max(3000).optional(),
            ssml: z
              .string()
              .min(1)
              .max(6000)
              .refine((v) => v.trim().startsWith('<speak'), 'SSML must start with <speak>')
              .optional(),
          })
          .strict()
          .refine((v) => !(v.text && v.ssml), 'give voice.text or voice.ssml, not both')
          .optional(),
        email: z
          .object({
            subject: z.string().min(1).max(998).optional(),
            text: z.string().min(1).max(100_000).optional(),
            html: z.string().min(1).max(500_000).optional(),
          })
          .strict()
          .optional(),
        push: z
          .object({ title: z.string().min(1).max(100).optional(), body: z.string().min(1).max(1000).optional() })
          .strict()
          .optional(),
        whatsapp: z
          .object({ parameters: z.array(z.string().min(1).max(1024)).max(10).optional() })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    /** The recipient's IANA time zone (quiet hours); default: every zone of the destination's country. */
    timeZone: z
      .string()
      .refine((tz) => isTimeZone(tz), 'is not an IANA time zone such as "America/New_York"')
      .optional(),
    /** This message's status webhook (URL, events), signed with its use case's key (src/domain/webhook-config.ts). */
    webhook: webhookRequestSchema.optional(),
    /** Free-form, non-personal labels (campaign, tenant, ...). Never put personal data here. */
    tags: z
      .record(
        z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'tag names are 1-64 of A-Z a-z 0-9 _ . -'),
        z.string().max(256),
      )
      .refine((tags) => Object.keys(tags).length <= 20, 'at most 20 tags')
      .optional(),
  })
  .strict();

/**
 * A request as applications send it (HTTP API, typed client, CLI): `useCase` may be left out, and the client then
 * uses the config's default (src/domain/resolve.ts defaultUseCase).
 */
export const sendRequestSchema = messageRequestSchema.extend({ useCase: useCaseSchema.optional() });

export type MessageRequestInput = z.input<typeof messageRequestSchema>;
export type MessageRequest = z.output<typeof messageRequestSchema>;
