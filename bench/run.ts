/**
 * `npm run bench`: measures the whole path on the local stack and checks it against the targets of the
 * performance issue. Starts the stack (temporary data folder, free ports, headless) or uses a running one
 * (`--stack <data dir>`), prints a table and writes every figure, with the configuration that produced it, to
 * bench/results.json. Every target is a ratio or a percentile measured in the same run on the same server.
 *
 *   npm run bench                          # full run (the memory phase alone takes up to --memory-budget)
 *   npm run bench -- --stack .data         # against `npm start`'s running stack
 *   npm run bench -- --only throughput,history
 *   npm run bench -- --only gameday        # the route-health game day (not in the default run: ~20 min)
 *   npm run bench -- --only pacing         # 2,000 notices + OTPs through low-MPS originators (not in the default run)
 *   npm run bench:smoke                    # tiny counts: proves it runs (test/bench/smoke.test.ts)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CommanderError } from 'commander';
import { quietSdkNodeVersionWarning } from '../src/tools/sdk-node-warning';
import { resolveTemporalCli } from '../src/tools/temporal-cli';
import { describeWorkerTuning } from '../src/workers/worker-tuning';
import { measureColdStart } from './measure/cold-start';
import { measureGameday } from './measure/gameday';
import { measureHistory } from './measure/history';
import { measureIngestion } from './measure/ingestion';
import { measureFailover, measureReceiptLatency } from './measure/latency';
import { measureEvictedLatency, measureMemory } from './measure/memory';
import { measurePacing } from './measure/pacing';
import { measureThroughput } from './measure/throughput';
import { WaitingPool } from './measure/waiting-pool';
import { RUN_ID } from './lib/drive';
import { openStack, root, type BenchStack } from './lib/stack';
import { parseArgs, type BenchOptions, type Phase } from './options';
import { table, verdicts, type MeasuredResults, type Verdict } from './verdicts';

quietSdkNodeVersionWarning();

export { parseArgs, PHASES, type BenchOptions } from './options';
export { table, verdicts, type Verdict } from './verdicts';

export interface BenchResults {
  schema: 1;
  runId: string;
  startedAt: string;
  finishedAt?: string;
  smoke: boolean;
  machine: Record<string, unknown>;
  configuration: Record<string, unknown>;
  results: MeasuredResults;
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

/** A run in progress: its results (rewritten to `opts.out` after every phase) and how it runs a phase. */
interface Run {
  opts: BenchOptions;
  stack: BenchStack;
  results: BenchResults;
  log: (line: string) => void;
  /** A scratch folder (cold-start bundles), removed at the end. */
  scratch: string;
  write: () => void;
  /** Runs `fn` when the phase is selected; a failure is recorded, not thrown. */
  phase: <T>(name: Phase, fn: () => Promise<T>) => Promise<T | undefined>;
}

