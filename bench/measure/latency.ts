/**
 * 2. Receipt latency: a delivery event published by the simulator (its `publishedAt`, once SNS accepted it)
 *    -> the `dlr` signal in the workflow's history (WorkflowExecutionSignaled eventTime), at a steady rate
 *    of half the peak throughput.
 * 3. Failover reaction: a failing final DLR (TEXT_BLOCKED on the first originator) published -> the next
 *    rung's send reaching the simulator (its `receivedAt`), with where that time goes.
 */
import { EventType, eventMs, historyOf, signalsOf, simSends } from '../lib/history';
import { openLoop, request, usNumber } from '../lib/drive';
import type { BenchStack } from '../lib/stack';
import { mapLimit, summarize, type Summary } from '../lib/stats';
import { workflowIdFor } from '../../src/workflows/definitions';

export interface ReceiptLatencyResult {
  useCase: string;
  ratePerS: number;
  messages: number;
  delivered: number;
  /**
   * Final events (TEXT_DELIVERED, the ones that end a message): from the simulator's `publishedAt`, taken once SNS
   * answered its Publish. Under load the simulator resumes late after that answer, while the ingester already
   * has the event: samples can be negative, and the figure flatters.
   */
  finalMs?: Summary;
  /** The same from the event's `eventTimestamp`, taken just before the Publish: an upper bound. */
  finalSincePublishStartMs?: Summary;
  /** Intermediate events (TEXT_PENDING), from `publishedAt`. */
  intermediateMs?: Summary;
  intermediateSincePublishStartMs?: Summary;
  /** Events published but never signalled (final-only mode skips intermediate ones). */
  unsignalled: number;
}

export async function measureReceiptLatency(
  stack: BenchStack,
  opts: { ratePerS: number; messages: number; useCase: string },
  log: (line: string) => void,
): Promise<ReceiptLatencyResult> {
  const phase = 'latency';
  const results = await openLoop(opts.messages, opts.ratePerS, async (i) => {
    const req = request(phase, i, opts.useCase);
    await stack.rsms.sendMessage(req);
    return stack.rsms.waitForOutcome(req.idempotencyKey);
  });
  const delivered = results.filter((r) => r.status === 'fulfilled' && r.value.status === 'DELIVERED').length;
  log(`  ${delivered}/${opts.messages} delivered at ${opts.ratePerS}/s; reading histories`);
  const sends = await simSends(stack, opts.messages * 3 + 100);
  const finals: number[] = [];
  const intermediates: number[] = [];
  const finalsFromStart: number[] = [];
  const intermediatesFromStart: number[] = [];
  let unsignalled = 0;
  await mapLimit(
    Array.from({ length: opts.messages }, (_, i) => i),
    8,
    async (i) => {
      const workflowId = workflowIdFor(request(phase, i, opts.useCase).idempotencyKey);
      const attempts = sends.get(workflowId);
      if (!attempts) return;
      const signals = await signalsOf(stack, await historyOf(stack, workflowId));
      for (const [attempt, record] of attempts) {
        for (const ev of record.events) {
          if (!ev.published) continue;
          const sig = signals.find((s) => s.dlr?.attempt === attempt && s.dlr.eventTimestamp === ev.eventTimestamp);
          if (!sig) {
            unsignalled++;
            continue;
          }
          (ev.isFinal ? finals : intermediates).push(sig.at - Date.parse(ev.publishedAt));
          (ev.isFinal ? finalsFromStart : intermediatesFromStart).push(sig.at - ev.eventTimestamp);
        }
      }
    },
  );
  return {
    useCase: opts.useCase,
    ratePerS: opts.ratePerS,
    messages: opts.messages,
    delivered,
    finalMs: summarize(finals),
    finalSincePublishStartMs: summarize(finalsFromStart),
    intermediateMs: summarize(intermediates),
    intermediateSincePublishStartMs: summarize(intermediatesFromStart),
    unsignalled,
  };
}

