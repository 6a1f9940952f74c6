/**
 * 1. Throughput: complete deliveries per second (start -> SMS sent -> DLR through SNS/SQS and the ingester ->
 * workflow closed) at each concurrency of a sweep, against the no-op workflow on the same server with the
 * same worker settings, measured alternately at each concurrency so both see the same machine. Also where
 * the CPU goes: CPU ms per message of each process of the stack.
 */
import { closedLoop, deliver, noop, request, RUN_ID, type LoopResult } from '../lib/drive';
import { cpuBetweenAll, cpuSnapshot, type CpuReport, type CpuSnapshot } from '../lib/proc';
import type { BenchStack } from '../lib/stack';
import { sleep, summarize } from '../lib/stats';

export interface ThroughputOptions {
  concurrencies: number[];
  /** Alternating windows of each kind per concurrency. */
  rounds: number;
  /** One window. */
  durationMs: number;
  warmupMs: number;
  useCase: string;
}

export interface SweepPoint extends Omit<LoopResult, 'latencies'> {
  cpu: CpuReport;
}

export interface ThroughputResult {
  useCase: string;
  rounds: number;
  durationMs: number;
  warmupMs: number;
  ours: SweepPoint[];
  noop: SweepPoint[];
  peak: { ours: SweepPoint; noop: SweepPoint };
  ratio: number;
  /**
   * The ratio the CPU allows when throughput is CPU-bound (all cores busy): no-op CPU ms per workflow / ours per
   * delivery, at the peaks. `withoutStandIns` leaves out the local stand-ins for AWS (the SQS/SNS emulator and the
   * carrier simulator), which share this machine's cores but not a production deployment's.
   */
  cpuBound: { all: number; withoutStandIns: number };
}

/** Adds up the windows of one kind: the rate over all windows, CPU per unit over all units that ended in them. */
function combine(parts: { result: LoopResult; before: CpuSnapshot; after: CpuSnapshot }[]): SweepPoint {
  const sum = (f: (p: LoopResult) => number) => parts.reduce((s, p) => s + f(p.result), 0);
  const completed = sum((p) => p.completed);
  const windowS = sum((p) => p.windowS);
  return {
    concurrency: parts[0].result.concurrency,
    completed,
    failed: sum((p) => p.failed),
    totalDone: sum((p) => p.totalDone),
    windowS,
    ratePerS: Math.round((completed / windowS) * 10) / 10,
    latencyMs: summarize(parts.flatMap((p) => p.result.latencies)),
    cpu: cpuBetweenAll(
      parts.map((p) => [p.before, p.after]),
      sum((p) => p.totalDone),
    ),
  };
}

async function window(stack: BenchStack, run: () => Promise<LoopResult>) {
  const before = cpuSnapshot(stack.pids());
  const result = await run();
  const after = cpuSnapshot(stack.pids());
  return { result, before, after };
}

export async function measureThroughput(
  stack: BenchStack,
  opts: ThroughputOptions,
  log: (line: string) => void,
): Promise<ThroughputResult> {
  const ours: SweepPoint[] = [];
  const noops: SweepPoint[] = [];
  let seq = 0;
  for (const concurrency of opts.concurrencies) {
    // Ours and the no-op alternate in short windows, so both see the same machine (other programs come and go).
    const oursParts = [];
    const noopParts = [];
    for (let round = 0; round < opts.rounds; round++) {
      const phase = `tput${concurrency}r${round}`;
      oursParts.push(
        await window(stack, () =>
          closedLoop(concurrency, opts.durationMs, opts.warmupMs, async (i) => {
            const status = await deliver(stack, request(phase, i, opts.useCase));
            return status.status === 'DELIVERED';
          }),
        ),
      );
      await sleep(1_500);
      noopParts.push(
        await window(stack, () =>
          closedLoop(concurrency, opts.durationMs, opts.warmupMs, async () => {
            await noop(stack, `bench-${RUN_ID}-noop-${seq++}`);
            return true;
          }),
        ),
      );
      await sleep(1_500);
    }
    const point = combine(oursParts);
    const n = combine(noopParts);
    ours.push(point);
    noops.push(n);
    log(
      `  @${concurrency}: ours ${point.ratePerS}/s (${point.completed} in ${point.windowS}s, ${point.failed} not delivered, ` +
        `${point.cpu.totalPerUnitMs} CPU ms each), no-op ${n.ratePerS}/s (${n.completed}, ${n.cpu.totalPerUnitMs} CPU ms each)`,
    );
  }
  const best = (points: SweepPoint[]) => points.reduce((a, b) => (b.ratePerS > a.ratePerS ? b : a));
  const peak = { ours: best(ours), noop: best(noops) };
  const cpuOf = (p: SweepPoint, skip: string[] = []) =>
    Object.entries(p.cpu.perUnitMs)
      .filter(([k]) => !skip.includes(k))
      .reduce((s, [, v]) => s + v, 0);
  const bound = (skip: string[]) => {
    const o = cpuOf(peak.ours, skip);
    return o > 0 ? Math.round((cpuOf(peak.noop, skip) / o) * 1000) / 1000 : 0;
  };
  return {
    cpuBound: { all: bound([]), withoutStandIns: bound(['sqs', 'simulator']) },
    useCase: opts.useCase,
    rounds: opts.rounds,
    durationMs: opts.durationMs,
    warmupMs: opts.warmupMs,
    ours,
    noop: noops,
    peak,
    ratio: peak.noop.ratePerS > 0 ? Math.round((peak.ours.ratePerS / peak.noop.ratePerS) * 1000) / 1000 : 0,
  };
}
