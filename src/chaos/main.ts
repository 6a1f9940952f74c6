/**
 * `npm run chaos` (after `npm run build`: `node lib/src/chaos/main.js [options]`): one chaos run against a fresh
 * local stack; prints the table (or JSON) and exits 1 when a message was lost or stuck or a send followed a success
 * (with --strict, also when the duplicate-send or dead-letter invariants do not hold), 2 on a usage error.
 */
import { Command, Option } from 'commander';
import { parseCount, parseDuration as duration, parseNonNegativeInt, parseShare as share } from '../cli/options';
import { formatChaosResult } from './format';
import { DEFAULT_CHAOS_OPTIONS as D, type ChaosOptions } from './options';
import { runChaos } from './runner';
import { quietSdkNodeVersionWarning } from '../tools/sdk-node-warning';

quietSdkNodeVersionWarning();

const pct = (n: number) => String(n);

interface CliOptions {
  messages: number;
  seed?: number;
  json?: boolean;
  strict?: boolean;
  data?: string;
  keep?: boolean;
  config?: string;
  stepWait: number;
  ambiguousWait: number;
  deadline: number;
  lateDelay?: number;
  drainTimeout?: number;
  stackTimeout: number;
  recoveryTimeout: number;
  concurrency: number;
  rate: number;
  maxInFlight: number;
  workerKills: number;
  ingesterKills: number;
  temporalRestarts: number;
  temporalSignal: NodeJS.Signals;
  temporalFreeze: number;
  ambiguous: number;
  duplicate: number;
  reorder: number;
  late: number;
  drop: number;
  poison: number;
  quiet?: boolean;
}

/** Size, output, data folder, config and the timings of the run. */
function runOptions(cmd: Command): Command {
  return cmd
    .option('-n, --messages <n>', 'messages to send', parseCount, D.messages)
    .option(
      '--seed <n>',
      'seed of the DLR chaos, destinations and poison (default random, printed)',
      parseNonNegativeInt,
    )
    .option('--json', 'print the result as JSON')
    .option(
      '--strict',
      'also fail when duplicate sends exceed the ambiguous answers or the DLQ differs from the poison',
    )
    .option('--data <dir>', 'data folder for the stack (kept); default a temporary folder, removed afterwards')
    .option('--keep', 'keep the temporary data folder (logs, Temporal database)')
    .option('--config <file>', 'base config (routes, originators, DLR queues); default config/local.yaml')
    .option('--step-wait <duration>', 'wait for a receipt per step', duration, D.stepWaitMs)
    .option('--ambiguous-wait <duration>', 'wait for a receipt after an ambiguous send', duration, D.ambiguousWaitMs)
    .option('--deadline <duration>', 'per-message deadline', duration, D.deadlineMs)
    .option('--late-delay <duration>', 'how much later a late receipt comes (default step wait + 2s)', duration)
    .option(
      '--drain-timeout <duration>',
      'after the last start, how long to wait for every message (default deadline + 60s)',
      duration,
    )
    .option('--stack-timeout <duration>', 'local stack start-up timeout', duration, D.stackStartTimeoutMs)
    .option(
      '--recovery-timeout <duration>',
      'how long a killed process may take to come back',
      duration,
      D.recoveryTimeoutMs,
    )
    .option('--concurrency <n>', 'start calls in flight', parseCount, D.concurrency)
    .option('--rate <n>', 'starts per second (0: unpaced)', parseNonNegativeInt, D.rate)
    .option(
      '--max-in-flight <n>',
      'backpressure: no new start while this many messages are in progress (0: none)',
      parseNonNegativeInt,
      D.maxInFlight,
    );
}

