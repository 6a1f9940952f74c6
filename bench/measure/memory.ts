/**
 * 4. Memory at rest: the worker's RSS (/proc/<pid>/status VmRSS) while N messages wait for their receipt (the
 *    simulator publishes TEXT_PENDING and never a final event: fault `dlr: none`; the `notice` policy waits 72 h),
 *    and the DLR latency for a message no longer in the worker's cache (its next task replays its history),
 *    next to the same for messages still cached.
 *
 * Reaching N can take long on a small machine: the pool (./waiting-pool.ts) grows until N or the time budget, the
 * start rate is reported, and the RSS is extrapolated linearly to N when the budget ran out.
 */
import { queueDepth } from '../../src/aws/queue-depth';
import { DEFAULT_WORKER_TUNING } from '../../src/workers/worker-tuning';
import { EventType, eventMs, historyOf, signalsOf } from '../lib/history';
import { rssMb } from '../lib/proc';
import type { BenchStack } from '../lib/stack';
import { linearFit, sleep, summarize, type Summary } from '../lib/stats';
import { workerIdle, type PoolEntry, type WaitingPool } from './waiting-pool';

export interface MemorySample {
  atS: number;
  started: number;
  waiting: number;
  rssMb?: number;
  cachedWorkflows?: number;
}

export interface MemoryResult {
  target: number;
  useCase: string;
  budgetS: number;
  /** Messages waiting for their receipt when RSS was measured. */
  waiting: number;
  reachedTarget: boolean;
  /** Messages that reached the waiting state (sent, TEXT_PENDING recorded) per second while the pool grew. */
  startRatePerS: number;
  fillS: number;
  maxCachedWorkflows: number;
  /** Worker RSS at rest with `waiting` messages (median of samples taken after the pool settled). */
  rssMb?: number;
  rssAtRestMb?: Summary;
  /** RSS at rest half way. */
  midpoint?: { waiting: number; rssAtRestMb?: number };
  /** RSS growth per 1,000 more waiting messages, between the two points at rest. */
  slopeMbPer1000?: number;
  /** RSS extrapolated linearly to `target` (only when the pool stayed smaller). */
  extrapolatedRssMb?: number;
  baselineRssMb?: number;
  samples: MemorySample[];
}

export interface EvictedLatencyResult {
  /** DLR published (SNS accepted it) -> the workflow task that handled it completed, for messages not cached. */
  evictedMs?: Summary;
  /** The same for messages still in the cache. */
  cachedMs?: Summary;
  /** Published -> signal in history (the part before the worker). */
  evictedToSignalMs?: Summary;
  cachedToSignalMs?: Summary;
  /** Sticky-cache misses the worker reported during the evicted samples (a miss = a replay). */
  cacheMisses?: number;
  samples: number;
}

export interface GrowOptions {
  target: number;
  budgetMs: number;
  /** Starts ahead of the sends the simulator has seen, at most. */
  backlog: number;
  /** RSS samples at rest, one a second. */
  restSamples: number;
}

/** RSS at rest: the median of a few samples once the pool settled. */
interface AtRest {
  waiting: number;
  rest?: Summary;
}

