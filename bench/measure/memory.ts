/**
 * 4. Memory at rest: the worker's RSS (/proc/<pid>/status VmRSS) while N messages wait for their receipt (the
 *    simulator publishes TEXT_PENDING and never a final event: fault `dlr: none`; the `notice` policy waits 72 h),
 *    and the DLR latency for a message no longer in the worker's cache (its next task replays its history),
 *    next to the same for messages still cached.
 * 7. Ingestion: DLRs per second through SNS -> SQS -> the ingester -> signal, against plain signals per second
 *    sent straight to the server, both delivering the final receipt of waiting messages.
 *
 * Both use the same pool of waiting messages. Reaching N can take long on a small machine: the pool grows until N
 * or the time budget, the start rate is reported, and the RSS is extrapolated linearly to N when the budget ran out.
 */
import { PublishBatchCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { DeliveryEvent, DlrSignal } from '../../src/domain/delivery-event';
import type { MessageRecord } from '../../src/simulator/message-log';
import { EMULATOR_CREDENTIALS } from '../../src/tools/provision-emulator';
import { dlrSignal, workflowIdFor } from '../../src/workflows/definitions';
import { DEFAULT_WORKER_TUNING } from '../../src/workers/worker-tuning';
import { openLoop, request, usNumber } from '../lib/drive';
import { emulatorCeiling, type CeilingStep } from './emulator';
import { EventType, eventMs, historyOf, signalsOf, simSends } from '../lib/history';
import { cpuBetween, cpuMs, cpuSnapshot, rssMb, type CpuReport } from '../lib/proc';
import type { BenchStack } from '../lib/stack';
import { linearFit, mapLimit, sleep, summarize, type Summary } from '../lib/stats';

const AREA = '415'; // San Francisco numbers: only this phase's messages match its fault
const PHASE = 'mem';

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

export interface IngestionResult {
  /**
   * Receipts per second sent as plain signals straight to the server (the ingester's payload), at the best
   * concurrency, timed until every one was handled (the workflows closed).
   */
  plainPerS: number;
  /** `acceptedPerS`: how fast the server accepted the signals themselves (their workflow tasks ran after). */
  plainSweep: { concurrency: number; perS: number; acceptedPerS: number; cpu: CpuReport }[];
  /** Steps of offered load (a share of the plain rate each), until one the ingester could not keep up with. */
  steps: IngestionStep[];
  /** DLRs per second through the ingester at the highest step it kept up with (0: none). */
  ingesterPerS: number;
  /** The SQS/SNS emulator alone (publish, receive, delete; no Temporal) at the same steps. */
  emulator: { steps: CeilingStep[]; sustainedPerS: number };
  ratio: number;
  /**
   * The same ratio from CPU per receipt (plain signals at their best concurrency vs the highest step the ingester
   * kept up with): `all` processes, and `withoutStandIns`, leaving out the SQS/SNS emulator and the publisher (the
   * bench process, which plays the event destination publishing to SNS). On a CPU-bound machine this is the bound.
   */
  cpuBound?: { all: number; withoutStandIns: number };
  ingester: Record<string, unknown>;
}

export interface IngestionStep {
  share: number;
  offeredPerS: number;
  messages: number;
  /** Messages / (first publish -> every receipt handled: queue empty and the workflows closed). */
  achievedPerS: number;
  /** Deepest the DLR queue got while offered. */
  maxBacklog: number;
  /** CPU per receipt by process, first publish -> every receipt handled. */
  cpu: CpuReport;
  /** Whether it kept up: the queue never held more than a second's worth, and emptied soon after the last publish. */
  kept: boolean;
}

/** Offers `count` final DLRs through SNS at `ratePerS` (batches of 10) and times the queue until it is empty. */
async function offerStep(
  pool: WaitingPool,
  stack: BenchStack,
  ratePerS: number,
  count: number,
): Promise<Omit<IngestionStep, 'share'>> {
  const entries = pool.take(count, 'oldest');
  await pool.resolveRecords(entries);
  const ready = entries.filter((e) => e.record?.messageId);
  const first = ready[0]?.record;
  const queueUrl = stack.config.dlrQueues.find(
    (q) => q.account === first?.account && q.region === first?.region,
  )?.queueUrl;
  if (!queueUrl) throw new Error('no DLR queue for the pool');
  const batches: PoolEntry[][] = [];
  for (let i = 0; i < ready.length; i += 10) batches.push(ready.slice(i, i + 10));
  let maxBacklog = 0;
  let publishing = true;
  const watch = (async () => {
    while (publishing) {
      maxBacklog = Math.max(maxBacklog, await queueDepth(stack, queueUrl));
      await sleep(250);
    }
  })();
  const before = cpuSnapshot(stack.pids());
  const t0 = Date.now();
  const published = await openLoop(batches.length, ratePerS / 10, (b) => pool.publish(batches[b]));
  const lastPublish = Date.now();
  publishing = false;
  await watch;
  const messages = published.reduce((s, r) => s + (r.status === 'fulfilled' ? r.value : 0), 0);
  const end = Date.now() + 120_000;
  while ((await queueDepth(stack, queueUrl)) > 0 && Date.now() < end) await sleep(50);
  const drained = Date.now();
  await allClosed(stack, ready);
  const handled = Date.now();
  const cpu = cpuBetween(before, cpuSnapshot(stack.pids()), messages);
  return {
    offeredPerS: ratePerS,
    messages,
    achievedPerS: Math.round((messages / ((handled - t0) / 1000)) * 10) / 10,
    maxBacklog,
    cpu,
    kept: maxBacklog <= Math.max(20, ratePerS) && drained - lastPublish <= 3_000,
  };
}

interface PoolEntry {
  workflowId: string;
  record?: MessageRecord;
}

async function queueDepth(stack: BenchStack, queueUrl: string): Promise<number> {
  const out = await stack.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** Waits until the worker's CPU use stays under 5 % for 3 s (its backlog is done), at most `maxMs`. */
async function workerIdle(stack: BenchStack, maxMs: number): Promise<void> {
  const end = Date.now() + maxMs;
  while (Date.now() < end) {
    const pid = stack.pids().worker;
    const a = pid ? cpuMs(pid) : undefined;
    await sleep(3_000);
    const b = pid ? cpuMs(pid) : undefined;
    if (a === undefined || b === undefined || b - a < 150) return;
  }
}

export class WaitingPool {
  readonly entries: PoolEntry[] = [];
  private next = 0;
  private readonly sns = new Map<string, SNSClient>();

  constructor(
    private readonly stack: BenchStack,
    readonly useCase: string,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  /** Takes `n` unused entries, oldest first or newest first. */
  take(n: number, from: 'oldest' | 'newest'): PoolEntry[] {
    const available = this.entries.filter((e) => !(e as { used?: boolean }).used);
    const picked = from === 'oldest' ? available.slice(0, n) : available.slice(-n);
    for (const e of picked) (e as { used?: boolean }).used = true;
    return picked;
  }

  async grow(
    opts: { target: number; budgetMs: number; backlog: number; restSamples: number },
    log: (l: string) => void,
  ): Promise<MemoryResult> {
    const { stack } = this;
    const fault = await stack.sim<{ id: string }>('POST', '/_sim/faults', {
      match: { destinationPrefix: `+1${AREA}` },
      effect: { dlr: 'none' },
    });
    const workerPid = () => stack.pids().worker;
    const baselinePid = workerPid();
    const baselineRssMb = baselinePid ? rssMb(baselinePid) : undefined;
    const health = () => stack.sim<{ messages: number }>('GET', '/_sim/health').then((h) => h.messages);
    const sentBefore = await health();
    const samples: MemorySample[] = [];
    const t0 = Date.now();
    let pausedMs = 0;
    let sent = 0;
    let startErrors = 0;
    const sample = async () => {
      const pid = workerPid();
      const metrics = await stack.metrics('worker');
      const cached = [...metrics].find(([k]) => k.startsWith('temporal_sticky_cache_size'))?.[1];
      samples.push({
        atS: Math.round((Date.now() - t0) / 100) / 10,
        started: this.next,
        waiting: sent,
        rssMb: pid ? Math.round((rssMb(pid) ?? NaN) * 10) / 10 : undefined,
        cachedWorkflows: cached,
      });
    };
    const inflight = new Set<Promise<void>>();
    /** Every start answered, every send at the simulator, the DLR queue empty, the worker idle; then RSS at rest. */
    const settle = async (): Promise<{ waiting: number; rest?: Summary }> => {
      await Promise.all(inflight);
      const settleEnd = Date.now() + 300_000;
      while ((sent = (await health()) - sentBefore) < this.next - startErrors && Date.now() < settleEnd)
        await sleep(500);
      const queue = stack.config.dlrQueues[0]?.queueUrl;
      while (queue && (await queueDepth(stack, queue)) > 0 && Date.now() < settleEnd) await sleep(500);
      await workerIdle(stack, 120_000);
      await sample();
      const rest: number[] = [];
      for (let k = 0; k < opts.restSamples; k++) {
        await sleep(1_000);
        const pid = workerPid();
        const v = pid ? rssMb(pid) : undefined;
        if (v !== undefined) rest.push(v);
      }
      return { waiting: sent, rest: summarize(rest) };
    };
    let lastSample = 0;
    let lastLog = Date.now();
    let midpoint: { waiting: number; rest?: Summary } | undefined;
    try {
      while (this.next < opts.target && Date.now() - t0 - pausedMs < opts.budgetMs) {
        if (!midpoint && (this.next >= opts.target / 2 || Date.now() - t0 >= opts.budgetMs / 2)) {
          // Half way: RSS at rest here and at the end give the growth per waiting message.
          const paused = Date.now();
          midpoint = await settle();
          pausedMs += Date.now() - paused;
          log(`  half way: ${midpoint.waiting} waiting, worker RSS at rest ${midpoint.rest?.median} MB`);
        }
        if (Date.now() - lastSample > 2_000) {
          sent = (await health()) - sentBefore;
          await sample();
          lastSample = Date.now();
          if (Date.now() - lastLog > 30_000) {
            const s = samples[samples.length - 1];
            log(
              `  ${s.started} started, ${s.waiting} waiting, worker RSS ${s.rssMb} MB, ${s.cachedWorkflows ?? '?'} cached`,
            );
            lastLog = Date.now();
          }
        }
        if (this.next - sent > opts.backlog || inflight.size >= 32) {
          await (inflight.size > 0 ? Promise.race(inflight) : sleep(50));
          if (this.next - sent > opts.backlog) {
            await sleep(200);
            sent = (await health()) - sentBefore;
          }
          continue;
        }
        const i = this.next++;
        const req = request(PHASE, i, this.useCase, { destination: usNumber(i, AREA) });
        const entry: PoolEntry = { workflowId: workflowIdFor(req.idempotencyKey) };
        this.entries.push(entry);
        const p = stack.rsms.sendMessage(req).then(
          () => undefined,
          () => void startErrors++,
        );
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      }
      const filled = Date.now();
      const end = await settle();
      const fillS = (filled - t0 - pausedMs) / 1000;
      const maxCachedWorkflows = stack.config.worker?.maxCachedWorkflows ?? DEFAULT_WORKER_TUNING.maxCachedWorkflows;
      const waiting = end.waiting;
      const reachedTarget = waiting >= opts.target;
      // Growth per waiting message: between the two points at rest (RSS while filling swings with the garbage
      // collector); without a usable midpoint, fitted on the samples taken once the cache was full.
      let slope: number | undefined;
      if (midpoint?.rest && end.rest && waiting - midpoint.waiting >= 100) {
        slope = ((end.rest.median - midpoint.rest.median) / (waiting - midpoint.waiting)) * 1000;
      } else {
        const fullFrom = Math.min(maxCachedWorkflows * 1.1, waiting * 0.5);
        const fit = linearFit(
          samples
            .filter((s) => s.rssMb !== undefined && s.waiting >= fullFrom)
            .map((s) => ({ x: s.waiting / 1000, y: s.rssMb! })),
        );
        slope = fit?.slope;
      }
      const result: MemoryResult = {
        target: opts.target,
        useCase: this.useCase,
        budgetS: opts.budgetMs / 1000,
        waiting,
        reachedTarget,
        startRatePerS: Math.round((waiting / fillS) * 10) / 10,
        fillS: Math.round(fillS),
        maxCachedWorkflows,
        rssMb: end.rest?.median,
        rssAtRestMb: end.rest,
        midpoint: midpoint ? { waiting: midpoint.waiting, rssAtRestMb: midpoint.rest?.median } : undefined,
        slopeMbPer1000: slope === undefined ? undefined : Math.round(slope * 100) / 100,
        baselineRssMb: baselineRssMb === undefined ? undefined : Math.round(baselineRssMb),
        samples,
      };
      if (!reachedTarget && slope !== undefined && end.rest) {
        result.extrapolatedRssMb = Math.round(end.rest.median + Math.max(0, slope) * ((opts.target - waiting) / 1000));
      }
      log(
        `  ${waiting} waiting after ${result.fillS}s of filling (${result.startRatePerS}/s): worker RSS at rest ${result.rssMb} MB` +
          (result.extrapolatedRssMb !== undefined
            ? `, ${result.slopeMbPer1000} MB per 1000 more: extrapolated to ${opts.target}: ${result.extrapolatedRssMb} MB`
            : ''),
      );
      return result;
    } finally {
      await stack.sim('DELETE', `/_sim/faults/${fault.id}`).catch(() => undefined);
    }
  }

  /** The simulator's record of each entry's send (message id, context). */
  async resolveRecords(entries: PoolEntry[]): Promise<void> {
    const missing = entries.filter((e) => !e.record);
    if (missing.length === 0) return;
    const sends = await simSends(this.stack, 100_000);
    for (const e of missing) e.record = sends.get(e.workflowId)?.get(1);
  }

  private snsFor(region: string): SNSClient {
    let c = this.sns.get(region);
    if (!c) {
      c = new SNSClient({ region, endpoint: this.stack.info.sqsEndpoint, credentials: EMULATOR_CREDENTIALS });
      this.sns.set(region, c);
    }
    return c;
  }

  /** The final TEXT_DELIVERED event for an entry, as End User Messaging would publish it, and its topic. */
  deliveredEvent(entry: PoolEntry): { event: DeliveryEvent; topicArn: string; region: string } {
    const r = entry.record!;
    const q = this.stack.config.dlrQueues.find((d) => d.account === r.account && d.region === r.region && d.topicArn);
    if (!q?.topicArn) throw new Error(`no DLR topic for ${r.account}/${r.region}`);
    const event: DeliveryEvent = {
      eventType: 'TEXT_DELIVERED',
      eventVersion: '1.0',
      eventTimestamp: Date.now(),
      isFinal: true,
      originationPhoneNumber: r.originator,
      destinationPhoneNumber: r.destination,
      isoCountryCode: r.isoCountryCode,
      messageId: r.messageId!,
      messageRequestTimestamp: Date.parse(r.receivedAt),
      messageType: r.messageType,
      messageStatus: 'DELIVERED',
      messageStatusDescription: 'Message has been accepted by phone',
      context: r.context,
      totalMessageParts: 1,
      totalMessagePrice: 0.00581,
      totalCarrierFee: 0,
    };
    return { event, topicArn: q.topicArn, region: q.topicArn.split(':')[3] || q.region };
  }

  signalFor(entry: PoolEntry): DlrSignal {
    const r = entry.record!;
    return {
      attempt: 1,
      eventType: 'TEXT_DELIVERED',
      status: 'DELIVERED',
      isFinal: true,
      messageId: r.messageId!,
      eventTimestamp: Date.now(),
      description: 'Message has been accepted by phone',
      price: 0.00581,
    };
  }

  async publish(entries: PoolEntry[]): Promise<number> {
    const groups = new Map<string, { region: string; topicArn: string; messages: string[] }>();
    for (const e of entries) {
      const { event, topicArn, region } = this.deliveredEvent(e);
      const g = groups.get(topicArn) ?? { region, topicArn, messages: [] };
      g.messages.push(JSON.stringify(event));
      groups.set(topicArn, g);
    }
    let published = 0;
    for (const g of groups.values()) {
      const batches: string[][] = [];
      for (let i = 0; i < g.messages.length; i += 10) batches.push(g.messages.slice(i, i + 10));
      await mapLimit(batches, 8, async (batch, b) => {
        const out = await this.snsFor(g.region).send(
          new PublishBatchCommand({
            TopicArn: g.topicArn,
            PublishBatchRequestEntries: batch.map((m, i) => ({ Id: `${b}-${i}`, Message: m })),
          }),
        );
        published += out.Successful?.length ?? 0;
      });
    }
    return published;
  }

  async publishOne(entry: PoolEntry): Promise<number> {
    const { event, topicArn, region } = this.deliveredEvent(entry);
    await this.snsFor(region).send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify(event) }));
    return Date.now();
  }

  close(): void {
    for (const c of this.sns.values()) c.destroy();
  }
}

