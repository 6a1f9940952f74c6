/**
 * The game day (`npm run gameday`, issue 12): on a local stack of its own (src/stack/handle.ts; or one handed in,
 * as the benchmark does), with route health off and then on (./route-health-mode.ts), plays each scenario
 * (./scenarios.ts) as one phase (./phase.ts), measures it (./analyze.ts) against the targets (./targets.ts), and
 * writes the report (JSON) after every phase.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seededRandom } from '../simulator/chaos';
import { connectToStack, type StackClients } from '../stack/clients';
import { startStack, type StackHandle } from '../stack/handle';
import { routeHealthSchema } from '../domain/route-health-config';
import type { Config } from '../domain/config';
import { findRepoRoot } from '../tools/temporal-cli';
import { readBreaker, waitUntilClosed } from './breaker-probe';
import type { PhaseFigures } from './analyze';
import { GAMEDAY_USE_CASE, primaryRung, resolveOptions, validateOptions, type GamedayOptions } from './options';
import { runPhase, type PhaseContext } from './phase';
import { modeOfConfig, switchRouteHealth } from './route-health-mode';
import { scenario as scenarioOf, type Mode, type PrimaryRung, type Scenario } from './scenarios';
import { invariantsHold, targetRows, type TargetRow } from './targets';

export interface GamedayReport {
  schema: 1;
  startedAt: string;
  finishedAt?: string;
  smoke: boolean;
  options: Omit<GamedayOptions, 'log'>;
  machine: Record<string, unknown>;
  /** The rung the faults strike, and the routeHealth section of each mode as the stack ran it. */
  setup: { useCase: string; primary?: PrimaryRung; routeHealth: Partial<Record<Mode, unknown>> };
  phases: PhaseFigures[];
  targets: TargetRow[];
  /** Every invariant held in every phase, and every phase ran (what the exit code says). */
  invariantsHold: boolean;
  timings: {
    stackStartMs?: number;
    switches: { mode: Mode; restarted: { child: string; ms: number }[] }[];
    totalMs?: number;
  };
  errors: { phase: string; error: string }[];
  /** Where the stack's data and logs are (when kept). */
  dataDir?: string;
}

export const defaultOut = () => path.join(findRepoRoot(__dirname), 'bench', 'gameday.json');

function machine(): Record<string, unknown> {
  let commit: string | undefined;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: findRepoRoot(__dirname),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    commit = undefined;
  }
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    commit,
  };
}

function newReport(o: GamedayOptions): GamedayReport {
  const { log: _log, out: _out, configPath: _config, dataDir: _data, ...rest } = o;
  // Where the report was written and the stack's folders are this machine's paths: kept out of the report, which is
  // committed (bench/gameday.json); only whether they were given stays.
  const options = { ...rest, ...(o.configPath ? { configPath: path.basename(o.configPath) } : {}) };
  return {
    schema: 1,
    startedAt: new Date().toISOString(),
    smoke: o.smoke,
    options,
    machine: machine(),
    setup: { useCase: GAMEDAY_USE_CASE, routeHealth: {} },
    phases: [],
    targets: [],
    invariantsHold: true,
    timings: { switches: [] },
    errors: [],
  };
}

function write(report: GamedayReport, out: string): void {
  report.targets = targetRows(report.phases);
  report.invariantsHold = invariantsHold(report.targets) && report.errors.length === 0;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
}

/** The cooldown of the scenario's breaker class in the config the stack runs. */
function cooldownOf(config: Config, s: Scenario): number {
  const rh = routeHealthSchema.parse(config.routeHealth ?? {});
  const cls = s.breakerClass === 'aws-health' ? 'send-error' : s.breakerClass;
  return rh.breakers[cls].cooldown;
}

/** Every scenario in one mode: the stack switched to it, clients on its config, one phase each. */
async function playMode(run: Run, mode: Mode): Promise<void> {
  const { o, stack, report, log } = run;
  const restarted = await switchRouteHealth(stack, mode, log);
  report.timings.switches.push({ mode, restarted });
  let clients: StackClients | undefined;
  try {
    clients = await connectToStack(stack.readInfo());
    report.setup.routeHealth[mode] = clients.config.routeHealth ?? { enabled: false };
    const primary = primaryRung(clients.config);
    report.setup.primary = primary;
    const ctx: PhaseContext = {
      o,
      stack,
      temporal: clients.temporal,
      client: clients.client,
      random: run.random,
      runId: run.runId,
      log,
    };
    const otp = clients.config.policies.otp;
    for (const name of o.scenarios) {
      const scenario = scenarioOf(name, primary);
      const cooldownMs = cooldownOf(clients.config, scenario);
      const read = () => readBreaker(clients!.temporal, stack.info.taskQueue, scenario.breakerKey);
      const before = await waitUntilClosed(read, cooldownMs * 2 + 30_000);
      if (before !== 'closed' && before !== 'n/a')
        log(`[gameday] ${scenario.breakerKey} still ${before} before ${name}`);
      const plan = {
        scenario,
        mode,
        cooldownMs,
        recoveryMs: o.recoveryMs ?? cooldownMs + 30_000,
        drainTimeoutMs: o.drainTimeoutMs ?? otp.stepWait + 90_000,
      };
      log(`[gameday] ${scenario.title}, route health ${mode}`);
      try {
        report.phases.push(await runPhase(ctx, plan));
      } catch (err) {
        report.errors.push({ phase: `${name} (${mode})`, error: (err as Error).stack ?? String(err) });
        log(`[gameday] ${name} (${mode}) failed: ${(err as Error).message}`);
      }
      write(report, run.out);
    }
  } finally {
    await clients?.close();
  }
}

interface Run {
  o: GamedayOptions;
  stack: StackHandle;
  report: GamedayReport;
  out: string;
  runId: string;
  random: () => number;
  log: (line: string) => void;
}

/**
 * Plays the game day. With `given`, on that stack (left running; its route-health setting restored at the end);
 * otherwise on a stack started here and stopped at the end.
 */
export async function runGameday(partial: Partial<GamedayOptions> = {}, given?: StackHandle): Promise<GamedayReport> {
  const o = resolveOptions(partial);
  validateOptions(o);
  const started = Date.now();
  const out = o.out ?? defaultOut();
  const log = o.log ?? (() => {});
  const report = newReport(o);
  const dataDir = given?.dataDir ?? path.resolve(o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-gameday-')));
  const removeData = !given && o.dataDir === undefined && !o.keepData;
  let stack = given;
  let restore: Mode | undefined;
  try {
    if (!stack) {
      const configPath = o.configPath ?? path.join(findRepoRoot(__dirname), 'config', 'local.yaml');
      log(`[gameday] starting the local stack (data: ${dataDir})`);
      stack = await startStack({ configPath, dataDir, startTimeoutMs: o.stackStartTimeoutMs, stopTimeoutMs: 30_000 });
      report.timings.stackStartMs = Date.now() - started;
    } else restore = modeOfConfig(stack.info.configPath);
    const run: Run = {
      o,
      stack,
      report,
      out,
      runId: randomUUID().slice(0, 8),
      random: seededRandom(started % 2 ** 31),
      log,
    };
    for (const mode of o.modes) await playMode(run, mode);
    if (restore) await switchRouteHealth(stack, restore, log);
  } finally {
    if (stack && !given) await stack.stop();
    if (removeData) fs.rmSync(dataDir, { recursive: true, force: true });
  }
  report.finishedAt = new Date().toISOString();
  report.timings.totalMs = Date.now() - started;
  if (!removeData && !given) report.dataDir = dataDir;
  write(report, out);
  return report;
}
