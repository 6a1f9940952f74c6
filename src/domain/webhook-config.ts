/**
 * Status webhooks in the config (a use case's `webhook`) and in a request (`webhook`), and the `PlanWebhook` the
 * plan carries (docs/integration.md#status-webhooks). Secrets are named by environment variable only (`keys`, as
 * the encryption keys of config-security.ts are); a request can name a URL and its events, never a key or a secret.
 */
import { z } from 'zod';
import { envVarNameSchema, secretIdSchema } from './config-security';
import { durationSchema } from './duration';
import { InvalidInputError } from './errors';
import { WEBHOOK_EVENTS, type PlanWebhook } from './webhook';

const MAX_URL_LENGTH = 2048;

/** Hosts a plain-http webhook may name: this machine only (local development and tests). */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || /^127(\.\d{1,3}){3}$/.test(hostname) || hostname === '[::1]';
}

/**
 * The EC2 instance metadata service, "http://169.254.169.254/latest/meta-data/" or "http://[fd00:ec2::254]/…"
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html), and the rest of the
 * link-local 169.254.0.0/16, also as an IPv4-mapped IPv6 address (`[::ffff:a9fe:…]` once the URL parser normalised
 * it): never a receiver. Other names are not resolved here: see docs/integration.md#turning-them-on.
 */
function isMetadataHost(hostname: string): boolean {
  return (
    /^169\.254\.\d{1,3}\.\d{1,3}$/.test(hostname) ||
    /^\[::ffff:a9fe:[0-9a-f]{1,4}\]$/.test(hostname) ||
    hostname === '[fd00:ec2::254]'
  );
}

/** Why `value` is no webhook URL, or undefined when it is one. */
export function webhookUrlProblem(value: string): string | undefined {
  if (value.length > MAX_URL_LENGTH) return `is longer than ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URL such as https://app.example.com/sms-status';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `must be https (not ${url.protocol})`;
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    return 'must be https (plain http only to localhost, 127.0.0.1 or [::1])';
  }
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password';
  if (url.hash !== '' || value.includes('#')) return 'must not have a #fragment';
  if (isMetadataHost(url.hostname)) return 'must not name the instance metadata service (169.254.0.0/16)';
  return undefined;
}

export const webhookUrlSchema = z.string().superRefine((value, ctx) => {
  const problem = webhookUrlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const webhookKeySchema = z.object({ id: secretIdSchema, env: envVarNameSchema }).strict();

/** A use case's webhook (`policies.<useCase>.webhook`). */
export const webhookPolicySchema = z
  .object({
    /** Notified for every message of the use case; absent: only requests that give their own URL are notified. */
    url: webhookUrlSchema.optional(),
    /** `final` (default) or `every-escalation`. A request may choose its own. */
    events: z.enum(WEBHOOK_EVENTS).default('final'),
    /** The key new notifications are signed with (its id goes in the signature header). */
    signingKeyId: secretIdSchema,
    /**
     * Every key a notification may still be signed with: the signing key, and during a rotation the previous one
     * (messages in flight, and their retries, sign with the key id their plan recorded). Each secret is read from
     * the environment variable `env` (at least 32 characters); the config never holds it.
     */
    keys: z.array(webhookKeySchema).min(1),
    /** One HTTP request's timeout. */
    timeout: durationSchema
      .default(10_000)
      .refine((v) => v >= 1_000 && v <= 60_000, 'webhook timeout must be between 1s and 60s'),
    /** How long one notification is retried (exponential backoff from 1 s, at most an hour apart). */
    retryFor: durationSchema
      .default(24 * 3600_000)
      .refine((v) => v >= 60_000 && v <= 7 * 24 * 3600_000, 'webhook retryFor must be between 1m and 7d'),
  })
  .strict()
  .superRefine((w, ctx) => {
    const seen = new Set<string>();
    w.keys.forEach((key, i) => {
      if (seen.has(key.id))
        ctx.addIssue({ code: 'custom', path: ['keys', i, 'id'], message: `duplicate id "${key.id}"` });
      seen.add(key.id);
    });
    if (!seen.has(w.signingKeyId)) {
      ctx.addIssue({ code: 'custom', path: ['signingKeyId'], message: `no key with id "${w.signingKeyId}" in keys` });
    }
  });
export type WebhookPolicy = z.output<typeof webhookPolicySchema>;

/** A request's own webhook: signed with its use case's key, so the use case must have a `webhook`. */
export const webhookRequestSchema = z
  .object({ url: webhookUrlSchema, events: z.enum(WEBHOOK_EVENTS).optional() })
  .strict();
export type WebhookRequest = z.output<typeof webhookRequestSchema>;

/**
 * One key id is one secret everywhere: the worker finds a plan's key by its id alone (src/webhooks/keyring.ts), so
 * two use cases naming the same id with different variables is an error.
 */
export function checkWebhookKeys(policies: Record<string, { webhook?: WebhookPolicy }>, ctx: z.RefinementCtx): void {
  const envOf = new Map<string, { env: string; useCase: string }>();
  for (const [useCase, policy] of Object.entries(policies)) {
    policy.webhook?.keys.forEach((key, i) => {
      const known = envOf.get(key.id);
      if (known && known.env !== key.env) {
        ctx.addIssue({
          code: 'custom',
          path: ['policies', useCase, 'webhook', 'keys', i, 'env'],
          message: `webhook key "${key.id}" is read from ${known.env} in use case "${known.useCase}": one key id, one variable`,
        });
      }
      if (!known) envOf.set(key.id, { env: key.env, useCase });
    });
  }
}

/** The webhook of one message: the request's URL and events over its use case's; undefined when there is no URL. */
export function planWebhook(
  useCase: string,
  policy: WebhookPolicy | undefined,
  request: WebhookRequest | undefined,
): PlanWebhook | undefined {
  if (request && !policy) {
    throw new InvalidInputError('message request', [
      {
        path: 'webhook',
        message: `use case "${useCase}" has no webhook keys (policies.${useCase}.webhook): a request's webhook is signed with its use case's key`,
      },
    ]);
  }
  const url = request?.url ?? policy?.url;
  if (!policy || url === undefined) return undefined;
  return {
    url,
    events: request?.events ?? policy.events,
    keyId: policy.signingKeyId,
    timeoutMs: policy.timeout,
    retryForMs: policy.retryFor,
  };
}
