/**
 * 1. Throughput: complete deliveries per second (start -> SMS sent -> DLR through SNS/SQS and the ingester ->
 * workflow closed) at each concurrency of a sweep, against the no-op workflow on the same server with the
 * same worker settings, measured alternately at each concurrency so both see the same machine. Also where
 * the CPU goes: CPU ms per message of each process of the stack.
 */
import { closedLoop, deliver, noop, request, RUN_ID, type LoopResult } from '../lib/drive';
import { cpuBetween, cpuSnapshot, type CpuReport } from '../lib/proc';
import type { BenchStack } from '../lib/stack';
import { sleep } from '../lib/stats';

export interface ThroughputOptions {
  concurrencies: number[];
  durationMs: number;
  warmupMs: number;
  useCase: string;
}

export interface SweepPoint extends LoopResult {
  cpu: CpuReport;
}

export interface ThroughputResult {
  useCase: string;
  durationMs: number;
  warmupMs: number;
  ours: SweepPoint[];
  noop: SweepPoint[];
  peak: { ours: SweepPoint; noop: SweepPoint };
  ratio: number;
}

async function measured(stack: BenchStack, run: () => Promise<LoopResult>): Promise<SweepPoint> {
  const before = cpuSnapshot(stack.pids());
  const result = await run();
  const after = cpuSnapshot(stack.pids());
  // Units finished during the whole run (warm-up included) is what the CPU was spent on: estimate from the rate.
  const units = Math.max(1, (result.ratePerS * (after.at - before.at)) / 1000);
  return { ...result, cpu: cpuBetween(before, after, units) };
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
    const phase = `tput${concurrency}`;
    const point = await measured(stack, () =>
      closedLoop(concurrency, opts.durationMs, opts.warmupMs, async (i) => {
        const status = await deliver(stack, request(phase, i, opts.useCase));
        return status.status === 'DELIVERED';
      }),
    );
    ours.push(point);
    log(`  ours  @${concurrency}: ${point.ratePerS}/s (${point.completed} in ${point.windowS}s, ${point.failed} not delivered)`);
    await sleep(2_000);
    const n = await measured(stack, () =>
      closedLoop(concurrency, opts.durationMs, opts.warmupMs, async () => {
        await noop(stack, `bench-${RUN_ID}-noop-${seq++}`);
        return true;
      }),
    );
    noops.push(n);
    log(`  no-op @${concurrency}: ${n.ratePerS}/s (${n.completed} in ${n.windowS}s)`);
    await sleep(2_000);
  }
  const best = (points: SweepPoint[]) => points.reduce((a, b) => (b.ratePerS > a.ratePerS ? b : a));
  const peak = { ours: best(ours), noop: best(noops) };
  return {
    useCase: opts.useCase,
    durationMs: opts.durationMs,
    warmupMs: opts.warmupMs,
    ours,
    noop: noops,
    peak,
    ratio: peak.noop.ratePerS > 0 ? Math.round((peak.ours.ratePerS / peak.noop.ratePerS) * 1000) / 1000 : 0,
  };
}
