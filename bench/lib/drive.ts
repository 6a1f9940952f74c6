/**
 * Load drivers: a closed loop (N messages in flight, each started when one ends) and an open loop (messages
 * started at a fixed rate), and the message requests the benchmark sends.
 */
import { randomBytes } from 'node:crypto';
import type { MessageRequestInput } from '../../src/domain/message';
import type { StatusRecord } from '../../src/domain/status';
import { NOOP_TASK_QUEUE, type BenchStack } from './stack';
import { sleep, summarize, type Summary } from './stats';

/** Idempotency keys of one benchmark run share a prefix: `bench-<run>-<phase>-<n>`. */
export const RUN_ID = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;

/** A valid US number (Seattle, 555 exchange); `area` picks another area code for a phase of its own. */
export function usNumber(i: number, area = '206'): string {
  return `+1${area}555${String(1000 + (i % 9000)).padStart(4, '0')}`;
}

export function request(phase: string, i: number, useCase: string, extra: Partial<MessageRequestInput> = {}) {
  return {
    destination: usNumber(i),
    body: `Your code is ${String(100000 + (i % 900000))}`,
    useCase,
    idempotencyKey: `bench-${RUN_ID}-${phase}-${i}`,
    ...extra,
  } satisfies MessageRequestInput;
}

/** Sends a message and waits for its final status record. */
export async function deliver(stack: BenchStack, req: MessageRequestInput & { idempotencyKey: string }): Promise<StatusRecord> {
  await stack.rsms.sendMessage(req);
  return stack.rsms.waitForOutcome(req.idempotencyKey);
}

/** Starts the no-op workflow and waits for it to close. */
export async function noop(stack: BenchStack, id: string): Promise<void> {
  await stack.temporal.workflow.execute('noop', { taskQueue: NOOP_TASK_QUEUE, workflowId: id, args: [] });
}

export interface LoopResult {
  concurrency: number;
  /** Units completed inside the measured window (after the warm-up). */
  completed: number;
  failed: number;
  /** Units that ended during the whole loop (warm-up and drain included): what the CPU was spent on. */
  totalDone: number;
  windowS: number;
  ratePerS: number;
  /** Start → end of each unit completed in the window. */
  latencyMs?: Summary;
  /** The samples behind latencyMs. */
  latencies: number[];
}

/**
 * Keeps `concurrency` units in flight for `durationMs`; the rate counts units that end after the warm-up,
 * over the time from the warm-up's end to the last start (units still in flight then are awaited, not counted).
 */
export async function closedLoop(
  concurrency: number,
  durationMs: number,
  warmupMs: number,
  unit: (i: number) => Promise<boolean>,
): Promise<LoopResult> {
  const t0 = Date.now();
  const windowStart = t0 + warmupMs;
  const end = t0 + durationMs;
  let next = 0;
  let completed = 0;
  let failed = 0;
  let totalDone = 0;
  const latencies: number[] = [];
  const lane = async (): Promise<void> => {
    while (Date.now() < end) {
      const i = next++;
      const started = Date.now();
      let ok = false;
      try {
        ok = await unit(i);
      } catch {
        ok = false;
      }
      const ended = Date.now();
      totalDone++;
      if (ended >= windowStart && ended <= end) {
        if (ok) {
          completed++;
          latencies.push(ended - started);
        } else failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const windowS = (end - windowStart) / 1000;
  return {
    concurrency,
    completed,
    failed,
    totalDone,
    windowS,
    ratePerS: Math.round((completed / windowS) * 10) / 10,
    latencyMs: summarize(latencies),
    latencies,
  };
}

/** Starts `count` units at `ratePerS` (not waiting for one to end before the next starts) and awaits them all. */
export async function openLoop<T>(count: number, ratePerS: number, unit: (i: number) => Promise<T>): Promise<PromiseSettledResult<T>[]> {
  const t0 = Date.now();
  const all: Promise<T>[] = [];
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / ratePerS;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    all.push(unit(i));
  }
  return Promise.allSettled(all);
}