/** The disruptions, the faults and the DLR chaos. */
function damageOptions(cmd: Command): Command {
  return cmd
    .option('--worker-kills <n>', 'worker SIGKILLs', parseNonNegativeInt, D.workerKills)
    .option('--ingester-kills <n>', 'ingester SIGKILLs', parseNonNegativeInt, D.ingesterKills)
    .option(
      '--temporal-restarts <n>',
      'Temporal dev server stops (the launcher restarts it)',
      parseNonNegativeInt,
      D.temporalRestarts,
    )
    .addOption(
      new Option('--temporal-signal <signal>', 'how the dev server is stopped')
        .choices(['SIGTERM', 'SIGKILL'])
        .default(D.temporalSignal),
    )
    .option(
      '--temporal-freeze <duration>',
      'first hang the dev server (SIGSTOP) this long',
      duration,
      D.temporalFreezeMs,
    )
    .option('--ambiguous <p>', 'share of sends answered ambiguously', share, D.ambiguous)
    .option('--duplicate <p>', 'share of messages whose final receipt is published twice', share, D.duplicate)
    .option('--reorder <p>', 'share whose final receipt comes before the intermediate ones', share, D.reorder)
    .option('--late <p>', 'share whose final receipt comes after the workflow escalated', share, D.late)
    .option('--drop <p>', 'share whose final receipt never comes', share, D.drop)
    .option('--poison <p>', 'poison messages on the DLR queues, as a share of N', share, D.poison);
}

function toChaosOptions(c: CliOptions): Partial<ChaosOptions> {
  return {
    messages: c.messages,
    seed: c.seed,
    dataDir: c.data,
    keepData: c.keep,
    configPath: c.config,
    stepWaitMs: c.stepWait,
    ambiguousWaitMs: c.ambiguousWait,
    deadlineMs: c.deadline,
    lateDelayMs: c.lateDelay,
    drainTimeoutMs: c.drainTimeout,
    stackStartTimeoutMs: c.stackTimeout,
    recoveryTimeoutMs: c.recoveryTimeout,
    concurrency: c.concurrency,
    rate: c.rate,
    maxInFlight: c.maxInFlight,
    workerKills: c.workerKills,
    ingesterKills: c.ingesterKills,
    temporalRestarts: c.temporalRestarts,
    temporalSignal: c.temporalSignal,
    temporalFreezeMs: c.temporalFreeze,
    ambiguous: c.ambiguous,
    duplicate: c.duplicate,
    reorder: c.reorder,
    late: c.late,
    drop: c.drop,
    poison: c.poison,
    log: c.quiet ? undefined : (line: string) => process.stderr.write(`${line}\n`),
  };
}

export function chaosCommand(): Command {
  const cmd = new Command('chaos').description(
    'Drive N messages through the full local stack while killing the worker, the ingester and the Temporal dev ' +
      'server, answering sends ambiguously, duplicating, reordering, delaying and dropping receipts and ' +
      'poisoning the DLR queues; report what was lost, stuck or sent twice.',
  );
  return damageOptions(runOptions(cmd))
    .option('-q, --quiet', 'no progress lines')
    .addHelpText(
      'after',
      `\nDefaults: ${pct(D.ambiguous)} ambiguous, ${pct(D.duplicate)} duplicate, ${pct(D.reorder)} reorder, ${pct(D.late)} late, ${pct(D.drop)} drop, ${pct(D.poison)} poison.`,
    )
    .action(async (c: CliOptions) => {
      const result = await runChaos(toChaosOptions(c));
      process.stdout.write(`${c.json ? JSON.stringify(result, null, 2) : formatChaosResult(result)}\n`);
      const strictOk = result.analysis.checks.every((k) => k.pass);
      process.exitCode = result.analysis.ok && (!c.strict || strictOk) ? 0 : 1;
    });
}

if (require.main === module) {
  chaosCommand()
    .exitOverride()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      const e = err as { code?: string; exitCode?: number; message?: string };
      if (e.code?.startsWith('commander.')) {
        process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
        return;
      }
      process.stderr.write(`chaos: ${e.message ?? String(err)}\n`);
      process.exitCode = 1;
    });
}