/** The pool growing: starts (at most 32 in flight), samples of the worker's RSS, the points at rest. */
class Filling {
  readonly samples: MemorySample[] = [];
  readonly t0 = Date.now();
  pausedMs = 0;
  sent = 0;
  private startErrors = 0;
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly pool: WaitingPool,
    private readonly stack: BenchStack,
    private readonly sentBefore: number,
    private readonly opts: GrowOptions,
  ) {}

  /** Sends the simulator has seen since the pool started growing. */
  async refreshSent(): Promise<number> {
    this.sent = (await simulatorSends(this.stack)) - this.sentBefore;
    return this.sent;
  }

  async sample(): Promise<void> {
    const pid = this.stack.pids().worker;
    const metrics = await this.stack.metrics('worker');
    const cached = [...metrics].find(([k]) => k.startsWith('temporal_sticky_cache_size'))?.[1];
    this.samples.push({
      atS: Math.round((Date.now() - this.t0) / 100) / 10,
      started: this.pool.started,
      waiting: this.sent,
      rssMb: pid ? Math.round((rssMb(pid) ?? NaN) * 10) / 10 : undefined,
      cachedWorkflows: cached,
    });
  }

  /** Starts the next message, or waits a little when too many starts are ahead of the sends or in flight. */
  async startOrWait(): Promise<void> {
    const ahead = () => this.pool.started - this.sent > this.opts.backlog;
    if (ahead() || this.inflight.size >= 32) {
      await (this.inflight.size > 0 ? Promise.race(this.inflight) : sleep(50));
      if (ahead()) {
        await sleep(200);
        await this.refreshSent();
      }
      return;
    }
    const p = this.pool.startNext().then((ok) => void (ok || this.startErrors++));
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  /** Every start answered, every send at the simulator, the DLR queue empty, the worker idle; then RSS at rest. */
  async settle(): Promise<AtRest> {
    await Promise.all(this.inflight);
    const settleEnd = Date.now() + 300_000;
    while ((await this.refreshSent()) < this.pool.started - this.startErrors && Date.now() < settleEnd)
      await sleep(500);
    const queue = this.stack.config.dlrQueues[0]?.queueUrl;
    while (queue && (await queueDepth(this.stack.sqs, queue)).total > 0 && Date.now() < settleEnd) await sleep(500);
    await workerIdle(this.stack, 120_000);
    await this.sample();
    const rest: number[] = [];
    for (let k = 0; k < this.opts.restSamples; k++) {
      await sleep(1_000);
      const pid = this.stack.pids().worker;
      const v = pid ? rssMb(pid) : undefined;
      if (v !== undefined) rest.push(v);
    }
    return { waiting: this.sent, rest: summarize(rest) };
  }

  /** Starts until the target or the budget; settles once half way. Returns the midpoint at rest. */
  async fill(log: (l: string) => void): Promise<AtRest | undefined> {
    const { opts } = this;
    let lastSample = 0;
    let lastLog = Date.now();
    let midpoint: AtRest | undefined;
    while (this.pool.started < opts.target && Date.now() - this.t0 - this.pausedMs < opts.budgetMs) {
      if (!midpoint && (this.pool.started >= opts.target / 2 || Date.now() - this.t0 >= opts.budgetMs / 2)) {
        // Half way: RSS at rest here and at the end give the growth per waiting message.
        const paused = Date.now();
        midpoint = await this.settle();
        this.pausedMs += Date.now() - paused;
        log(`  half way: ${midpoint.waiting} waiting, worker RSS at rest ${midpoint.rest?.median} MB`);
      }
      if (Date.now() - lastSample > 2_000) {
        await this.refreshSent();
        await this.sample();
        lastSample = Date.now();
        if (Date.now() - lastLog > 30_000) {
          const s = this.samples[this.samples.length - 1];
          log(
            `  ${s.started} started, ${s.waiting} waiting, worker RSS ${s.rssMb} MB, ${s.cachedWorkflows ?? '?'} cached`,
          );
          lastLog = Date.now();
        }
      }
      await this.startOrWait();
    }
    return midpoint;
  }
}

function simulatorSends(stack: BenchStack): Promise<number> {
  return stack.sim<{ messages: number }>('GET', '/_sim/health').then((h) => h.messages);
}

/**
 * RSS growth per 1000 waiting messages: between the two points at rest (RSS while filling swings with the garbage
 * collector); without a usable midpoint, fitted on the samples taken once the cache was full.
 */
function growthPer1000(
  samples: MemorySample[],
  midpoint: AtRest | undefined,
  end: AtRest,
  maxCachedWorkflows: number,
): number | undefined {
  if (midpoint?.rest && end.rest && end.waiting - midpoint.waiting >= 100) {
    return ((end.rest.median - midpoint.rest.median) / (end.waiting - midpoint.waiting)) * 1000;
  }
  const fullFrom = Math.min(maxCachedWorkflows * 1.1, end.waiting * 0.5);
  const points = samples
    .filter((s) => s.rssMb !== undefined && s.waiting >= fullFrom)
    .map((s) => ({ x: s.waiting / 1000, y: s.rssMb! }));
  return linearFit(points)?.slope;
}