export interface FailoverResult {
  useCase: string;
  ratePerS: number;
  messages: number;
  /** Messages that failed over and were then delivered by the second rung. */
  failedOver: number;
  /** Failing final DLR published (`publishedAt`) -> next rung's send received by the simulator. */
  reactionMs?: Summary;
  /** The same from the event's `eventTimestamp` (just before the Publish): an upper bound. */
  reactionSincePublishStartMs?: Summary;
  breakdown: {
    /** DLR published -> signal in history. */
    dlrToSignalMs?: Summary;
    /** Signal -> the next send's ActivityTaskScheduled (workflow task + planner). */
    signalToScheduledMs?: Summary;
    /** ActivityTaskScheduled -> the send reaching the simulator (activity dispatch + SDK call). */
    scheduledToSendMs?: Summary;
  };
  fault: Record<string, unknown>;
}

export async function measureFailover(
  stack: BenchStack,
  opts: { ratePerS: number; messages: number; useCase: string },
  log: (line: string) => void,
): Promise<FailoverResult> {
  const phase = 'failover';
  const area = '212'; // New York numbers: the fault matches only this phase's messages
  const firstOriginator = stack.config.originators.US?.[0]?.identity ?? 'pool-us-shortcode';
  const fault = {
    match: { originator: firstOriginator, destinationPrefix: `+1${area}`, operation: 'SendTextMessage' },
    effect: { dlr: 'TEXT_BLOCKED' },
  };
  const created = await stack.sim<{ id: string }>('POST', '/_sim/faults', fault);
  try {
    const results = await openLoop(opts.messages, opts.ratePerS, async (i) => {
      const req = request(phase, i, opts.useCase, { destination: usNumber(i, area) });
      await stack.rsms.sendMessage(req);
      return stack.rsms.waitForOutcome(req.idempotencyKey);
    });
    const done = results.filter((r) => r.status === 'fulfilled' && r.value.status === 'DELIVERED').length;
    log(`  ${done}/${opts.messages} delivered after a failover at ${opts.ratePerS}/s; reading histories`);
  } finally {
    await stack.sim('DELETE', `/_sim/faults/${created.id}`).catch(() => undefined);
  }
  const sends = await simSends(stack, opts.messages * 4 + 100);
  const reaction: number[] = [];
  const reactionFromStart: number[] = [];
  const dlrToSignal: number[] = [];
  const signalToScheduled: number[] = [];
  const scheduledToSend: number[] = [];
  await mapLimit(
    Array.from({ length: opts.messages }, (_, i) => i),
    8,
    async (i) => {
      const workflowId = workflowIdFor(request(phase, i, opts.useCase).idempotencyKey);
      const first = sends.get(workflowId)?.get(1);
      const second = sends.get(workflowId)?.get(2);
      const blocked = first?.events.find((e) => e.isFinal && e.eventType === 'TEXT_BLOCKED' && e.published);
      if (!first || !second || !blocked) return;
      const publishedAt = Date.parse(blocked.publishedAt);
      reaction.push(Date.parse(second.receivedAt) - publishedAt);
      reactionFromStart.push(Date.parse(second.receivedAt) - blocked.eventTimestamp);
      const history = await historyOf(stack, workflowId);
      const signals = await signalsOf(stack, history);
      const sig = signals.find((s) => s.dlr?.attempt === 1 && s.dlr.isFinal);
      const scheduled = (history.events ?? []).filter(
        (e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
      )[1];
      if (sig) dlrToSignal.push(sig.at - publishedAt);
      if (sig && scheduled) signalToScheduled.push(eventMs(scheduled) - sig.at);
      if (scheduled) scheduledToSend.push(Date.parse(second.receivedAt) - eventMs(scheduled));
    },
  );
  return {
    useCase: opts.useCase,
    ratePerS: opts.ratePerS,
    messages: opts.messages,
    failedOver: reaction.length,
    reactionMs: summarize(reaction),
    reactionSincePublishStartMs: summarize(reactionFromStart),
    breakdown: {
      dlrToSignalMs: summarize(dlrToSignal),
      signalToScheduledMs: summarize(signalToScheduled),
      scheduledToSendMs: summarize(scheduledToSend),
    },
    fault,
  };
}
