/**
 * Config building blocks shared by the sections: names, Regions, accounts, routes and originators.
 */
import { z } from 'zod';
import { useCaseSchema } from './message';
import { isPrototypeName, PROTOTYPE_NAME_MESSAGE } from './own';

/** Names of accounts and routes: looked up by name, so never one every object inherits (`constructor`, …). */
export const nameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'must be letters, digits, _ or -')
  .refine((name) => !isPrototypeName(name), PROTOTYPE_NAME_MESSAGE);

/** A use case as a key of `policies`: requests look it up by name. */
export const policyNameSchema = useCaseSchema.refine((name) => !isPrototypeName(name), PROTOTYPE_NAME_MESSAGE);

export const regionSchema = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS Region such as us-east-1');

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
    /**
     * Message parts per second AWS allows this originator (its "Messaging limits"); default: AWS's published figure
     * for its type (DEFAULT_MPS, ./pacing.ts). Sends are paced to it when the config's `pacing` section is on.
     */
    mps: z.number().positive().max(10_000).optional(),
  })
  .strict()
  .refine((o) => !o.shared || o.identity.startsWith('arn:'), {
    message: 'a RAM-shared originator must be given by its full ARN',
    path: ['identity'],
  });

export const countryKeySchema = z.string().regex(/^([A-Z]{2}|\*)$/, 'country keys are ISO 3166-1 alpha-2 codes or "*"');

export type RouteConfig = z.output<typeof routeSchema>;
export type OriginatorConfig = z.output<typeof originatorSchema>;
export type AccountConfig = z.output<typeof accountSchema>;

/**
 * An SQS queue subscribed to an SNS topic that an AWS service publishes to: the receipt (DLR) queues and the two-way
 * SMS queues have this shape.
 */
export const snsQueueSchema = z
  .object({
    account: nameSchema,
    region: regionSchema,
    queueUrl: z.url(),
    /** Endpoint override for SQS/SNS (the local emulator). */
    endpoint: z.url().optional(),
    /** The topic the service publishes to. The simulator publishes there; local provisioning creates it. */
    topicArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/, 'must be an SNS topic ARN')
      .optional(),
    /** Whether the subscription uses raw message delivery (else the SQS body is the SNS envelope). */
    rawDelivery: z.boolean().default(false),
  })
  .strict();
