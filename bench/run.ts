/**
 * `npm run bench`: measures the whole path on the local stack and checks it against the targets of the
 * performance issue. Starts the stack (temporary data folder, free ports, headless) or uses a running one
 * (`--stack <data dir>`), prints a table and writes every figure, with the configuration that produced it, to
 * bench/results.json. Every target is a ratio or a percentile measured in the same run on the same server.
 *
 *   npm run bench                          # full run (the memory phase alone takes up to --memory-budget)
 *   npm run bench -- --stack .data         # against `npm start`'s running stack
 *   npm run bench -- --only throughput,history
 *   npm run bench:smoke                    # tiny counts: proves it runs (test/bench/smoke.test.ts)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveTemporalCli } from '../src/tools/temporal-cli';
import { describeWorkerTuning } from '../src/workers/worker-tuning';
import { measureColdStart, type ColdStartResult } from './measure/cold-start';
import { measureHistory, type HistoryResult } from './measure/history';
import {
  measureFailover,
  measureReceiptLatency,
  type FailoverResult,
  type ReceiptLatencyResult,
} from './measure/latency';
import {
  measureEvictedLatency,
  measureIngestion,
  WaitingPool,
  type EvictedLatencyResult,
  type IngestionResult,
  type MemoryResult,
} from './measure/memory';
import { measureThroughput, type ThroughputResult } from './measure/throughput';
import { RUN_ID } from './lib/drive';
import { openStack, root, type BenchStack } from './lib/stack';
import { formatSummary, type Summary } from './lib/stats';

export const PHASES = ['throughput', 'latency', 'failover', 'history', 'cold-start', 'memory', 'ingestion'] as const;
type Phase = (typeof PHASES)[number];

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

const FULL: Omit<BenchOptions, 'out' | 'only' | 'smoke' | 'overrides'> = {
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

const SMOKE: Omit<BenchOptions, 'out' | 'only' | 'smoke' | 'overrides'> = {
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

function list(v: string): number[] {
  return v.split(',').map((x) => {
    const n = Number(x);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`not a positive integer: "${x}"`);
    return n;
  });
}

export function parseArgs(argv: string[]): BenchOptions {
  const smoke = argv.includes('--smoke');
  const opts: BenchOptions = {
    ...(smoke ? SMOKE : FULL),
    smoke,
    out: path.join(root, 'bench', 'results.json'),
    only: [...PHASES],
    overrides: {},
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${a} needs a value`);
      return value;
    };
    switch (a) {
      case '--smoke':
        break;
      case '--stack':
        opts.stackDir = v();
        break;
      case '--config':
        opts.configPath = v();
        break;
      case '--set': {
        const m = /^([A-Za-z][\w.-]*)=(.*)$/.exec(v());
        if (!m) throw new Error('--set needs key.path=value, e.g. worker.maxCachedWorkflows=1000');
        let value: unknown = m[2];
        try {
          value = JSON.parse(m[2]);
        } catch {
          // a plain string
        }
        opts.overrides[m[1]] = value;
        break;
      }
      case '--out':
        opts.out = path.resolve(v());
        break;
      case '--only': {
        const phases = v().split(',');
        for (const p of phases)
          if (!(PHASES as readonly string[]).includes(p))
            throw new Error(`--only: unknown phase "${p}" (${PHASES.join(', ')})`);
        opts.only = phases as Phase[];
        break;
      }
      case '--concurrency':
        opts.concurrencies = list(v());
        break;
      case '--duration':
        opts.durationS = list(v())[0];
        break;
      case '--rounds':
        opts.rounds = list(v())[0];
        break;
      case '--rate':
        opts.rate = Number(v());
        break;
      case '--latency-messages':
        opts.latencyMessages = list(v())[0];
        break;
      case '--memory-target':
        opts.memoryTarget = list(v())[0];
        break;
      case '--memory-budget':
        opts.memoryBudgetS = list(v())[0];
        break;
      case '--ingest-messages':
        opts.ingestMessages = list(v())[0];
        break;
      case '--cold-start-samples':
        opts.coldStartSamples = list(v())[0];
        break;
      default:
        throw new Error(`unknown option ${a} (see bench/run.ts)`);
    }
  }
  return opts;
}

export interface Verdict {
  id: number;
  name: string;
  figure: string;
  /** More figures, printed under the table. */
  detail?: string;
  timings?: string;
  target: string;
  pass: boolean | null;
}

