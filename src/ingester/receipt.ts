/**
 * One received DLR, from its body to what becomes of its message:
 * - body cannot be parsed (malformed, or a field beyond its bound) -> kept, visibility set short, so the redrive
 *                                   policy moves it to the DLQ; counted and logged
 * - SNS envelope fails verification (./sns-signature.ts) -> the same (rejected); a signing certificate that cannot be
 *                                   fetched just now -> kept for redelivery
 * - already signalled (./signalled-cache.ts) -> deleted without a signal, counted and logged
 * - a channel event that settles nothing of ours (../domain/dlr-parse.ts: `ignored`) -> its SNS signature checked,
 *                                   then deleted without a signal; counted (`receiptsIgnored`) and logged
 * - intermediate event, final-only mode -> acknowledged without a signal
 * - signalled                    -> deleted
 * - workflow closed / unknown    -> deleted (counted in `closedWorkflow`): nowhere to deliver it
 * - Temporal unreachable         -> kept and retried with backoff while the batch's lease is extended; on
 *                                   shutdown, released to the queue
 * - any other signal failure     -> kept; SQS redelivers it and, past maxReceiveCount, dead-letters it
 * (./signal-errors.ts tells these signal failures apart.)
 */
import type { DlrSignal } from '../domain/delivery-event';
import { parseDlrMessageBody, type SnsEnvelope } from '../domain/dlr-parse';
import { dlrSignal } from '../workflows/definitions';
import type { DlrQueue, Entry } from './dlr-queue';
import type { Lease } from './lease';
import { errorSummary } from './log';
import type { IngesterContext } from './options';
import { classifySignalError } from './signal-errors';
import { SignalledCache } from './signalled-cache';

/** Receives a poison message gets with the short visibility; after that it backs off (no redrive policy?). */
const POISON_FAST_RECEIVES = 5;
const POISON_MAX_VISIBILITY_SECONDS = 900;

/** Short at first, so the redrive policy dead-letters it quickly; backing off if it keeps coming back. */
export function poisonVisibilityFor(receiveCount: number | undefined, poisonVisibilitySeconds: number): number {
  return receiveCount === undefined || receiveCount <= POISON_FAST_RECEIVES
    ? poisonVisibilitySeconds
    : Math.min(
        Math.max(1, poisonVisibilitySeconds) * 2 ** (receiveCount - POISON_FAST_RECEIVES),
        POISON_MAX_VISIBILITY_SECONDS,
      );
}

/** The receipts of one queue. Holds the queue's outage state, shared by its receivers. */
export class ReceiptHandler {
  /** Set while Temporal does not answer signals for this queue's batch (logged once per outage). */
  private outageSince: number | undefined;
  /** What this queue's receipts already signalled. */
  private readonly signalled = new SignalledCache();

  constructor(
    private readonly queue: DlrQueue,
    private readonly ctx: IngesterContext,
  ) {}

  /** Settles `entry.outcome`; resolves once the receipt is signalled or given up on. */
  async handle(entry: Entry, lease: Lease): Promise<void> {
    const m = entry.message;
    const receiveCount = Number(m.Attributes?.ApproximateReceiveCount ?? NaN) || undefined;
    const parsed = parseDlrMessageBody(m.Body ?? '');
    if (!parsed.ok && parsed.ignored)
      return this.acknowledgeIgnored(entry, parsed.error, parsed.envelope, receiveCount);
    if (!parsed.ok) return this.leaveForDeadLetter(entry, parsed.error, receiveCount, 'malformed');
    if (!(await this.verified(entry, parsed.envelope, receiveCount))) return;
    const { workflowId } = parsed;
    const { account, region } = this.queue.config;
    // Where the receipt came from: the workflow accepts it only for an attempt sent through this account and Region.
    const payload: DlrSignal = { ...parsed.signal, origin: { account, region } };
    if (!payload.isFinal && this.ctx.settings.intermediateEvents === 'final-only') {
      this.ctx.stats.intermediateSkipped++;
      this.ctx.onReceipt?.({ queue: this.queue.config, signal: payload, result: 'skipped' });
      entry.outcome = 'delete';
      return;
    }
    const dropped = this.signalled.dropCount(workflowId, payload);
    if (dropped !== undefined) {
      this.ctx.stats.duplicatesDropped++;
      this.ctx.onReceipt?.({ queue: this.queue.config, signal: payload, result: 'duplicate' });
      entry.outcome = 'delete';
      // The first one per receipt at info, the rest of a flood at debug: all counted.
      this.ctx.log(dropped === 0 ? 'info' : 'debug', 'DLR already signalled: acknowledged without a signal', {
        queue: this.queue.label,
        messageId: m.MessageId,
        workflowId,
        attempt: payload.attempt,
        eventType: payload.eventType,
        droppedBefore: dropped,
      });
      return;
    }
    const claimed = this.signalled.remember(workflowId, payload);
    try {
      await this.signalUntilSettled(entry, lease, workflowId, payload, receiveCount);
    } finally {
      if (entry.outcome !== 'delete') this.signalled.forget(claimed);
    }
  }