/** The results document, its machine figures read before the stack starts. */
function newResults(opts: BenchOptions): BenchResults {
  return {
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
}

function newRun(
  opts: BenchOptions,
  results: BenchResults,
  stack: BenchStack,
  scratch: string,
  log: (line: string) => void,
): Run {
  const write = () => {
    results.verdicts = verdicts(results.results);
    fs.mkdirSync(path.dirname(opts.out), { recursive: true });
    fs.writeFileSync(opts.out, `${JSON.stringify(results, null, 2)}\n`);
  };
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
  return { opts, stack, results, log, scratch, write, phase };
}

/** What the figures were measured on: the stack, the worker's tuning, the ingester's settings. */
function describeStack(stack: BenchStack): Record<string, unknown> {
  return {
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
}

/** Throughput, then receipt latency at half its peak and failover at a quarter, history size and cold start. */
async function measurePath(run: Run, useCase: string): Promise<void> {
  const { opts, stack, results, log, phase } = run;
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
  const quarter = Math.max(1, Math.round((peak / 4) * 10) / 10);
  results.results.failover = await phase('failover', () =>
    measureFailover(stack, { ratePerS: quarter, messages: opts.failoverMessages, useCase }, log),
  );
  const ladderUseCase = stack.config.policies['bench-ladder'] ? 'bench-ladder' : useCase;
  results.results.history = await phase('history', () =>
    measureHistory(stack, { useCase, ladderUseCase, timeoutMs: 120_000 }, log),
  );
  results.results.coldStart = await phase('cold-start', () =>
    measureColdStart(stack, { samples: opts.coldStartSamples, dir: run.scratch }, log),
  );
}

/** Memory at rest and ingestion, on one pool of waiting messages. */
async function measurePool(run: Run, pool: WaitingPool): Promise<void> {
  const { opts, stack, results, log, phase } = run;
  const memoryToo = opts.only.includes('memory');
  // Ingestion takes its messages from the pool too: the plain signals, then the steps of offered load.
  const needed = memoryToo ? opts.memoryTarget : opts.ingestMessages * 2 + (opts.smoke ? 20 : 6_000);
  const grow = { target: needed, budgetMs: opts.memoryBudgetS * 1000, backlog: 400, restSamples: opts.smoke ? 2 : 5 };
  const memory = await phase(memoryToo ? 'memory' : 'ingestion', async () => {
    const m = await measureMemory(pool, stack, grow, log);
    await pool.resolveRecords(pool.entries);
    return m;
  });
  if (memoryToo) {
    results.results.memory = memory;
    results.results.evictedLatency = await phase('memory', () =>
      measureEvictedLatency(pool, stack, { samples: opts.evictedSamples }, log),
    );
  }
  const steps = {
    messages: opts.ingestMessages,
    concurrencies: opts.ingestConcurrencies,
    shares: opts.smoke ? [0.5] : [0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 1],
    stepS: opts.smoke ? 2 : 8,
  };
  results.results.ingestion = await phase('ingestion', () => measureIngestion(pool, stack, steps, log));
}

/** A stack that outlives the run: terminate the messages the memory phase left waiting (72 h otherwise). */
async function terminateLeftWaiting(run: Run): Promise<void> {
  await run.stack.temporal.workflowService
    .startBatchOperation({
      namespace: run.stack.info.namespace,
      jobId: `bench-${RUN_ID}-cleanup`,
      reason: 'npm run bench: messages left waiting by the memory phase',
      visibilityQuery: `WorkflowId STARTS_WITH "sms:bench-${RUN_ID}-" AND ExecutionStatus = "Running"`,
      terminationOperation: {},
    })
    .then(
      () => run.log('terminating the messages the run left waiting (batch operation)'),
      (err: unknown) => run.log(`could not terminate the messages left waiting: ${(err as Error).message}`),
    );
}

/**
 * The memory and ingestion phases park messages that get no receipt until the bench sends one: to route health
 * (`routeHealth.overdueAfter`) they look like silent filtering, which would open the originator and wake them onto the
 * next rung. Those runs push the overdue threshold out of reach; the game day, which measures that detector, keeps it.
 */
export function parkingOverrides(opts: Pick<BenchOptions, 'only'>): Record<string, unknown> {
  const parks = opts.only.includes('memory') || opts.only.includes('ingestion');
  return parks && !opts.only.includes('gameday') ? { 'routeHealth.overdueAfter': '24h' } : {};
}

export async function runBench(
  opts: BenchOptions,
  log: (line: string) => void = (l) => console.log(l),
): Promise<BenchResults> {
  if (opts.stackDir && Object.keys(opts.overrides).length > 0)
    throw new Error('--set applies to a stack started here, not to --stack');
  const results = newResults(opts);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-bench-scratch-'));
  const stack = await openStack({
    stackDir: opts.stackDir,
    configPath: opts.configPath,
    overrides: opts.stackDir ? opts.overrides : { ...parkingOverrides(opts), ...opts.overrides },
    log,
  });
  const run = newRun(opts, results, stack, scratch, log);
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
  let pool: WaitingPool | undefined;
  try {
    run.results.configuration = { ...run.results.configuration, ...describeStack(stack) };
    await stack.startNoopWorker();
    const useCase = stack.config.policies.alert ? 'alert' : Object.keys(stack.config.policies)[0];
    await measurePath(run, useCase);
    // Before the memory phase fills the server with waiting messages: the game day wants a quiet stack.
    run.results.results.gameday = await run.phase('gameday', () =>
      measureGameday(stack, { smoke: opts.smoke, out: opts.out }, log),
    );
    run.results.results.pacing = await run.phase('pacing', () =>
      measurePacing(
        stack,
        { notices: opts.smoke ? 40 : 2_000, otpEveryMs: 1_000, timeoutMs: opts.smoke ? 60_000 : 1_200_000 },
        log,
      ),
    );
    if (opts.only.includes('memory') || opts.only.includes('ingestion')) {
      pool = new WaitingPool(stack, stack.config.policies.notice ? 'notice' : useCase);
      await measurePool(run, pool);
    }
  } finally {
    pool?.close();
    if (pool && !stack.startedHere) await terminateLeftWaiting(run);
    run.results.finishedAt = new Date().toISOString();
    run.write();
    await stack.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return run.results;
}

function exitWith(r: BenchResults, out: string): never {
  console.log(`\n${table(r.verdicts)}\n`);
  for (const v of r.verdicts) if (v.detail) console.log(`${v.id} ${v.name}: ${v.detail}`);
  for (const e of r.errors) console.log(`error in ${e.phase}: ${e.error.split('\n')[0]}`);
  console.log(`results: ${path.relative(process.cwd(), out)}`);
  process.exit(r.errors.length > 0 ? 1 : 0);
}

if (require.main === module) {
  let opts: BenchOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    // commander has printed the error (or the help) already
    if (err instanceof CommanderError) process.exit(err.code === 'commander.helpDisplayed' ? 0 : 2);
    console.error(`bench: ${(err as Error).message}`);
    process.exit(2);
  }
  runBench(opts).then(
    (r) => exitWith(r, opts.out),
    (err: unknown) => {
      console.error(`bench: ${(err as Error).stack ?? String(err)}`);
      process.exit(1);
    },
  );
}
