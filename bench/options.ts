/** `npm run bench`'s command line: the phases, the full and smoke sizes, and the flags (commander). */
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { parseCount, parseNonNegative } from '../src/cli/options';
import { root } from './lib/stack';

export const PHASES = [
  'throughput',
  'latency',
  'failover',
  'history',
  'cold-start',
  'gameday',
  'pacing',
  'memory',
  'ingestion',
] as const;
export type Phase = (typeof PHASES)[number];

/**
 * What runs without --only: every phase but the game day (20 minutes, restarts processes; `--only gameday`) and
 * pacing (restarts processes with pacing on; `--only pacing`).
 */
export const DEFAULT_PHASES: Phase[] = PHASES.filter((p) => p !== 'gameday' && p !== 'pacing');

export interface BenchOptions {
  stackDir?: string;
  configPath?: string;
  /** `--set a.b=value` (value JSON, else a string): config settings for a stack started here. */
  overrides: Record<string, unknown>;
  out: string;
  smoke: boolean;
  only: Phase[];
  concurrencies: number[];
  /** Alternating windows of ours and the no-op per concurrency. */
  rounds: number;
  durationS: number;
  warmupS: number;
  latencyMessages: number;
  failoverMessages: number;
  coldStartSamples: number;
  memoryTarget: number;
  memoryBudgetS: number;
  evictedSamples: number;
  ingestMessages: number;
  ingestConcurrencies: number[];
  /** Rate for the latency phases when throughput is not measured in this run. */
  rate?: number;
}

type Sizes = Omit<BenchOptions, 'out' | 'only' | 'smoke' | 'overrides'>;

const FULL: Sizes = {
  concurrencies: [8, 16, 32, 64],
  rounds: 2,
  durationS: 15,
  warmupS: 3,
  latencyMessages: 400,
  failoverMessages: 150,
  coldStartSamples: 5,
  memoryTarget: 50_000,
  memoryBudgetS: 600,
  evictedSamples: 100,
  ingestMessages: 2_000,
  ingestConcurrencies: [16, 64],
};

const SMOKE: Sizes = {
  concurrencies: [4],
  rounds: 1,
  durationS: 4,
  warmupS: 1,
  latencyMessages: 6,
  failoverMessages: 3,
  coldStartSamples: 1,
  memoryTarget: 40,
  memoryBudgetS: 60,
  evictedSamples: 2,
  ingestMessages: 10,
  ingestConcurrencies: [8],
};

/** `8,16,32`: positive integers. */
const countList = (v: string): number[] => v.split(',').map(parseCount);

function phaseList(v: string): Phase[] {
  const phases = v.split(',');
  for (const p of phases)
    if (!(PHASES as readonly string[]).includes(p))
      throw new InvalidArgumentError(`unknown phase "${p}" (${PHASES.join(', ')})`);
  return phases as Phase[];
}

/** `key.path=value`, the value JSON when it parses, else a string; repeated flags add up. */
function setting(v: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const m = /^([A-Za-z][\w.-]*)=(.*)$/.exec(v);
  if (!m) throw new InvalidArgumentError('needs key.path=value, e.g. worker.maxCachedWorkflows=1000');
  let value: unknown = m[2];
  try {
    value = JSON.parse(m[2]);
  } catch {
    // a plain string
  }
  return { ...previous, [m[1]]: value };
}

export function benchCommand(): Command {
  return new Command('bench')
    .description('Measure the whole path on the local stack against the performance targets (bench/results.json).')
    .option('--smoke', 'tiny counts: proves it runs')
    .option('--stack <dir>', "a running stack's data folder (npm start: .data); default: start one here")
    .option('--config <file>', 'config of a stack started here; default config/local.yaml')
    .option('--set <key=value>', 'a config setting for a stack started here (repeatable)', setting)
    .option('--out <file>', 'where the results go; default bench/results.json')
    .option(
      '--only <phases>',
      `phases to run, comma-separated (${PHASES.join(', ')}); default all but gameday`,
      phaseList,
    )
    .option('--concurrency <list>', 'throughput: concurrencies, comma-separated', countList)
    .option('--duration <s>', 'throughput: seconds per window', parseCount)
    .option('--rounds <n>', 'throughput: windows of ours and the no-op per concurrency', parseCount)
    .option('--rate <n>', 'latency phases: messages per second when throughput is not measured', parseNonNegative)
    .option('--latency-messages <n>', 'receipt latency: messages', parseCount)
    .option('--memory-target <n>', 'memory: waiting messages', parseCount)
    .option('--memory-budget <s>', 'memory: seconds to grow the pool, at most', parseCount)
    .option('--ingest-messages <n>', 'ingestion: messages per plain-signal level', parseCount)
    .option('--cold-start-samples <n>', 'cold start: samples', parseCount);
}

interface CliOptions {
  smoke?: boolean;
  stack?: string;
  config?: string;
  set?: Record<string, unknown>;
  out?: string;
  only?: Phase[];
  concurrency?: number[];
  duration?: number;
  rounds?: number;
  rate?: number;
  latencyMessages?: number;
  memoryTarget?: number;
  memoryBudget?: number;
  ingestMessages?: number;
  coldStartSamples?: number;
}

/** The options of a run from its flags (`argv` without node and the script): the sizes of --smoke or a full run. */
export function parseArgs(argv: string[]): BenchOptions {
  const c = benchCommand().exitOverride().parse(argv, { from: 'user' }).opts<CliOptions>();
  const sizes = c.smoke ? SMOKE : FULL;
  return {
    ...sizes,
    smoke: c.smoke ?? false,
    out: c.out ? path.resolve(c.out) : path.join(root, 'bench', 'results.json'),
    only: c.only ?? [...DEFAULT_PHASES],
    overrides: c.set ?? {},
    ...(c.stack !== undefined ? { stackDir: c.stack } : {}),
    ...(c.config !== undefined ? { configPath: c.config } : {}),
    concurrencies: c.concurrency ?? sizes.concurrencies,
    durationS: c.duration ?? sizes.durationS,
    rounds: c.rounds ?? sizes.rounds,
    ...(c.rate !== undefined ? { rate: c.rate } : {}),
    latencyMessages: c.latencyMessages ?? sizes.latencyMessages,
    memoryTarget: c.memoryTarget ?? sizes.memoryTarget,
    memoryBudgetS: c.memoryBudget ?? sizes.memoryBudgetS,
    ingestMessages: c.ingestMessages ?? sizes.ingestMessages,
    coldStartSamples: c.coldStartSamples ?? sizes.coldStartSamples,
  };
}