  /** A well-formed event that settles nothing: acknowledged (once its signature holds), counted, logged. */
  private async acknowledgeIgnored(
    entry: Entry,
    why: string,
    envelope: SnsEnvelope | undefined,
    receiveCount: number | undefined,
  ): Promise<void> {
    if (!(await this.verified(entry, envelope, receiveCount))) return;
    this.ctx.stats.receiptsIgnored++;
    entry.outcome = 'delete';
    this.ctx.log('info', 'event acknowledged without a signal: it settles no attempt', {
      queue: this.queue.label,
      messageId: entry.message.MessageId,
      why,
    });
  }

  /** The SNS signature check; false when the receipt was rejected or kept (its outcome is then set). */
  private async verified(entry: Entry, envelope: SnsEnvelope | undefined, receiveCount?: number): Promise<boolean> {
    const check = await this.ctx.signatures.check(envelope, this.queue.config);
    if (check.ok) return true;
    if (check.transient) {
      this.ctx.stats.transientErrors++;
      entry.outcome = 'keep';
      this.ctx.log('warn', 'DLR kept for redelivery: its SNS signature cannot be checked now', {
        queue: this.queue.label,
        messageId: entry.message.MessageId,
        error: check.error,
      });
      return false;
    }
    this.ctx.stats.rejected++;
    await this.leaveForDeadLetter(entry, check.error, receiveCount, check.reason);
    return false;
  }

  private async leaveForDeadLetter(
    entry: Entry,
    error: string,
    receiveCount: number | undefined,
    reason: string,
  ): Promise<void> {
    if (reason === 'malformed') this.ctx.stats.poison++;
    entry.outcome = 'keep';
    this.ctx.onRejected?.({ queue: this.queue.config, reason });
    const what = reason === 'malformed' ? 'unparseable DLR message' : 'DLR message rejected';
    this.ctx.log('warn', `${what} left for the dead-letter queue`, {
      reason,
      queue: this.queue.label,
      messageId: entry.message.MessageId,
      receiveCount,
      error,
      ...(receiveCount !== undefined && receiveCount > POISON_FAST_RECEIVES
        ? { hint: 'received many times: does the queue have a redrive policy to a dead-letter queue?' }
        : {}),
    });
    await this.queue.shortenVisibility(
      entry.message,
      poisonVisibilityFor(receiveCount, this.ctx.settings.poisonVisibilitySeconds),
    );
  }

  private signal(workflowId: string, payload: DlrSignal): Promise<void> {
    const { client } = this.ctx;
    const call = () => client.workflow.getHandle(workflowId).signal(dlrSignal, payload);
    const deadline = Date.now() + this.ctx.settings.signalTimeoutMs;
    return client.withDeadline ? client.withDeadline(deadline, call) : call();
  }

  /** Signals until the receipt is delivered, has nowhere to go, or fails for good; retries while Temporal is down. */
  private async signalUntilSettled(
    entry: Entry,
    lease: Lease,
    workflowId: string,
    payload: DlrSignal,
    receiveCount: number | undefined,
  ): Promise<void> {
    const { stats, log, settings } = this.ctx;
    const queue = this.queue.label;
    const fields = {
      queue,
      messageId: entry.message.MessageId,
      workflowId,
      attempt: payload.attempt,
      eventType: payload.eventType,
    };
    let delay = settings.signalBackoff.initialMs;
    for (;;) {
      try {
        await this.signal(workflowId, payload);
        stats.signalled++;
        this.ctx.onReceipt?.({ queue: this.queue.config, signal: payload, result: 'signalled' });
        entry.outcome = 'delete';
        if (this.outageSince !== undefined) {
          log('info', 'Temporal answers again: resuming', { queue, outageMs: Date.now() - this.outageSince });
          this.outageSince = undefined;
        }
        log('debug', 'DLR signalled', fields);
        return;
      } catch (err) {
        if (!this.settleOrRetry(entry, err, payload, fields, receiveCount)) return;
        await lease.activate();
        await this.ctx.shutdown.sleep(delay);
        delay = Math.min(delay * 2, settings.signalBackoff.maxMs);
      }
    }
  }

  /** After a failed signal: settles the entry and returns false, or returns true to retry (Temporal unreachable). */
  private settleOrRetry(
    entry: Entry,
    err: unknown,
    payload: DlrSignal,
    fields: Record<string, unknown>,
    receiveCount: number | undefined,
  ): boolean {
    const { stats, log } = this.ctx;
    const kind = classifySignalError(err);
    if (kind === 'closed') {
      stats.closedWorkflow++;
      this.ctx.onReceipt?.({ queue: this.queue.config, signal: payload, result: 'closed' });
      entry.outcome = 'delete';
      log('info', 'DLR for a workflow that is closed or unknown: acknowledged', fields);
      return false;
    }
    if (kind === 'failed') {
      stats.signalFailures++;
      entry.outcome = 'keep';
      log('error', 'cannot signal DLR; left on the queue for redelivery', {
        ...fields,
        receiveCount,
        error: errorSummary(err),
      });
      return false;
    }
    stats.transientErrors++;
    if (this.outageSince === undefined) {
      this.outageSince = Date.now();
      log('warn', 'Temporal unavailable: holding the batch and retrying', { ...fields, error: errorSummary(err) });
    } else {
      log('debug', 'signal retry failed', { ...fields, error: errorSummary(err) });
    }
    if (this.ctx.shutdown.stopping) {
      // Shutting down: hand the message back to the queue for the next ingester.
      entry.outcome = 'release';
      log('info', 'stopping during a Temporal outage: message released to the queue', fields);
      return false;
    }
    return true;
  }
}
