/**
 * `postWebhook`: one HTTP POST of one status notification (docs/integration.md#status-webhooks), signed with the
 * key its plan names (src/webhooks/signature.ts). Run by the `deliverWebhook` workflow, whose retry policy repeats
 * it; this activity only says which outcomes are worth repeating:
 *
 * - 2xx: delivered.
 * - 408, 429, 5xx, no answer within the timeout, a refused or reset connection: thrown retryable (a 429 or 503
 *   with `Retry-After` in seconds waits that long, at most an hour).
 * - any other answer (3xx: redirects are not followed; 4xx): non-retryable `WebhookRejected`, logged.
 *
 * The secret comes from the worker's keyring by key id; the log names the key id, the delivery id and the URL
 * without its query (which may carry the receiver's token), never a secret, a body or a phone number.
 */
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { loggableUrl, type WebhookEventType } from '../domain/webhook';
import type { WebhookKeyring } from '../webhooks/keyring';
import { DELIVERY_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signatureHeader } from '../webhooks/signature';
import { activityLog } from './log';

export const WEBHOOK_REJECTED = 'WebhookRejected';
export const WEBHOOK_FAILED = 'WebhookFailed';
export const WEBHOOK_KEY_UNKNOWN = 'WebhookKeyUnknown';

const MAX_RETRY_AFTER_SECONDS = 3600;

export interface PostWebhookInput {
  url: string;
  keyId: string;
  deliveryId: string;
  type: WebhookEventType;
  body: string;
  timeoutMs: number;
}

export interface PostWebhookResult {
  httpStatus: number;
}

export interface WebhookActivityDeps {
  keys: WebhookKeyring;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** Clock for the signature's timestamp (epoch ms). Default `Date.now`. */
  now?: () => number;
}

function attemptNumber(): number | undefined {
  try {
    return Context.current().info.attempt;
  } catch {
    return undefined;
  }
}

/** What went wrong with a request that got no answer: the timeout, or the socket error's code. */
function unanswered(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

/** `Retry-After` in whole seconds (an HTTP date is not honoured: the retry policy's backoff applies). */
function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (value === null || !/^\d{1,6}$/.test(value.trim())) return undefined;
  return Math.min(Number(value.trim()), MAX_RETRY_AFTER_SECONDS) * 1000;
}

function outcomeOf(response: Response, where: string): PostWebhookResult {
  const status = response.status;
  if (status >= 200 && status < 300) return { httpStatus: status };
  const message = `webhook ${where} answered HTTP ${status}`;
  if (status === 408 || status === 429 || status >= 500) {
    const nextRetryDelay = status === 429 || status === 503 ? retryAfterMs(response) : undefined;
    throw ApplicationFailure.create({
      message,
      type: WEBHOOK_FAILED,
      details: [{ httpStatus: status }],
      ...(nextRetryDelay !== undefined ? { nextRetryDelay } : {}),
    });
  }
  const why = status >= 300 && status < 400 ? ' (redirects are not followed: configure the final URL)' : '';
  throw ApplicationFailure.create({
    message: `${message}${why}; not retried`,
    type: WEBHOOK_REJECTED,
    nonRetryable: true,
    details: [{ httpStatus: status }],
  });
}

export function createWebhookActivities(deps: WebhookActivityDeps) {
  const doFetch = deps.fetch ?? fetch;
  const now = deps.now ?? Date.now;
  return {
    async postWebhook(input: PostWebhookInput): Promise<PostWebhookResult> {
      const where = loggableUrl(input.url);
      const meta = { deliveryId: input.deliveryId, type: input.type, url: where, keyId: input.keyId };
      const secret = deps.keys.get(input.keyId);
      if (secret === undefined) {
        // Retried: during a rolling deployment another worker may have the key; bounded by the delivery's retryFor.
        throw ApplicationFailure.create({
          message: `webhook key "${input.keyId}" is not in this worker's config (policies.<useCase>.webhook.keys)`,
          type: WEBHOOK_KEY_UNKNOWN,
        });
      }
      const signature = signatureHeader({ id: input.keyId, secret }, Math.floor(now() / 1000), input.body);
      let response: Response;
      try {
        response = await doFetch(input.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'resilient-sms-webhooks/1',
            [SIGNATURE_HEADER]: signature,
            [DELIVERY_ID_HEADER]: input.deliveryId,
            [EVENT_TYPE_HEADER]: input.type,
          },
          body: input.body,
          redirect: 'manual',
          signal: AbortSignal.timeout(input.timeoutMs),
        });
      } catch (err) {
        const why = unanswered(err, input.timeoutMs);
        activityLog.info('webhook not answered', { ...meta, attempt: attemptNumber(), error: why });
        throw ApplicationFailure.create({ message: `webhook ${where}: ${why}`, type: WEBHOOK_FAILED });
      }
      await response.body?.cancel().catch(() => undefined); // the answer's body is not read
      try {
        const result = outcomeOf(response, where);
        activityLog.info('webhook delivered', { ...meta, attempt: attemptNumber(), httpStatus: result.httpStatus });
        return result;
      } catch (err) {
        const level = (err as ApplicationFailure).nonRetryable ? 'warn' : 'info';
        activityLog[level]('webhook refused', { ...meta, attempt: attemptNumber(), httpStatus: response.status });
        throw err;
      }
    },
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
