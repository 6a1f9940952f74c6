/**
 * One received batch: its receipts handled `concurrency` at a time under one lease, then acknowledged - handled
 * ones deleted, released ones made visible again - in the background, so the next ReceiveMessage does not wait for
 * the delete's round trip.
 */
import type { Message } from '@aws-sdk/client-sqs';
import type { DlrQueue, Entry } from './dlr-queue';
import { startLease, type Lease } from './lease';
import { errorSummary } from './log';
import type { IngesterContext } from './options';

/** What handles one message of a batch (a receipt, ./receipt.ts; an AWS Health event, ./health-events.ts). */
export interface MessageHandler {
  /** Settles `entry.outcome`; may extend the batch's lease while it waits. */
  handle(entry: Entry, lease: Lease): Promise<void>;
}

/** Handles the batch; resolves once every receipt is settled, with the acknowledgement still under way. */
export async function processBatch(
  queue: DlrQueue,
  receipts: MessageHandler,
  ctx: IngesterContext,
  messages: Message[],
): Promise<{ acknowledged: Promise<void> }> {
  const entries: Entry[] = messages.map((message) => ({ message, outcome: 'pending' }));
  const lease = startLease(queue, entries, ctx.settings.leaseSeconds);
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < entries.length) {
        const entry = entries[next++];
        try {
          await receipts.handle(entry, lease);
        } catch (err) {
          entry.outcome = 'keep';
          ctx.log('error', 'unexpected error handling a message', {
            queue: queue.label,
            messageId: entry.message.MessageId,
            error: errorSummary(err),
          });
        }
      }
    };
    await Promise.allSettled(Array.from({ length: Math.min(ctx.settings.concurrency, entries.length) }, worker));
  } finally {
    lease.stop();
  }
  return { acknowledged: acknowledge(queue, entries) };
}

async function acknowledge(queue: DlrQueue, entries: Entry[]): Promise<void> {
  try {
    await queue.deleteAll(entries.filter((e) => e.outcome === 'delete'));
    await queue.changeVisibility(
      entries.filter((e) => e.outcome === 'release'),
      0,
      'release',
    );
  } catch {
    // deleteAll and changeVisibility log their own failures
  }
}
