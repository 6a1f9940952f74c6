/**
 * `deliverWebhook`: the child workflow that delivers one status notification (docs/integration.md#status-webhooks).
 * The message's workflow starts it with ParentClosePolicy ABANDON and waits only for it to start, so the message
 * ends on time whatever the receiver does; this workflow then retries the POST (`postWebhook`,
 * src/activities/webhook.ts) with exponential backoff from 1 s, at most an hour apart, for the plan's `retryForMs`
 * (24 h by default). A receiver that refuses (4xx other than 408/429, 3xx) stops it at once. It never fails: its
 * result says how the delivery ended, and a warning is logged when it was not delivered.
 */
import { ActivityFailure, ApplicationFailure, log, proxyActivities } from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhook';
import type { WebhookDeliveryInput, WebhookDeliveryResult } from '../domain/webhook';

export const DELIVER_WEBHOOK_TYPE = 'deliverWebhook';
/** The activity's failure type for a receiver that refused the notification (src/activities/webhook.ts). */
const REJECTED = 'WebhookRejected';

function httpStatusOf(failure: ApplicationFailure): number | undefined {
  const details = failure.details?.[0] as { httpStatus?: unknown } | undefined;
  return typeof details?.httpStatus === 'number' ? details.httpStatus : undefined;
}

export async function deliverWebhook(input: WebhookDeliveryInput): Promise<WebhookDeliveryResult> {
  const { postWebhook } = proxyActivities<WebhookActivities>({
    // One request: its own timeout, plus a margin for signing and the worker's scheduling.
    startToCloseTimeout: input.timeoutMs + 5_000,
    scheduleToCloseTimeout: input.retryForMs,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1h', nonRetryableErrorTypes: [REJECTED] },
  });
  const { deliveryId } = input;
  try {
    const { httpStatus } = await postWebhook({
      url: input.url,
      keyId: input.keyId,
      deliveryId,
      type: input.type,
      body: input.body,
      timeoutMs: input.timeoutMs,
    });
    return { deliveryId, outcome: 'delivered', httpStatus };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const cause = err.cause;
    const rejected = cause instanceof ApplicationFailure && cause.type === REJECTED;
    const httpStatus = cause instanceof ApplicationFailure ? httpStatusOf(cause) : undefined;
    const detail = cause?.message ?? err.message;
    log.warn(rejected ? 'webhook refused by the receiver; not retried' : 'webhook given up after retrying', {
      deliveryId,
      type: input.type,
      detail,
    });
    return {
      deliveryId,
      outcome: rejected ? 'rejected' : 'gave-up',
      ...(httpStatus !== undefined ? { httpStatus } : {}),
      detail,
    };
  }
}