export interface BenchResults {
  schema: 1;
  runId: string;
  startedAt: string;
  finishedAt?: string;
  smoke: boolean;
  machine: Record<string, unknown>;
  configuration: Record<string, unknown>;
  results: {
    throughput?: ThroughputResult;
    receiptLatency?: ReceiptLatencyResult;
    failover?: FailoverResult;
    history?: HistoryResult;
    coldStart?: ColdStartResult;
    memory?: MemoryResult;
    evictedLatency?: EvictedLatencyResult;
    ingestion?: IngestionResult;
  };
  verdicts: Verdict[];
  errors: { phase: string; error: string }[];
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function machine(): Record<string, unknown> {
  const cli = resolveTemporalCli();
  let temporal: string | undefined;
  try {
    temporal = cli ? execFileSync(cli, ['--version'], { encoding: 'utf8' }).trim() : undefined;
  } catch {
    temporal = undefined;
  }
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryMb: Math.round(os.totalmem() / 2 ** 20),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    temporal,
    commit: git(['rev-parse', '--short', 'HEAD']),
    uncommittedChanges: (git(['status', '--porcelain']) ?? '').length > 0,
  };
}

const ms = (s?: Summary) => formatSummary(s, 'ms');

export function verdicts(r: BenchResults['results']): Verdict[] {
  const out: Verdict[] = [];
  if (r.throughput) {
    const t = r.throughput;
    out.push({
      id: 1,
      name: 'throughput',
      figure: `${t.peak.ours.ratePerS}/s @${t.peak.ours.concurrency} vs no-op ${t.peak.noop.ratePerS}/s @${t.peak.noop.concurrency} = ${t.ratio}×`,
      timings: `latency ${ms(t.peak.ours.latencyMs)}`,
      detail: `CPU ms per delivery ${JSON.stringify(t.peak.ours.cpu.perUnitMs)} vs per no-op ${JSON.stringify(t.peak.noop.cpu.perUnitMs)}; CPU-bound ratio ${t.cpuBound.all}×, ${t.cpuBound.withoutStandIns}× without the SQS/SNS emulator and the simulator`,
      target: '≥ 0.35 × no-op',
      pass: t.ratio >= 0.35,
    });
  }
  if (r.receiptLatency) {
    const l = r.receiptLatency;
    out.push({
      id: 2,
      name: 'receipt latency (final DLR)',
      figure: `${l.ratePerS} msg/s, ${l.delivered}/${l.messages} delivered; from publish start (upper bound) ${ms(l.finalSincePublishStartMs)}; intermediate events ${ms(l.intermediateMs)}`,
      timings: ms(l.finalMs),
      target: 'p50 ≤ 50 ms, p99 ≤ 250 ms',
      pass: l.finalMs ? l.finalMs.median <= 50 && l.finalMs.p99 <= 250 : false,
    });
  }
  if (r.failover) {
    const f = r.failover;
    out.push({
      id: 3,
      name: 'failover reaction',
      figure: `${f.ratePerS} msg/s, ${f.failedOver}/${f.messages}; from publish start ${ms(f.reactionSincePublishStartMs)}; DLR→signal ${ms(f.breakdown.dlrToSignalMs)}, signal→next send scheduled ${ms(f.breakdown.signalToScheduledMs)}, scheduled→at simulator ${ms(f.breakdown.scheduledToSendMs)}`,
      timings: ms(f.reactionMs),
      target: 'p99 ≤ 500 ms',
      pass: f.reactionMs ? f.reactionMs.p99 <= 500 : false,
    });
  }
  if (r.memory) {
    const m = r.memory;
    const rss = m.extrapolatedRssMb ?? m.rssMb;
    out.push({
      id: 4,
      name: 'memory at rest (worker RSS)',
      figure:
        `${m.rssMb} MB with ${m.waiting} waiting (cache ${m.maxCachedWorkflows}, ${m.startRatePerS}/s to fill, baseline ${m.baselineRssMb} MB)` +
        (m.extrapolatedRssMb !== undefined
          ? `; ${m.target} not reached in ${m.budgetS}s: extrapolated ${m.extrapolatedRssMb} MB at ${m.slopeMbPer1000} MB/1000`
          : ''),
      timings: `RSS at rest ${formatSummary(m.rssAtRestMb, 'MB')}`,
      target: `≤ 600 MB at ${m.target}`,
      pass: rss !== undefined ? rss <= 600 : false,
    });
  }
  if (r.evictedLatency) {
    const e = r.evictedLatency;
    out.push({
      id: 4,
      name: 'DLR latency, not cached',
      figure: `published→handled; ${e.cacheMisses} cache misses; cached for comparison ${ms(e.cachedMs)}`,
      timings: ms(e.evictedMs),
      target: 'p99 ≤ 150 ms',
      pass: e.evictedMs ? e.evictedMs.p99 <= 150 : false,
    });
  }
  if (r.coldStart) {
    const c = r.coldStart;
    out.push({
      id: 5,
      name: 'cold start (start → first poll)',
      figure: `bundling at start ${ms(c.bundleAtStartMs)}`,
      timings: `prebuilt ${ms(c.prebuiltMs)}`,
      target: 'prebuilt p99 ≤ 2 s',
      pass: c.prebuiltMs ? c.prebuiltMs.p99 <= 2000 : false,
    });
  }
  if (r.history) {
    const h = r.history;
    out.push({
      id: 6,
      name: 'history size, happy path',
      figure: `${h.happy.events} events, ${h.happy.payloadBytes} B payloads (${h.happy.historyBytes} B history), ${h.happy.workflowTasks} workflow tasks`,
      target: '≤ 20 events, ≤ 8 KB',
      pass: h.happy.events <= 20 && h.happy.payloadBytes <= 8192,
    });
    if (h.ladder) {
      out.push({
        id: 6,
        name: 'history size, whole ladder',
        figure: `${h.ladder.events} events, ${h.ladder.payloadBytes} B payloads (${h.ladder.historyBytes} B history), ${h.ladder.attempts} attempts (${h.ladder.channels.join(', ')}) ${h.ladder.status}`,
        target: '(reported)',
        pass: null,
      });
    }
  }
  if (r.ingestion) {
    const i = r.ingestion;
    out.push({
      id: 7,
      name: 'ingestion',
      figure:
        `${i.ingesterPerS}/s sustained through SNS/SQS and the ingester vs ${i.plainPerS}/s plain signals = ${i.ratio}×; steps: ` +
        i.steps
          .map((s) => `${s.offeredPerS}/s ${s.kept ? 'kept up' : `fell behind (queue ${s.maxBacklog})`}`)
          .join(', ') +
        `; the SQS/SNS emulator alone sustains ${i.emulator.sustainedPerS}/s` +
        (i.cpuBound
          ? `; CPU-bound ratio ${i.cpuBound.all}×, ${i.cpuBound.withoutStandIns}× without the SQS/SNS emulator and the publisher`
          : ''),
      target: '≥ 0.8 × plain',
      pass: i.ratio >= 0.8,
    });
  }
  return out;
}