/** Grows the pool to `opts.target` waiting messages (or the budget) and measures the worker's RSS at rest. */
export async function measureMemory(
  pool: WaitingPool,
  stack: BenchStack,
  opts: GrowOptions,
  log: (l: string) => void,
): Promise<MemoryResult> {
  const release = await pool.holdReceipts();
  const baselinePid = stack.pids().worker;
  const baselineRssMb = baselinePid ? rssMb(baselinePid) : undefined;
  try {
    const filling = new Filling(pool, stack, await simulatorSends(stack), opts);
    const midpoint = await filling.fill(log);
    const fillS = (Date.now() - filling.t0 - filling.pausedMs) / 1000;
    const end = await filling.settle();
    const maxCachedWorkflows = stack.config.worker?.maxCachedWorkflows ?? DEFAULT_WORKER_TUNING.maxCachedWorkflows;
    const slope = growthPer1000(filling.samples, midpoint, end, maxCachedWorkflows);
    const result: MemoryResult = {
      target: opts.target,
      useCase: pool.useCase,
      budgetS: opts.budgetMs / 1000,
      waiting: end.waiting,
      reachedTarget: end.waiting >= opts.target,
      startRatePerS: Math.round((end.waiting / fillS) * 10) / 10,
      fillS: Math.round(fillS),
      maxCachedWorkflows,
      rssMb: end.rest?.median,
      rssAtRestMb: end.rest,
      midpoint: midpoint ? { waiting: midpoint.waiting, rssAtRestMb: midpoint.rest?.median } : undefined,
      slopeMbPer1000: slope === undefined ? undefined : Math.round(slope * 100) / 100,
      baselineRssMb: baselineRssMb === undefined ? undefined : Math.round(baselineRssMb),
      samples: filling.samples,
    };
    if (!result.reachedTarget && slope !== undefined && end.rest) {
      result.extrapolatedRssMb = Math.round(
        end.rest.median + Math.max(0, slope) * ((opts.target - end.waiting) / 1000),
      );
    }
    log(
      `  ${end.waiting} waiting after ${result.fillS}s of filling (${result.startRatePerS}/s): worker RSS at rest ${result.rssMb} MB` +
        (result.extrapolatedRssMb !== undefined
          ? `, ${result.slopeMbPer1000} MB per 1000 more: extrapolated to ${opts.target}: ${result.extrapolatedRssMb} MB`
          : ''),
    );
    return result;
  } finally {
    await release().catch(() => undefined);
  }
}

async function cacheMisses(stack: BenchStack): Promise<number> {
  const m = await stack.metrics('worker');
  return [...m].filter(([k]) => k.startsWith('temporal_sticky_cache_miss')).reduce((s, [, v]) => s + v, 0);
}

/** Publish -> handled, one message at a time (no load), for `samples` evicted and `samples` cached messages. */
export async function measureEvictedLatency(
  pool: WaitingPool,
  stack: BenchStack,
  opts: { samples: number },
  log: (line: string) => void,
): Promise<EvictedLatencyResult> {
  const evicted = pool.take(opts.samples, 'oldest');
  const cached = pool.take(opts.samples, 'newest');
  await pool.resolveRecords([...evicted, ...cached]);
  const run = async (entries: PoolEntry[]) => {
    const handled: number[] = [];
    const toSignal: number[] = [];
    for (const e of entries) {
      if (!e.record?.messageId) continue;
      const publishedAt = await pool.publishOne(e);
      await stack.temporal.workflow.getHandle(e.workflowId).result();
      const history = await historyOf(stack, e.workflowId);
      const sig = (await signalsOf(stack, history)).find((s) => s.dlr?.isFinal);
      const events = history.events ?? [];
      const done = events.find(
        (ev) =>
          ev.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED && sig !== undefined && eventMs(ev) >= sig.at,
      );
      if (sig) toSignal.push(sig.at - publishedAt);
      if (done) handled.push(eventMs(done) - publishedAt);
      await sleep(50);
    }
    return { handled, toSignal };
  };
  const missesBefore = await cacheMisses(stack);
  const ev = await run(evicted);
  const misses = (await cacheMisses(stack)) - missesBefore;
  const ca = await run(cached);
  log(`  evicted: ${ev.handled.length} samples, ${misses} cache misses; cached: ${ca.handled.length} samples`);
  return {
    evictedMs: summarize(ev.handled),
    cachedMs: summarize(ca.handled),
    evictedToSignalMs: summarize(ev.toSignal),
    cachedToSignalMs: summarize(ca.toSignal),
    cacheMisses: misses,
    samples: opts.samples,
  };
}
