/**
 * 7. Ingestion: DLRs per second through SNS -> SQS -> the ingester -> signal, against plain signals per second
 *    sent straight to the server, both delivering the final receipt of waiting messages (./waiting-pool.ts).
 */
import { queueDepth } from '../../src/aws/queue-depth';
import type { DlrSignal } from '../../src/domain/delivery-event';
import { dlrSignal } from '../../src/workflows/definitions';
import { openLoop } from '../lib/drive';
import { cpuBetween, cpuSnapshot, type CpuReport } from '../lib/proc';
import type { BenchStack } from '../lib/stack';
import { mapLimit, sleep } from '../lib/stats';
import { emulatorCeiling, type CeilingStep } from './emulator';
import { workerIdle, type PoolEntry, type WaitingPool } from './waiting-pool';

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
      maxBacklog = Math.max(maxBacklog, (await queueDepth(stack.sqs, queueUrl)).total);
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
  while ((await queueDepth(stack.sqs, queueUrl)).total > 0 && Date.now() < end) await sleep(50);
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

/** Any pool entry with a simulator record (to size the emulator's test messages like real DLRs). */
function ready0(pool: WaitingPool): PoolEntry | undefined {
  return pool.entries.find((e) => e.record?.messageId);
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

/** Plain signals: the ingester's payload, sent by the client at each concurrency of the sweep. */
async function plainSignalSweep(
  pool: WaitingPool,
  stack: BenchStack,
  concurrencies: number[],
  perLevel: number,
  log: (line: string) => void,
): Promise<IngestionResult['plainSweep']> {
  const plainSweep: IngestionResult['plainSweep'] = [];
  for (const concurrency of concurrencies) {
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
  return plainSweep;
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
  const plainSweep = await plainSignalSweep(pool, stack, opts.concurrencies, perLevel, log);
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
