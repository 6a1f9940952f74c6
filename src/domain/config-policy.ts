/**
 * The `policies` section: one policy per use case (success criterion, timing, prices, channels, quiet hours).
 */
import { z } from 'zod';
import { durationSchema } from './duration';
import { CHANNELS, isNumberChannel } from './channel';
import { nameSchema } from './config-base';
import { MESSAGE_TYPES } from './message';
import {
  destinationCountryParametersSchema,
  keywordSchema,
  maxPriceSchema,
  protectConfigurationIdSchema,
} from './send-parameters';
import { webhookPolicySchema } from './webhook-config';

const hhmmSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time such as "21:00"');

export const quietHoursSchema = z
  .object({
    /** Channels the window applies to, e.g. [voice]. */
    channels: z.array(z.enum(CHANNELS)).min(1),
    /** Local time in the recipient's time zone when the quiet window starts and ends (may wrap midnight). */
    start: hhmmSchema,
    end: hhmmSchema,
    /** `wait`: hold the rung with a durable timer until the window ends; `skip`: go to the next rung. */
    action: z.enum(['wait', 'skip']).default('wait'),
  })
  .strict();

export const SUCCESS_CRITERIA = ['dlr', 'feedback', 'dlr-or-feedback'] as const;

/**
 * The receipt that settles a WhatsApp or email attempt as delivered: the service's `accepted`ance of the send, the
 * `delivered` receipt (WhatsApp `delivered`, SES `Delivery`; a later `read` / `Open` counts too), or only the
 * `read` receipt (WhatsApp `read`, SES `Open`, which needs open tracking on the configuration set). docs/receipts.md.
 */
export const CHANNEL_SUCCESS_EVENTS = ['accepted', 'delivered', 'read'] as const;
export type ChannelSuccessEvent = (typeof CHANNEL_SUCCESS_EVENTS)[number];
const channelSuccessSchema = z
  .object({
    whatsapp: z.enum(CHANNEL_SUCCESS_EVENTS).default('delivered'),
    email: z.enum(CHANNEL_SUCCESS_EVENTS).default('delivered'),
  })
  .strict();

export const policySchema = z
  .object({
    /** What ends the message as a success: a final DLR, the user's feedback, or whichever comes first. */
    success: z.enum(SUCCESS_CRITERIA).default('dlr-or-feedback'),
    /** Per channel with receipts, which receipt is the `dlr` (push has none: its acceptance always is). */
    channelSuccess: channelSuccessSchema.default({ whatsapp: 'delivered', email: 'delivered' }),
    messageType: z.enum(MESSAGE_TYPES).default('TRANSACTIONAL'),
    /** How long one rung waits for its DLR (or feedback) before the ladder climbs. */
    stepWait: durationSchema.default(72 * 3600_000),
    /** Total time for the message; past it the workflow ends FAILED whatever rung it is on. */
    deadline: durationSchema.default(73 * 3600_000),
    /** `TimeToLive` of each SMS (5 s .. 72 h). */
    ttl: durationSchema
      .default(72 * 3600_000)
      .refine((v) => v >= 5_000 && v <= 259_200_000, 'ttl must be between 5s and 72h'),
    /**
     * `MaxPrice` in USD, e.g. "0.50": per the SendTextMessage reference "the maximum amount that you want to
     * spend … per each text message"; a body of several parts (`smsParts`) costs that many parts. Checked against
     * the API's own pattern (./send-parameters.ts): "1" is refused here, as every send would refuse it.
     */
    maxPrice: maxPriceSchema.optional(),
    /** Voice's own cap, `MaxPricePerMinute` of SendVoiceMessage (USD per minute, same pattern as `maxPrice`). */
    maxPricePerMinute: maxPriceSchema.optional(),
    /**
     * `ProtectConfigurationId` of every SMS and voice send of this use case, in every account × Region (an existing id
     * or ARN). Or, instead of it, `protectConfiguration`.
     */
    protectConfigurationId: protectConfigurationIdSchema.optional(),
    /**
     * A protect configuration of the `protectConfigurations` section, by name: each SMS and voice send carries its id
     * of the send's account × Region (./protect-config.ts). Not together with `protectConfigurationId`.
     */
    protectConfiguration: nameSchema.optional(),
    /** `Keyword` of SMS sends on US short codes: the registered program's keyword (left out on other originators). */
    keyword: keywordSchema.optional(),
    /**
     * `DestinationCountryParameters`, e.g. India's `IN_ENTITY_ID` / `IN_TEMPLATE_ID` (DLT registration); each key is
     * sent only to its own country's numbers.
     */
    destinationCountryParameters: destinationCountryParametersSchema.optional(),
    /** ISO country codes this use case may send to (SMS pumping defence); absent = every configured country. */
    allowedCountries: z.array(z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code')).optional(),
    /** Channels in the order the ladder climbs them; SMS rungs are the routing ladder above. */
    channels: z.array(z.enum(CHANNELS)).min(1).default(['sms']),
    /** Channels still allowed after the recipient opted out of SMS/voice (never sms or voice). */
    channelsAfterOptOut: z
      .array(z.enum(CHANNELS))
      .default([])
      .refine((c) => !c.some(isNumberChannel), 'sms and voice are never allowed after an opt-out'),
    /** Quiet hours in the recipient's local time. */
    quietHours: z.array(quietHoursSchema).default([]),
    /**
     * Stop the ladder once the known total price (USD, from the receipts: each one's `totalMessagePrice` plus its
     * `totalCarrierFee`) reaches this.
     */
    maxTotalPrice: z
      .string()
      .regex(/^\d{1,4}(\.\d{1,5})?$/, 'must be a decimal price in USD such as "1.50"')
      .optional(),
    /** Status webhook: where the final status (and optionally each escalation) is POSTed, signed (./webhook-config.ts). */
    webhook: webhookPolicySchema.optional(),
    /** Send with `MessageFeedbackEnabled`; attempts without feedback by the end are set FAILED. */
    messageFeedback: z.boolean().default(false),
    /** After a DLR success, how long to keep listening for the user's feedback (feedback-enabled only). */
    feedbackGrace: durationSchema.default(0),
    /** Throttled sends: retries on the same originator, and the first backoff (doubles each time). */
    throttleRetries: z.number().int().min(0).max(10).default(3),
    throttleBackoff: durationSchema.default(2_000),
    /** Endpoint unreachable (nothing was sent): retries in the same Region before moving on. */
    unreachableRetries: z.number().int().min(0).max(10).default(2),
    unreachableBackoff: durationSchema.default(1_000),
    /**
     * An ambiguous send (5xx or timeout after the request left) may have been accepted. Rather than
     * re-send blindly, wait this long for a DLR carrying that attempt's context before moving on.
     */
    ambiguousWait: durationSchema.default(120_000),
    /** Handset unreachable: delayed retries on the same rung before alternate channels. */
    handsetRetries: z.number().int().min(0).max(5).default(1),
    handsetRetryDelay: durationSchema.default(15 * 60_000),
    /**
     * With pacing on: the order in which sends waiting for the same originator go (Temporal task-queue priority):
     * `high` before `normal` before `low`. Default: `high` for the `otp` use case, else `normal` (./pacing.ts).
     */
    priority: z.enum(['high', 'normal', 'low']).optional(),
    /** Hard cap on sends (including ambiguous ones) for one message. */
    maxSends: z.number().int().min(1).max(50).default(10),
  })
  .strict();

export type Policy = z.output<typeof policySchema>;
