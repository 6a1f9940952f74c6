/**
 * The one configuration file: accounts, routes, originators per country, policies per use case,
 * DLR queues, and where Temporal is. Schema first; the TypeScript types are inferred from it.
 */
import { z } from 'zod';
import { routeHealthSchema } from './route-health-config';
import { durationSchema } from './duration';
import { securitySchema } from './config-security';
import { CHANNELS, isNumberChannel } from './channel';
import { MESSAGE_TYPES, useCaseSchema } from './message';
import { isPrototypeName, ownValue, PROTOTYPE_NAME_MESSAGE } from './own';

/** Names of accounts and routes: looked up by name, so never one every object inherits (`constructor`, …). */
const nameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'must be letters, digits, _ or -')
  .refine((name) => !isPrototypeName(name), PROTOTYPE_NAME_MESSAGE);

/** A use case as a key of `policies`: requests look it up by name. */
const policyNameSchema = useCaseSchema.refine((name) => !isPrototypeName(name), PROTOTYPE_NAME_MESSAGE);

const regionSchema = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS Region such as us-east-1');

export const credentialsSchema = z.discriminatedUnion('type', [
  /** The SDK's default provider chain (env, shared files, SSO, instance/task role). */
  z.object({ type: z.literal('default') }).strict(),
  /** A named profile from the shared config files. */
  z.object({ type: z.literal('profile'), profile: z.string().min(1) }).strict(),
  /** AssumeRole into another account (the usual way to reach a secondary account). */
  z
    .object({
      type: z.literal('assume-role'),
      roleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN'),
      externalId: z.string().min(2).max(1224).optional(),
      sessionName: z.string().min(2).max(64).optional(),
    })
    .strict(),
  /**
   * Fixed keys, for local emulators only: an account with static credentials must only have routes
   * with an `endpoint` override (checked below), so these can never be real AWS keys in a config.
   */
  z.object({ type: z.literal('static'), accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1) }).strict(),
]);

export const accountSchema = z
  .object({
    /** The 12-digit AWS account id, for documentation and ARN checks (optional). */
    accountId: z
      .string()
      .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
      .optional(),
    credentials: credentialsSchema.default({ type: 'default' }),
  })
  .strict();

export const routeSchema = z
  .object({
    id: nameSchema,
    account: nameSchema,
    region: regionSchema,
    /** Endpoint override (the local simulator); absent for real AWS. */
    endpoint: z.url().optional(),
    configurationSet: z.string().min(1).max(256).optional(),
  })
  .strict();

export const ORIGINATOR_TYPES = ['short-code', '10dlc', 'toll-free', 'long-code', 'sender-id', 'shared'] as const;
export type OriginatorType = (typeof ORIGINATOR_TYPES)[number];
export const ORIGINATOR_KINDS = ['pool', 'phone-number', 'sender-id'] as const;

export const originatorSchema = z
  .object({
    route: nameSchema,
    /** Pool id, phone number id, E.164 number, sender id, or the full ARN of any of them (required when RAM-shared). */
    identity: z.string().min(1).max(256),
    kind: z.enum(ORIGINATOR_KINDS).default('pool'),
    type: z.enum(ORIGINATOR_TYPES),
    /** Set when the resource is owned by another account and shared through AWS RAM. */
    shared: z.boolean().default(false),
  })
  .strict()
  .refine((o) => !o.shared || o.identity.startsWith('arn:'), {
    message: 'a RAM-shared originator must be given by its full ARN',
    path: ['identity'],
  });

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

