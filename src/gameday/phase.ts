/**
 * One game-day phase (one scenario in one mode) on a running stack: steady one-time-password starts at the rate
 * for baseline + fault + recovery, the fault added and deleted on the simulator on time, the breaker read all
 * along; then the phase's messages drain (every one ends, or the drain deadline passes), and their status records
 * and the simulator's log of their sends are read for the analysis (./analyze.ts).
 */
import type { Client } from '@temporalio/client';
import type { ResilientSmsClient } from '../client';
import { InvalidInputError } from '../domain/errors';
import type { StatusRecord } from '../domain/status';
import { destinations } from '../chaos/schedule';
import type { StackHandle } from '../stack/handle';
import { sleep } from '../tools/service-process';
import { workflowIdFor } from '../workflows/definitions';
import type { MessageOutcome } from '../chaos/analyze';
import { readBreaker, watchBreaker } from './breaker-probe';
import { analyzePhase, type GamedayMessage, type GamedaySend, type PhaseFigures } from './analyze';
import { GAMEDAY_USE_CASE, type GamedayOptions } from './options';
import type { Mode, Scenario } from './scenarios';

export interface PhaseContext {
  o: GamedayOptions;
  stack: StackHandle;
  temporal: Client;
  client: ResilientSmsClient;
  random: () => number;
  runId: string;
  log: (line: string) => void;
}

export interface PhasePlan {
  scenario: Scenario;
  mode: Mode;
  cooldownMs: number;
  recoveryMs: number;
  drainTimeoutMs: number;
}

const keyPrefix = (runId: string, p: PhasePlan) => `gameday-${runId}-${p.scenario.name}-${p.mode}-`;

/** Starts one message; a start that fails for another reason than bad input is tried again for up to 30 s. */
async function startOne(ctx: PhaseContext, m: GamedayMessage, destination: string, i: number): Promise<void> {
  const request = {
    destination,
    body: `Your code is ${String(100000 + ((i * 7919) % 900000))}`,
    useCase: GAMEDAY_USE_CASE,
    idempotencyKey: m.key,
  };
  const until = Date.now() + 30_000;
  for (let delay = 250; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      await ctx.temporal.withDeadline(Date.now() + 10_000, () => ctx.client.sendMessage(request));
      m.startedAt = Date.now();
      return;
    } catch (err) {
      if (err instanceof InvalidInputError) throw err;
      if (Date.now() > until) {
        m.outcome = { kind: 'lost', why: `start failed: ${(err as Error).message}` };
        return;
      }
      await sleep(delay);
    }
  }
}

/** Starts at the rate until `endAt`; each start in the background (at most 32 in flight). */
async function steadyStarts(ctx: PhaseContext, prefix: string, endAt: number, messages: GamedayMessage[]) {
  const t0 = Date.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; ; i++) {
    const due = t0 + (i * 1000) / ctx.o.rate;
    if (due >= endAt) break;
    if (due > Date.now()) await sleep(due - Date.now());
    while (inFlight.size >= 32) await Promise.race(inFlight);
    const key = `${prefix}${i}`;
    const m: GamedayMessage = { key, workflowId: workflowIdFor(key), outcome: { kind: 'lost', why: 'never started' } };
    messages.push(m);
    const p = startOne(ctx, m, destinations(1, ctx.random)[0], i).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
}

/** Adds the fault after the baseline and deletes it after the fault time; the times it took effect. */
async function strike(ctx: PhaseContext, plan: PhasePlan, t0: number) {
  await sleep(t0 + ctx.o.baselineMs - Date.now());
  // Deleted at recovery; `forMs` only in case this process dies meanwhile (the fault then ends a minute late).
  const body = { ...plan.scenario.fault, forMs: ctx.o.faultMs + 60_000 };
  const fault = await ctx.stack.sim<{ id: string }>('POST', '/_sim/faults', body);
  const faultAt = Date.now();
  ctx.log(`[gameday] ${plan.scenario.name} (${plan.mode}): fault on: ${JSON.stringify(plan.scenario.fault)}`);
  await sleep(faultAt + ctx.o.faultMs - Date.now());
  await ctx.stack.sim('DELETE', `/_sim/faults/${fault.id}`);
  const clearedAt = Date.now();
  ctx.log(
    `[gameday] ${plan.scenario.name} (${plan.mode}): fault off after ${((clearedAt - faultAt) / 1000).toFixed(1)} s`,
  );
  return { faultAt, clearedAt };
}