/** Any pool entry with a simulator record (to size the emulator's test messages like real DLRs). */
function ready0(pool: WaitingPool): PoolEntry | undefined {
  return pool.entries.find((e) => e.record?.messageId);
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

function sendSignal(stack: BenchStack, workflowId: string, payload: DlrSignal): Promise<void> {
  return stack.temporal.workflow.getHandle(workflowId).signal(dlrSignal, payload);
}

async function allClosed(stack: BenchStack, entries: PoolEntry[]): Promise<void> {
  await mapLimit(entries, 32, (e) =>
    stack.temporal.workflow
      .getHandle(e.workflowId)
      .result()
      .catch(() => undefined),
  );
}

export async function measureIngestion(
  pool: WaitingPool,
  stack: BenchStack,
  opts: { messages: number; concurrencies: number[]; shares: number[]; stepS: number },
  log: (line: string) => void,
): Promise<IngestionResult | undefined> {
  const left = () => pool.entries.filter((e) => !(e as { used?: boolean }).used).length;
  const perLevel = Math.floor(Math.min(opts.messages, left() / 2) / opts.concurrencies.length);
  if (perLevel < 10) {
    log(`  skipped: only ${left()} waiting messages left`);
    return undefined;
  }
  // Plain signals: the ingester's payload, sent by the client at each concurrency of the sweep.
  const plainSweep: IngestionResult['plainSweep'] = [];
  for (const concurrency of opts.concurrencies) {
    const entries = pool.take(perLevel, 'oldest');
    await pool.resolveRecords(entries);
    const ready = entries.filter((e) => e.record?.messageId);
    // Timed until every receipt was handled (the workflows closed), as the ingester's steps are: the workflow
    // tasks the signals cause are part of the work, whoever sends the signal.
    const before = cpuSnapshot(stack.pids());
    const t0 = Date.now();
    await mapLimit(ready, concurrency, (e) => sendSignal(stack, e.workflowId, pool.signalFor(e)));
    const sentS = (Date.now() - t0) / 1000;
    await allClosed(stack, ready);
    const perS = Math.round((ready.length / ((Date.now() - t0) / 1000)) * 10) / 10;
    const cpu = cpuBetween(before, cpuSnapshot(stack.pids()), ready.length);
    const acceptedPerS = Math.round((ready.length / sentS) * 10) / 10;
    plainSweep.push({ concurrency, perS, acceptedPerS, cpu });
    log(
      `  plain signals @${concurrency}: ${perS}/s handled (${acceptedPerS}/s accepted by the server; ${ready.length}; ` +
        `${cpu.totalPerUnitMs} CPU ms each ${JSON.stringify(cpu.perUnitMs)})`,
    );
    await workerIdle(stack, 60_000);
  }
  const plainPerS = Math.max(...plainSweep.map((p) => p.perS));

  // Through SNS -> SQS -> the ingester, offered at a steady rate, a step up at a time: the highest rate it keeps
  // up with (its queue stays shallow, as SQS is in production) is its sustainable rate. A preloaded backlog would
  // measure the emulator instead, which slows down with every message left in a queue.
  const steps: IngestionStep[] = [];
  for (const share of opts.shares) {
    const offered = Math.max(1, Math.round(plainPerS * share * 10) / 10);
    const count = Math.min(left(), Math.max(10, Math.round(offered * opts.stepS)));
    if (count < 10) break;
    const step = await offerStep(pool, stack, offered, count);
    steps.push({ share, ...step });
    log(
      `  through the ingester at ${offered}/s (${Math.round(share * 100)}% of plain): ${step.achievedPerS}/s, ` +
        `deepest queue ${step.maxBacklog}, ${step.kept ? 'kept up' : 'fell behind'}; ` +
        `${step.cpu.totalPerUnitMs} CPU ms each ${JSON.stringify(step.cpu.perUnitMs)}`,
    );
    await workerIdle(stack, 60_000);
    if (!step.kept) break;
  }
  const best = steps.filter((s) => s.kept).pop();
  const ingesterPerS = best?.achievedPerS ?? 0;
  // What the emulator sustains by itself at the same steps and batch size: the ceiling of any ingester here.
  const sample = ready0(pool);
  const emulator = await emulatorCeiling(
    stack,
    {
      rates: opts.shares.map((share) => Math.max(1, Math.round(plainPerS * share * 10) / 10)),
      stepS: opts.stepS,
      consumers: stack.config.ingester?.receiversPerQueue ?? 1,
      bodyBytes: sample ? JSON.stringify(pool.deliveredEvent(sample).event).length + 300 : 900,
    },
    log,
  );
  return {
    plainPerS,
    plainSweep,
    steps,
    emulator,
    ingesterPerS,
    ratio: plainPerS > 0 ? Math.round((ingesterPerS / plainPerS) * 1000) / 1000 : 0,
    cpuBound: cpuBoundOf(plainSweep, best),
    ingester: {
      concurrency: stack.config.ingester?.concurrency ?? 10,
      receiversPerQueue: stack.config.ingester?.receiversPerQueue ?? 1,
      intermediateEvents: stack.config.ingester?.intermediateEvents ?? 'final-only',
    },
  };
}

/** Plain CPU per receipt / ingester CPU per receipt: the ratio a CPU-bound machine allows (see IngestionResult). */
function cpuBoundOf(
  plainSweep: IngestionResult['plainSweep'],
  best: IngestionStep | undefined,
): IngestionResult['cpuBound'] {
  const plain = plainSweep.reduce((a, b) => (b.perS > a.perS ? b : a), plainSweep[0]);
  if (!plain || !best) return undefined;
  const total = (r: CpuReport, skip: string[]) =>
    Object.entries(r.perUnitMs)
      .filter(([k]) => !skip.includes(k))
      .reduce((sum, [, v]) => sum + v, 0);
  // The bench process publishes to SNS on the ingester path (the event destination's part) but sends the signals
  // itself on the plain path (the part the ingester does): it stays in the plain total, leaves the ingester's.
  const ratio = (plainCpu: number, oursCpu: number) =>
    oursCpu > 0 ? Math.round((plainCpu / oursCpu) * 1000) / 1000 : 0;
  return {
    all: ratio(total(plain.cpu, []), total(best.cpu, [])),
    withoutStandIns: ratio(total(plain.cpu, ['sqs', 'simulator']), total(best.cpu, ['sqs', 'simulator', 'bench'])),
  };
}
