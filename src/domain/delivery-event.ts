/**
 * Delivery receipts (DLRs) as End User Messaging publishes them through an event destination, and
 * the compact form that is signalled into a workflow.
 *
 * Every field is bounded, so that no receipt, however large or hostile, can make a signal, the workflow's
 * history or its status record large. Where AWS documents a size, that is the bound (the SMS and voice v2 API
 * model, `pinpoint-sms-voice-v2` 2022-03-31, as in the SDKs and
 * https://docs.aws.amazon.com/sms-voice/latest/APIReference/API_SendTextMessage.html and
 * https://docs.aws.amazon.com/sms-voice/latest/APIReference/API_PutMessageFeedback.html):
 * - `MessageId`: 1-64 characters of `[A-Za-z0-9_:/-]`;
 * - `PhoneNumber` (destination, origination number): 1-20 characters, `\+?[1-9][0-9]{1,18}`;
 * - `IsoCountryCode`: two upper-case letters; `MessageType`: TRANSACTIONAL or PROMOTIONAL;
 * - `Context`: at most 5 entries, keys 1-100 characters, values 1-800;
 * - `SenderId` 1-11 characters and voice origination identities up to 256 (what `originationPhoneNumber` carries
 *   when the originator is not a number).
 * The event format (https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-event-format.html)
 * documents no size for `eventType`, `messageStatus` and `messageStatusDescription`; the event types are the
 * model's `EventType` enum (the longest is 27 characters), the statuses upper-case words such as
 * `CARRIER_UNREACHABLE`: we allow 64 upper-case characters for both and 2,048 for the description (cut to 500 in
 * the signal). Whatever exceeds a bound is rejected to the dead-letter queue, never truncated into a signal.
 */
import { z } from 'zod';

export const MAX_MESSAGE_ID_CHARS = 64;
export const MAX_EVENT_NAME_CHARS = 64;
export const MAX_DESCRIPTION_INPUT_CHARS = 2048;
export const MAX_DESCRIPTION_CHARS = 500;
export const MAX_CONTEXT_ENTRIES = 5;
/** The `numberTag` of a phone number: 16 hex digits (./number-tag.ts). */
export const NUMBER_TAG_PATTERN = /^[0-9a-f]{16}$/;

const eventName = (example: string) =>
  z
    .string()
    .max(MAX_EVENT_NAME_CHARS, `must be at most ${MAX_EVENT_NAME_CHARS} characters`)
    .regex(/^[A-Z][A-Z0-9_]*$/, `must be an upper-case name such as ${example}`);
const messageIdSchema = z
  .string()
  .min(1)
  .max(MAX_MESSAGE_ID_CHARS, `must be at most ${MAX_MESSAGE_ID_CHARS} characters`)
  .regex(/^[A-Za-z0-9_:/-]+$/, 'must be letters, digits and _ : / - only (the AWS message id format)');
/** E.164 as the API documents it, or a sender id / originator identity (at most 256 characters, no spaces). */
const originationSchema = z
  .string()
  .max(256, 'must be at most 256 characters')
  .regex(/^[A-Za-z0-9_:/+.-]+$/, 'must be a phone number, sender id or originator identity');
const phoneNumberSchema = z.string().regex(/^\+?[1-9][0-9]{1,18}$/, 'must be a phone number in E.164 format');
const timestampSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const amountSchema = z.number().finite().nonnegative().max(1e9);
const contextSchema = z
  .record(
    z.string().min(1).max(100, 'context keys are at most 100 characters'),
    z.string().max(800, 'context values are at most 800 characters'),
  )
  .refine((c) => Object.keys(c).length <= MAX_CONTEXT_ENTRIES, `context has at most ${MAX_CONTEXT_ENTRIES} entries`);

/** The event itself, as documented; unknown fields are kept out by `.strip()` but never fail parsing. */
export const deliveryEventSchema = z.object({
  eventType: eventName('TEXT_DELIVERED'),
  eventVersion: z.string().max(16).optional(),
  eventTimestamp: timestampSchema,
  isFinal: z.boolean(),
  originationPhoneNumber: originationSchema.optional(),
  destinationPhoneNumber: phoneNumberSchema.optional(),
  isoCountryCode: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be two upper-case letters')
    .optional(),
  messageId: messageIdSchema,
  messageRequestTimestamp: timestampSchema.optional(),
  messageType: z.string().max(32).optional(),
  messageStatus: eventName('DELIVERED'),
  messageStatusDescription: z
    .string()
    .max(MAX_DESCRIPTION_INPUT_CHARS, `must be at most ${MAX_DESCRIPTION_INPUT_CHARS} characters`)
    .optional(),
  context: contextSchema.optional(),
  totalMessageParts: z.number().int().nonnegative().max(1000).optional(),
  totalMessagePrice: amountSchema.optional(),
  totalCarrierFee: amountSchema.optional(),
});
export type DeliveryEvent = z.infer<typeof deliveryEventSchema>;

/**
 * Where the ingester received the receipt: the account and Region of the DLR queue (config `dlrQueues`). A
 * receipt is only accepted for an attempt sent through that same account and Region.
 */
export interface ReceiptOrigin {
  account: string;
  region: string;
}

/**
 * What the ingester signals into the workflow: only what the workflow needs, no phone numbers. The receipt's
 * numbers travel as `numberTag`s (a digest salted with the workflow id), which the workflow compares with its own
 * attempt's. `origin`, `destinationTag` and `originationTag` are absent from signals recorded before they existed:
 * such a signal is accepted as it was then.
 */
export const dlrSignalSchema = z
  .object({
    attempt: z.number().int().positive(),
    eventType: eventName('TEXT_DELIVERED'),
    status: eventName('DELIVERED'),
    isFinal: z.boolean(),
    messageId: messageIdSchema,
    eventTimestamp: timestampSchema,
    description: z.string().max(MAX_DESCRIPTION_CHARS).optional(),
    /** `totalMessagePrice` (USD). */
    price: amountSchema.optional(),
    /** `totalCarrierFee` (USD); absent from signals recorded before it was carried. */
    carrierFee: amountSchema.optional(),
    origin: z
      .object({ account: z.string().min(1).max(64), region: z.string().min(1).max(64) })
      .strict()
      .optional(),
    destinationTag: z.string().regex(NUMBER_TAG_PATTERN).optional(),
    originationTag: z.string().regex(NUMBER_TAG_PATTERN).optional(),
    /**
     * The receipt's channel when it is not SMS or voice: a WhatsApp status (./whatsapp-event.ts) or an SES event
     * (./ses-event.ts). Absent on SMS and voice receipts, and on every signal recorded before channel receipts.
     */
    channel: z.enum(['whatsapp', 'email']).optional(),
  })
  .strict();
export type DlrSignal = z.infer<typeof dlrSignalSchema>;