/** Until no message of the phase is in progress (visibility count), or the deadline. */
async function drain(ctx: PhaseContext, prefix: string, deadline: number): Promise<void> {
  const query = `WorkflowId STARTS_WITH "${workflowIdFor(prefix)}" AND SmsStatus = "IN_PROGRESS"`;
  let lastLog = Date.now();
  while (Date.now() < deadline) {
    const count = await ctx.temporal.workflow.count(query).then(
      (c) => c.count,
      () => undefined,
    );
    if (count === 0) return;
    if (Date.now() - lastLog > 15_000) {
      lastLog = Date.now();
      ctx.log(`[gameday] draining: ${count ?? '?'} in progress`);
    }
    await sleep(1_000);
  }
}

/** A message's outcome from its status record: in progress, ended, or closed without an outcome. */
function outcomeOf(record: StatusRecord): MessageOutcome {
  if (record.status === 'IN_PROGRESS') return { kind: 'running', record };
  if (record.status === 'ABORTED') {
    return { kind: 'lost', why: `workflow closed ${record.workflowClosed?.status ?? 'without an outcome'}`, record };
  }
  return { kind: 'final', record };
}

/** Reads every started message's record (8 at a time); those still in progress again until the deadline. */
async function collect(ctx: PhaseContext, messages: GamedayMessage[], deadline: number): Promise<void> {
  let pending = messages.filter((m) => m.startedAt !== undefined);
  for (;;) {
    await mapLimit(pending, 8, async (m) => {
      for (let tries = 0; ; tries++) {
        try {
          m.outcome = outcomeOf(await ctx.client.getStatus(m.key));
          return;
        } catch (err) {
          if (tries >= 3) return void (m.outcome = { kind: 'lost', why: `status: ${(err as Error).message}` });
          await sleep(1_000);
        }
      }
    });
    pending = pending.filter((m) => m.outcome.kind === 'running');
    if (pending.length === 0 || Date.now() >= deadline) return;
    await sleep(2_000);
  }
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  const lane = async () => {
    while (i < items.length) await fn(items[i++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** The simulator's log of the sends received since `since`: this phase's messages and any probe of another workflow. */
async function sendsSince(stack: StackHandle, since: number): Promise<GamedaySend[]> {
  const { messages: sends } = await stack.sim<{ messages: GamedaySend[] }>('GET', '/_sim/messages');
  return sends.filter((s) => Date.parse(s.receivedAt) >= since);
}

export async function runPhase(ctx: PhaseContext, plan: PhasePlan): Promise<PhaseFigures> {
  const { o, stack } = ctx;
  const prefix = keyPrefix(ctx.runId, plan);
  const taskQueue = stack.info.taskQueue;
  const watcher = watchBreaker(() => readBreaker(ctx.temporal, taskQueue, plan.scenario.breakerKey), o.probeEveryMs);
  try {
    const messages: GamedayMessage[] = [];
    const t0 = Date.now();
    const endAt = t0 + o.baselineMs + o.faultMs + plan.recoveryMs;
    const [, timing] = await Promise.all([steadyStarts(ctx, prefix, endAt, messages), strike(ctx, plan, t0)]).finally(
      () => stack.sim('DELETE', '/_sim/faults').catch(() => undefined),
    );
    const endedAt = Date.now();
    ctx.log(`[gameday] ${plan.scenario.name} (${plan.mode}): ${messages.length} started; draining`);
    const deadline = endedAt + plan.drainTimeoutMs;
    await drain(ctx, prefix, deadline);
    await collect(ctx, messages, deadline);
    const breaker = await watcher.stop();
    return analyzePhase({
      scenario: plan.scenario,
      mode: plan.mode,
      timeline: { startedAt: t0, ...timing, endedAt },
      messages,
      sends: await sendsSince(stack, t0),
      breaker,
      cooldownMs: plan.cooldownMs,
    });
  } finally {
    await watcher.stop();
  }
}