/** Alternate channels, each through its AWS service in one account and Region. */
export const channelsSchema = z
  .object({
    /** Voice through End User Messaging `SendVoiceMessage`: voice-capable originators per country, on the routes above. */
    voice: z
      .object({
        originators: z.record(
          z.string().regex(/^([A-Z]{2}|\*)$/, 'country keys are ISO codes or "*"'),
          z.array(z.lazy(() => originatorSchema)).min(1),
        ),
        voiceId: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** WhatsApp through AWS End User Messaging Social (`SendWhatsAppMessage`), template messages only. */
    whatsapp: z
      .object({
        account: nameSchema,
        region: regionSchema,
        endpoint: z.url().optional(),
        /** `phone-number-id-...` of the WhatsApp Business number. */
        originationPhoneNumberId: z.string().min(1),
        templateName: z.string().min(1),
        templateLanguage: z.string().min(2).default('en_US'),
        metaApiVersion: z.string().default('v20.0'),
      })
      .strict()
      .optional(),
    /** Email through SES v2 `SendEmail`. */
    email: z
      .object({
        account: nameSchema,
        region: regionSchema,
        endpoint: z.url().optional(),
        fromAddress: z.email(),
        configurationSet: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** Push through SNS mobile push (`Publish` to a platform endpoint ARN). */
    push: z
      .object({
        account: nameSchema,
        region: regionSchema,
        endpoint: z.url().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const SUCCESS_CRITERIA = ['dlr', 'feedback', 'dlr-or-feedback'] as const;

export const policySchema = z
  .object({
    /** What ends the message as a success: a final DLR, the user's feedback, or whichever comes first. */
    success: z.enum(SUCCESS_CRITERIA).default('dlr-or-feedback'),
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
     * spend … per each text message"; a body of several parts (`smsParts`) costs that many parts.
     */
    maxPrice: z
      .string()
      .regex(/^\d{1,2}(\.\d{1,5})?$/, 'must be a decimal price in USD such as "0.50"')
      .optional(),
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
    /** Stop the ladder before the known total price (USD, from delivery receipts) would exceed this. */
    maxTotalPrice: z
      .string()
      .regex(/^\d{1,4}(\.\d{1,5})?$/, 'must be a decimal price in USD such as "1.50"')
      .optional(),
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
    /** Hard cap on sends (including ambiguous ones) for one message. */
    maxSends: z.number().int().min(1).max(50).default(10),
  })
  .strict();

/**
 * One DLR queue per account x Region: the configuration set's event destination publishes to an
 * SNS topic, and this SQS queue subscribes to it (with or without raw message delivery).
 */
export const dlrQueueSchema = z
  .object({
    account: nameSchema,
    region: regionSchema,
    queueUrl: z.url(),
    /** Endpoint override for SQS/SNS (the local emulator). */
    endpoint: z.url().optional(),
    /** The event destination's SNS topic. The simulator publishes there; local provisioning creates it. */
    topicArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/, 'must be an SNS topic ARN')
      .optional(),
    /** Whether the subscription uses raw message delivery (else the SQS body is the SNS envelope). */
    rawDelivery: z.boolean().default(false),
  })
  .strict();

export const temporalSchema = z
  .object({
    address: z.string().min(1).default('127.0.0.1:7233'),
    namespace: z.string().min(1).default('default'),
    taskQueue: z.string().min(1).default('resilient-sms'),
  })
  .strict();

/**
 * Worker process tuning (`npm run bench` measures it; see README "Performance"). Absent fields keep the
 * project's defaults (src/workers/worker-tuning.ts), which keep the Temporal SDK's except where noted there.
 */
export const workerTuningSchema = z
  .object({
    /**
     * Workflows kept in memory between their tasks; one not cached is replayed from its history on its next
     * task. At most 100,000: a cached message costs about 270 KB (src/workers/worker-tuning.ts), so more
     * would need tens of gigabytes; a larger figure is a typo (`1e15`).
     */
    maxCachedWorkflows: z.number().int().min(0).max(100_000).optional(),
    /** Slots per worker process; beyond a few thousand they only queue on the process's cores. */
    maxConcurrentWorkflowTaskExecutions: z.number().int().min(2).max(10_000).optional(),
    maxConcurrentActivityTaskExecutions: z.number().int().min(1).max(10_000).optional(),
    /** Long polls held open per task type. */
    maxConcurrentWorkflowTaskPolls: z.number().int().min(1).max(1_000).optional(),
    maxConcurrentActivityTaskPolls: z.number().int().min(1).max(1_000).optional(),
    /** One V8 context shared by all workflows (the SDK's default, much less memory per cached workflow). */
    reuseV8Context: z.boolean().optional(),
    workflowThreadPoolSize: z.number().int().min(1).max(16).optional(),
    /**
     * `auto` (default): the bundle `npm run build` prebuilt when it is current, else webpack at start;
     * `prebuilt`: refuse to start without a current prebuilt bundle; `bundle-at-start`: always webpack at start.
     */
    workflowBundle: z.enum(['auto', 'prebuilt', 'bundle-at-start']).optional(),
  })
  .strict();

/** DLR ingester tuning. */
export const ingesterTuningSchema = z
  .object({
    /** Signals in flight at once per receive loop. Default 10 (one SQS batch). */
    concurrency: z.number().int().min(1).max(100).optional(),
    /** ReceiveMessage loops per queue: while one loop signals its batch, the next receives. Default 1. */
    receiversPerQueue: z.number().int().min(1).max(16).optional(),
    /**
     * `final-only` (default): intermediate events (TEXT_PENDING, VOICE_RINGING, ...) are acknowledged and
     * counted without a signal: one signal, one workflow task and four history events less per event (the
     * workflow decides on final events only). `signal`: every event is signalled and recorded in the
     * message's status, at that price.
     */
    intermediateEvents: z.enum(['signal', 'final-only']).optional(),
    /**
     * SNS message signatures of enveloped receipts (src/ingester/sns-signature.ts): `verify` (default; certificates
     * only from https://sns.<region>.amazonaws.com), `emulator` (certificates from each queue's emulator `endpoint`,
     * for the local stack's moto), `off` (nothing verified; a warning at start).
     */
    snsSignatures: z.enum(['verify', 'emulator', 'off']).optional(),
  })
  .strict();

const countryKeySchema = z.string().regex(/^([A-Z]{2}|\*)$/, 'country keys are ISO 3166-1 alpha-2 codes or "*"');

export const configSchema = z
  .object({
    temporal: temporalSchema.default({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'resilient-sms' }),
    accounts: z.record(nameSchema, accountSchema).refine((a) => Object.keys(a).length > 0, 'at least one account'),
    routes: z.array(routeSchema).min(1),
    /** Originators per destination country in preference order; `*` applies to every other country. */
    originators: z.record(countryKeySchema, z.array(originatorSchema).min(1)),
    policies: z.record(policyNameSchema, policySchema).refine((p) => Object.keys(p).length > 0, 'at least one policy'),
    dlrQueues: z.array(dlrQueueSchema).default([]),
    security: securitySchema.default({}),
    channels: channelsSchema.default({}),
    worker: workerTuningSchema.optional(),
    ingester: ingesterTuningSchema.optional(),
    /** Breakers shared across messages, AWS Health events, canaries (src/domain/route-health-config.ts). */
    routeHealth: routeHealthSchema.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const routeIds = new Set<string>();
    config.routes.forEach((route, i) => {
      if (routeIds.has(route.id)) {
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'id'], message: `duplicate route id "${route.id}"` });
      }
      routeIds.add(route.id);
      const account = ownValue(config.accounts, route.account);
      if (!account) {
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'account'], message: `unknown account "${route.account}"` });
      } else if (account.credentials.type === 'static' && !route.endpoint) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', i, 'endpoint'],
          message: `account "${route.account}" has static credentials, which are only for emulators: set an endpoint`,
        });
      }
    });
    for (const [country, list] of Object.entries(config.originators)) {
      list.forEach((o, i) => {
        if (!routeIds.has(o.route)) {
          ctx.addIssue({
            code: 'custom',
            path: ['originators', country, i, 'route'],
            message: `unknown route "${o.route}"`,
          });
        }
      });
    }
    for (const [name, ch] of Object.entries(config.channels)) {
      if (ch && 'account' in ch && !ownValue(config.accounts, ch.account)) {
        ctx.addIssue({
          code: 'custom',
          path: ['channels', name, 'account'],
          message: `unknown account "${ch.account}"`,
        });
      }
    }
    for (const [country, list] of Object.entries(config.channels.voice?.originators ?? {})) {
      list.forEach((o, i) => {
        if (!routeIds.has(o.route)) {
          ctx.addIssue({
            code: 'custom',
            path: ['channels', 'voice', 'originators', country, i, 'route'],
            message: `unknown route "${o.route}"`,
          });
        }
      });
    }
    for (const [useCase, policy] of Object.entries(config.policies)) {
      policy.channels.forEach((channel, i) => {
        if (channel !== 'sms' && !config.channels[channel]) {
          ctx.addIssue({
            code: 'custom',
            path: ['policies', useCase, 'channels', i],
            message: `channel "${channel}" is not configured under channels.${channel}`,
          });
        }
      });
    }
    config.dlrQueues.forEach((q, i) => {
      if (!ownValue(config.accounts, q.account)) {
        ctx.addIssue({ code: 'custom', path: ['dlrQueues', i, 'account'], message: `unknown account "${q.account}"` });
      }
    });
  });

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type Policy = z.output<typeof policySchema>;
export type RouteConfig = z.output<typeof routeSchema>;
export type OriginatorConfig = z.output<typeof originatorSchema>;
export type AccountConfig = z.output<typeof accountSchema>;
