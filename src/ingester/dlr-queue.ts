/**
 * The SQS side of one DLR queue: receive a batch, change the visibility of its messages (extend a lease, release,
 * shorten a poison message's), delete what was handled. Failures to change or delete are logged, never thrown: a
 * message not deleted is redelivered and the workflow drops the duplicate.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type QueueAttributeName,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { queueLabelOf } from '../observability/gauges';
import { errorSummary } from './log';
import type { DlrQueueConfig, IngesterContext } from './options';

/**
 * What becomes of a received message: `pending` while it is handled, then `delete` (acknowledged), `keep` (left
 * for SQS to redeliver or dead-letter) or `release` (handed back to the queue at once, on shutdown).
 */
export type Outcome = 'pending' | 'delete' | 'keep' | 'release';
export interface Entry {
  message: Message;
  outcome: Outcome;
}

export class DlrQueue {
  /** `account/Region/name`, the `queue` field of every log line. */
  readonly label: string;
  /** The queue's own visibility timeout, once known: the first lease extension must come before it ends. */
  visibilitySeconds: number | undefined;
  private sqs: SQSClient | undefined;
  private inspected = false;

  constructor(
    readonly config: DlrQueueConfig,
    private readonly ctx: IngesterContext,
  ) {
    this.label = queueLabelOf(config);
  }

  /** One long poll of up to 10 messages; undefined when the ingester stopped before it was sent. */
  async receive(): Promise<Message[] | undefined> {
    this.sqs ??= this.ctx.sqsClientFor(this.config);
    if (!this.inspected) await this.inspect(this.sqs);
    if (this.ctx.shutdown.stopping) return undefined;
    const out = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.config.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: this.ctx.settings.waitTimeSeconds,
        // The legacy name, for older endpoints (the SDK's type omits message attributes from it).
        AttributeNames: ['ApproximateReceiveCount' as QueueAttributeName],
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
      { abortSignal: this.ctx.shutdown.signal },
    );
    return out.Messages ?? [];
  }

  /** Once per queue: warn about a missing redrive policy, learn the visibility timeout. Never fatal. */
  private async inspect(client: SQSClient): Promise<void> {
    this.inspected = true;
    try {
      const out = await client.send(
        new GetQueueAttributesCommand({
          QueueUrl: this.config.queueUrl,
          AttributeNames: ['RedrivePolicy', 'VisibilityTimeout'],
        }),
        { abortSignal: this.ctx.shutdown.signal },
      );
      const visibility = Number(out.Attributes?.VisibilityTimeout);
      if (Number.isFinite(visibility) && visibility > 0) this.visibilitySeconds = visibility;
      if (!out.Attributes?.RedrivePolicy) {
        this.ctx.log('warn', 'DLR queue has no redrive policy: unparseable messages cannot reach a dead-letter queue', {
          queue: this.label,
        });
      }
    } catch (err) {
      this.ctx.log('debug', 'cannot read the DLR queue attributes (sqs:GetQueueAttributes)', {
        queue: this.label,
        error: errorSummary(err),
      });
    }
  }

  /** Sets the visibility of `entries` (a lease extension, or 0 to release them); `why` goes to the log. */
  async changeVisibility(entries: Entry[], seconds: number, why: string): Promise<void> {
    if (entries.length === 0 || !this.sqs) return;
    const queue = this.label;
    try {
      const out = await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.config.queueUrl,
          Entries: entries.map((e, i) => ({
            Id: String(i),
            ReceiptHandle: e.message.ReceiptHandle,
            VisibilityTimeout: seconds,
          })),
        }),
      );
      for (const f of out.Failed ?? []) {
        const messageId = entries[Number(f.Id)]?.message.MessageId;
        this.ctx.log('warn', 'cannot change message visibility', {
          queue,
          messageId,
          why,
          code: f.Code,
          reason: f.Message,
        });
      }
    } catch (err) {
      this.ctx.log('warn', 'cannot change message visibility', {
        queue,
        why,
        count: entries.length,
        error: errorSummary(err),
      });
    }
  }

  /** Sets the visibility of one unparseable message, so that it comes back (and reaches the DLQ) soon. */
  async shortenVisibility(message: Message, seconds: number): Promise<void> {
    if (!this.sqs) return;
    try {
      await this.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.config.queueUrl,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    } catch (err) {
      this.ctx.log('warn', 'cannot shorten the visibility of an unparseable message', {
        queue: this.label,
        messageId: message.MessageId,
        error: errorSummary(err),
      });
    }
  }

  /** Deletes the handled messages; counts `deleted` and `deleteFailures`. */
  async deleteAll(entries: Entry[]): Promise<void> {
    if (entries.length === 0 || !this.sqs) return;
    const { stats, log } = this.ctx;
    try {
      const out = await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.config.queueUrl,
          Entries: entries.map((e, i) => ({ Id: String(i), ReceiptHandle: e.message.ReceiptHandle })),
        }),
      );
      stats.deleted += out.Successful?.length ?? 0;
      for (const f of out.Failed ?? []) {
        stats.deleteFailures++;
        // Not fatal: the message is redelivered and the workflow drops the duplicate.
        log('warn', 'cannot delete message; it will be redelivered', {
          queue: this.label,
          messageId: entries[Number(f.Id)]?.message.MessageId,
          code: f.Code,
          reason: f.Message,
          senderFault: f.SenderFault,
        });
      }
    } catch (err) {
      stats.deleteFailures += entries.length;
      log('warn', 'cannot delete messages; they will be redelivered', {
        queue: this.label,
        count: entries.length,
        error: errorSummary(err),
      });
    }
  }
}
