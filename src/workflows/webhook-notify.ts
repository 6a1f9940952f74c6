/**
 * What a message does for its status webhook (plan.webhook; docs/integration.md#status-webhooks): at each attempt
 * after the first (events `every-escalation`) and when it ends, it starts a `deliverWebhook` child workflow
 * (./webhook-delivery.ts) with ParentClosePolicy ABANDON and cancellation ABANDON. Why a child workflow and not an
 * activity: an activity the message does not wait for would be abandoned, retries and all, when the message closes;
 * a child outlives it, keeps its own history and retries for hours, and the message waits only for its start (a
 * server round trip), never for the receiver. Without plan.webhook (older histories too) nothing is started.
 */
import {
  ChildWorkflowCancellationType,
  log,
  ParentClosePolicy,
  startChild,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import type { StatusRecord } from '../domain/status';
import type { PlanWebhook, WebhookEventType } from '../domain/webhook';
import { webhookBody, type WebhookEvent } from '../domain/webhook-event';
import { workflowIdFor } from './definitions';
import { deliverWebhook } from './webhook-delivery';

export class MessageWebhooks {
  /** Starts of escalation notifications still under way: the final one waits for them, so it is started last. */
  private readonly starts: Promise<void>[] = [];

  constructor(
    private readonly webhook: PlanWebhook | undefined,
    private readonly message: WebhookEvent['message'],
  ) {}

  /** Attempt `attempt` just started: notified when it is not the first and the plan asks for every escalation. */
  escalated(record: StatusRecord, attempt: number): void {
    if (this.webhook?.events !== 'every-escalation' || attempt < 2) return;
    this.starts.push(this.start('message.escalated', `attempt-${attempt}`, record, attempt));
  }

  /** The message ended with `record`: notified; resolves once the delivery workflow started. */
  async final(record: StatusRecord): Promise<void> {
    if (!this.webhook) return;
    await Promise.all(this.starts);
    await this.start('message.final', 'final', record);
  }

  /**
   * Starts one delivery. The body is built now (the record as it is at this moment); the delivery id is this run's
   * id and the notification's name, the same on every retry. The child's id, unique per message and notification,
   * comes from the input's idempotency key (`webhook:sms:<key>:final`), not from workflowInfo, so a history replays
   * to the same commands whatever id it is replayed under.
   */
  private async start(type: WebhookEventType, name: string, record: StatusRecord, attempt?: number): Promise<void> {
    const webhook = this.webhook!;
    const { runId } = workflowInfo();
    const deliveryId = `${runId}:${name}`;
    const event: WebhookEvent = {
      id: deliveryId,
      type,
      createdAt: new Date(Date.now()).toISOString(),
      message: this.message,
      ...(attempt !== undefined ? { attempt } : {}),
      status: record,
    };
    const body = webhookBody(event);
    try {
      await startChild(deliverWebhook, {
        workflowId: `webhook:${workflowIdFor(this.message.idempotencyKey)}:${name}`,
        args: [
          {
            url: webhook.url,
            keyId: webhook.keyId,
            deliveryId,
            type,
            body,
            timeoutMs: webhook.timeoutMs,
            retryForMs: webhook.retryForMs,
          },
        ],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        cancellationType: ChildWorkflowCancellationType.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
    } catch (err) {
      // Already started (a reset of this message), or the server refused: the message goes on regardless.
      log.warn('webhook notification not started', { deliveryId, type, error: (err as Error).message });
    }
  }
}
