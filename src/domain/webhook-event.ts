/**
 * The body of a status notification (docs/integration.md#status-webhooks). Safe in workflow code: the message's
 * workflow builds the body once, so every retry of one notification sends the same bytes.
 */
import type { StatusRecord } from './status';
import type { WebhookEventType } from './webhook';

/** The JSON body of a notification. `id` is the delivery id: the same on every retry of one notification. */
export interface WebhookEvent {
  id: string;
  type: WebhookEventType;
  /** When the workflow created the notification (ISO 8601, UTC); not when this HTTP request was sent. */
  createdAt: string;
  message: { idempotencyKey: string; workflowId: string; useCase: string };
  /** For `message.escalated`: the attempt that just started (its channel, level and route are in `status`). */
  attempt?: number;
  /** The status record (src/domain/status.ts): no message body, the destination masked. */
  status: StatusRecord;
}

/** The body of one notification: the record as it is now, with the delivery id and event type. */
export function webhookBody(event: WebhookEvent): string {
  return JSON.stringify(event);
}
