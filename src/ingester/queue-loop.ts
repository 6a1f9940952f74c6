/**
 * The loops of one queue (a DLR queue, or the AWS Health event queue with its own message handler): `receiversPerQueue` receive loops (with 2, one receives while the other signals its
 * batch), each backing off after a failed ReceiveMessage, until the ingester stops; then the batches' last
 * acknowledgements are awaited.
 */
import type { Message } from '@aws-sdk/client-sqs';
import { processBatch, type MessageHandler } from './batch';
import { DlrQueue } from './dlr-queue';
import { errorSummary } from './log';
import type { DlrQueueConfig, IngesterContext } from './options';
import { ReceiptHandler } from './receipt';

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'RequestAbortedError');
}

/** Runs the queue's loops; resolves once they have ended and their acknowledgements are done. */
export function pollQueue(
  config: DlrQueueConfig,
  ctx: IngesterContext,
  handlerFor: (queue: DlrQueue) => MessageHandler = (queue) => new ReceiptHandler(queue, ctx),
): Promise<void> {
  const queue = new DlrQueue(config, ctx);
  const receipts = handlerFor(queue);
  /** Deletes (and releases) of processed batches still under way; awaited before the queue's loops end. */
  const acks = new Set<Promise<void>>();
  const onBatch = async (messages: Message[]): Promise<void> => {
    const { acknowledged } = await processBatch(queue, receipts, ctx, messages);
    acks.add(acknowledged);
    void acknowledged.finally(() => acks.delete(acknowledged));
  };
  const run = (): Promise<void> =>
    receiveLoop(queue, ctx, onBatch).catch((err: unknown) => {
      ctx.log('error', 'DLR queue loop ended unexpectedly', { queue: queue.label, error: errorSummary(err) });
    });
  return Promise.all(Array.from({ length: ctx.settings.receiversPerQueue }, run))
    .then(() => Promise.all([...acks]))
    .then(() => undefined);
}

async function receiveLoop(
  queue: DlrQueue,
  ctx: IngesterContext,
  onBatch: (messages: Message[]) => Promise<void>,
): Promise<void> {
  const { receiveBackoff } = ctx.settings;
  let backoff = 0;
  const nextBackoff = (): number =>
    backoff === 0 ? receiveBackoff.initialMs : Math.min(backoff * 2, receiveBackoff.maxMs);
  const backOff = async (): Promise<void> => {
    backoff = nextBackoff();
    await ctx.shutdown.sleep(backoff);
  };
  while (!ctx.shutdown.stopping) {
    let messages: Message[] | undefined;
    try {
      messages = await queue.receive();
      if (messages === undefined) break;
    } catch (err) {
      if (ctx.shutdown.stopping && isAbort(err)) break;
      ctx.stats.receiveErrors++;
      ctx.log('warn', 'cannot receive from the DLR queue; backing off', {
        queue: queue.label,
        backoffMs: nextBackoff(),
        error: errorSummary(err),
      });
      await backOff();
      continue;
    }
    backoff = 0;
    if (messages.length === 0) continue;
    ctx.stats.received += messages.length;
    try {
      await onBatch(messages);
    } catch (err) {
      ctx.log('error', 'unexpected error processing a batch', { queue: queue.label, error: errorSummary(err) });
      await backOff();
    }
  }
}