export function table(vs: Verdict[]): string {
  const rows = vs.map((v) => [
    String(v.id),
    v.name,
    v.timings ?? '',
    v.target,
    v.pass === null ? '—' : v.pass ? 'PASS' : 'MISS',
    v.figure,
  ]);
  const head = ['#', 'measurement', 'min / median / p99', 'target', 'verdict', 'figures'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (c === 5 ? 0 : r[c].length))));
  const line = (r: string[]) => r.map((cell, c) => (c === 5 ? cell : cell.padEnd(widths[c]))).join('  ');
  return [line(head), line(widths.map((w, c) => '-'.repeat(c === 5 ? 7 : w))), ...rows.map(line)].join('\n');
}

export async function runBench(
  opts: BenchOptions,
  log: (line: string) => void = (l) => console.log(l),
): Promise<BenchResults> {
  const results: BenchResults = {
    schema: 1,
    runId: RUN_ID,
    startedAt: new Date().toISOString(),
    smoke: opts.smoke,
    machine: machine(),
    configuration: { options: { ...opts } },
    results: {},
    verdicts: [],
    errors: [],
  };
  const write = () => {
    results.verdicts = verdicts(results.results);
    fs.mkdirSync(path.dirname(opts.out), { recursive: true });
    fs.writeFileSync(opts.out, `${JSON.stringify(results, null, 2)}\n`);
  };
  if (opts.stackDir && Object.keys(opts.overrides).length > 0)
    throw new Error('--set applies to a stack started here, not to --stack');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-bench-scratch-'));
  const stack: BenchStack = await openStack({
    stackDir: opts.stackDir,
    configPath: opts.configPath,
    overrides: opts.overrides,
    log,
  });
  // Ctrl-C: stop the stack started here before leaving.
  const onSignal = (sig: NodeJS.Signals) => {
    log(`\n${sig}: stopping`);
    void stack.stop().finally(() => {
      fs.rmSync(scratch, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const phase = async <T>(name: Phase, fn: () => Promise<T>): Promise<T | undefined> => {
    if (!opts.only.includes(name)) return undefined;
    log(`\n== ${name}`);
    const started = Date.now();
    try {
      return await fn();
    } catch (err) {
      results.errors.push({ phase: name, error: (err as Error).stack ?? String(err) });
      log(`  ${name} failed: ${(err as Error).message}`);
      return undefined;
    } finally {
      log(`  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
      write();
    }
  };
  let pool: WaitingPool | undefined;
  try {
    results.configuration = {
      ...results.configuration,
      stack: {
        startedHere: stack.startedHere,
        configPath: stack.startedHere ? stack.sourceConfig : stack.info.configPath,
        temporal: stack.info.temporalAddress,
        encryption: stack.config.security.encryption !== undefined,
        simulatorDeliveryDelayMs: 200,
      },
      worker: describeWorkerTuning(stack.config),
      ingester: { concurrency: 10, receiversPerQueue: 1, intermediateEvents: 'final-only', ...stack.config.ingester },
    };
    await stack.startNoopWorker();
    const useCase = stack.config.policies.alert ? 'alert' : Object.keys(stack.config.policies)[0];
    results.results.throughput = await phase('throughput', () =>
      measureThroughput(
        stack,
        {
          concurrencies: opts.concurrencies,
          rounds: opts.rounds,
          durationMs: opts.durationS * 1000,
          warmupMs: opts.warmupS * 1000,
          useCase,
        },
        log,
      ),
    );
    const peak = results.results.throughput?.peak.ours.ratePerS ?? opts.rate ?? 10;
    const half = Math.max(1, Math.round((peak / 2) * 10) / 10);
    results.results.receiptLatency = await phase('latency', () =>
      measureReceiptLatency(stack, { ratePerS: half, messages: opts.latencyMessages, useCase }, log),
    );
    // A failover costs about two deliveries: at a quarter of the peak the server is as busy as at half.
    results.results.failover = await phase('failover', () =>
      measureFailover(
        stack,
        { ratePerS: Math.max(1, Math.round((peak / 4) * 10) / 10), messages: opts.failoverMessages, useCase },
        log,
      ),
    );
    results.results.history = await phase('history', () =>
      measureHistory(
        stack,
        {
          useCase,
          ladderUseCase: stack.config.policies['bench-ladder'] ? 'bench-ladder' : useCase,
          timeoutMs: 120_000,
        },
        log,
      ),
    );
    results.results.coldStart = await phase('cold-start', () =>
      measureColdStart(stack, { samples: opts.coldStartSamples, dir: scratch }, log),
    );
    const noticeUseCase = stack.config.policies.notice ? 'notice' : useCase;
    if (opts.only.includes('memory') || opts.only.includes('ingestion')) {
      pool = new WaitingPool(stack, noticeUseCase);
      // Ingestion takes its messages from the pool too: the plain signals, then the steps of offered load.
      const needed = opts.only.includes('memory')
        ? opts.memoryTarget
        : opts.ingestMessages * 2 + (opts.smoke ? 20 : 6_000);
      const memory = await phase(opts.only.includes('memory') ? 'memory' : 'ingestion', async () => {
        const m = await pool!.grow(
          { target: needed, budgetMs: opts.memoryBudgetS * 1000, backlog: 400, restSamples: opts.smoke ? 2 : 5 },
          log,
        );
        await pool!.resolveRecords(pool!.entries);
        return m;
      });
      if (opts.only.includes('memory')) {
        results.results.memory = memory;
        results.results.evictedLatency = await phase('memory', () =>
          measureEvictedLatency(pool!, stack, { samples: opts.evictedSamples }, log),
        );
      }
      results.results.ingestion = await phase('ingestion', () =>
        measureIngestion(
          pool!,
          stack,
          {
            messages: opts.ingestMessages,
            concurrencies: opts.ingestConcurrencies,
            shares: opts.smoke ? [0.5] : [0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 1],
            stepS: opts.smoke ? 2 : 8,
          },
          log,
        ),
      );
    }
  } finally {
    pool?.close();
    if (pool && !stack.startedHere) {
      // A stack that outlives the run: terminate the messages the memory phase left waiting (72 h otherwise).
      await stack.temporal.workflowService
        .startBatchOperation({
          namespace: stack.info.namespace,
          jobId: `bench-${RUN_ID}-cleanup`,
          reason: 'npm run bench: messages left waiting by the memory phase',
          visibilityQuery: `WorkflowId STARTS_WITH "sms:bench-${RUN_ID}-" AND ExecutionStatus = "Running"`,
          terminationOperation: {},
        })
        .then(
          () => log('terminating the messages the run left waiting (batch operation)'),
          (err: unknown) => log(`could not terminate the messages left waiting: ${(err as Error).message}`),
        );
    }
    results.finishedAt = new Date().toISOString();
    write();
    await stack.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return results;
}

if (require.main === module) {
  let opts: BenchOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`bench: ${(err as Error).message}`);
    process.exit(2);
  }
  runBench(opts).then(
    (r) => {
      console.log(`\n${table(r.verdicts)}\n`);
      for (const v of r.verdicts) if (v.detail) console.log(`${v.id} ${v.name}: ${v.detail}`);
      for (const e of r.errors) console.log(`error in ${e.phase}: ${e.error.split('\n')[0]}`);
      console.log(`results: ${path.relative(process.cwd(), opts.out)}`);
      process.exit(r.errors.length > 0 ? 1 : 0);
    },
    (err: unknown) => {
      console.error(`bench: ${(err as Error).stack ?? String(err)}`);
      process.exit(1);
    },
  );
}
