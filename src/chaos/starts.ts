/**
 * The start phase of a chaos run: `concurrency` starters share the requests, paced at `rate` per second, gated by
 * the director (each disruption recovers before the next mark) and held back, as an app with a bounded queue
 * would, while `maxInFlight` messages are in progress (the visibility count of this run's running workflows,
 * refreshed twice a second). A start that fails is retried until the recovery timeout (+ 60 s) has passed.
 */
import type { ResilientSmsClient } from '../client';
import { InvalidInputError } from '../domain/errors';
import type { MessageRequestInput as SendRequest } from '../domain/message';
import { sleep } from '../tools/service-process';
import type { ChaosMessage } from './analyze';
import { fmtS, type ChaosContext, type StartProgress } from './context';

export interface StartPhase {
  lastStartAt: number;
  /** About how long starts waited for in-flight messages to drop below maxInFlight. */
  heldBackMs: number;
}

/** Counts this run's running workflows every half second until `stopped()`; `heldBackMs` while over the limit. */
function watchInFlight(ctx: ChaosContext, stopped: () => boolean) {
  const state = { inFlight: 0, heldBackMs: 0 };
  const done = (async () => {
    let at = Date.now();
    while (!stopped()) {
      try {
        state.inFlight = (await ctx.temporal.workflow.count(ctx.runningQuery)).count;
      } catch {
        // Temporal restarting: keep the last figure
      }
      await sleep(500);
      if (ctx.o.maxInFlight > 0 && state.inFlight >= ctx.o.maxInFlight) state.heldBackMs += Date.now() - at;
      at = Date.now();
    }
  })();
  return { state, done };
}

async function startOne(ctx: ChaosContext, sms: ResilientSmsClient, req: SendRequest, m: ChaosMessage) {
  let delay = 250;
  const until = Date.now() + ctx.o.recoveryTimeoutMs + 60_000;
  for (;;) {
    try {
      await ctx.temporal.withDeadline(Date.now() + 10_000, () => sms.sendMessage(req));
      m.startedAt = Date.now();
      return;
    } catch (err) {
      if (err instanceof InvalidInputError) throw err;
      if (Date.now() > until) {
        m.outcome = { kind: 'lost', why: `start failed: ${(err as Error).message}` };
        return;
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 2_000);
    }
  }
}

export async function startMessages(
  ctx: ChaosContext,
  sms: ResilientSmsClient,
  work: { requests: SendRequest[]; messages: ChaosMessage[]; gate: (i: number) => Promise<void> },
  progress: StartProgress,
): Promise<StartPhase> {
  const { o } = ctx;
  let startsDone = false;
  const watcher = watchInFlight(ctx, () => startsDone);
  let next = 0;
  let nextSlot = Date.now();
  const starter = async () => {
    while (next < work.requests.length) {
      const i = next++;
      await work.gate(i);
      while (o.maxInFlight > 0 && watcher.state.inFlight >= o.maxInFlight) await sleep(100);
      if (o.rate > 0) {
        const slot = Math.max(nextSlot, Date.now());
        nextSlot = slot + 1000 / o.rate;
        await sleep(slot - Date.now());
      }
      progress.firstStartAt ??= Date.now();
      await startOne(ctx, sms, work.requests[i], work.messages[i]);
      watcher.state.inFlight++;
      progress.started++;
      if (progress.started % 100 === 0) ctx.log(`[chaos] started ${progress.started}/${o.messages}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, work.requests.length) }, starter));
  const lastStartAt = Date.now();
  startsDone = true;
  await watcher.done;
  return { lastStartAt, heldBackMs: watcher.state.heldBackMs };
}

export function logStartPhase(ctx: ChaosContext, startPhaseMs: number, heldBackMs: number): void {
  ctx.log(
    `[chaos] all ${ctx.o.messages} started in ${fmtS(startPhaseMs)}` +
      (heldBackMs > 0 ? ` (starts held back ${fmtS(heldBackMs)} in all by backpressure)` : '') +
      '; draining',
  );
}
