/**
 * `npm run gameday` (after `npm run build`: `node lib/src/gameday/main.js [options]`): the game day of issue 12 on a
 * fresh local stack; prints the figures and the targets (or the JSON report with --json), writes bench/gameday.json,
 * and exits 1 when an invariant broke (a message lost or stuck, a send after a success) or a phase failed to run,
 * 2 on a usage error. A missed timing target never fails the run.
 */
import { Command, InvalidArgumentError } from 'commander';
import path from 'node:path';
import { parseDuration, parseNonNegative } from '../cli/options';
import { quietSdkNodeVersionWarning } from '../tools/sdk-node-warning';
import { formatReport } from './format';
import { DEFAULT_GAMEDAY_OPTIONS as D, type GamedayOptions } from './options';
import { defaultOut, runGameday } from './runner';
import { runPumpingOnly } from './pumping-main';
import { MODES, parseModeList, parseScenarioList, SCENARIOS, type Mode, type ScenarioName } from './scenarios';

quietSdkNodeVersionWarning();

interface CliOptions {
  rate?: number;
  faultSeconds?: number;
  baselineSeconds?: number;
  recoverySeconds?: number;
  drainTimeout?: number;
  scenarios?: ScenarioName[];
  modes?: Mode[];
  smoke?: boolean;
  out?: string;
  config?: string;
  data?: string;
  keep?: boolean;
  stackTimeout?: number;
  json?: boolean;
  quiet?: boolean;
  only?: string;
}

/** commander's error for a bad list value (the parsers throw plain errors naming what is wrong). */
const asArgument =
  <T>(parse: (v: string) => T) =>
  (v: string): T => {
    try {
      return parse(v);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };

const positive = (v: string): number => {
  const n = parseNonNegative(v);
  if (n === 0) throw new InvalidArgumentError(`must be a number > 0, got "${v}"`);
  return n;
};

export function gamedayCommand(): Command {
  return new Command('gameday')
    .description(
      'Play the route-health game day on a fresh local stack: one-time passwords at a steady rate through a ' +
        'Region outage, silent filtering and a spend limit, each with route health off and then on; report the ' +
        'figures against the targets (bench/gameday.json).',
    )
    .option('--rate <n>', `messages started per second (default ${D.rate})`, positive)
    .option('--fault-seconds <s>', `how long each fault lasts (default ${D.faultMs / 1000})`, positive)
    .option('--baseline-seconds <s>', `traffic before each fault (default ${D.baselineMs / 1000})`, parseNonNegative)
    .option('--recovery-seconds <s>', 'traffic after each fault (default: the breaker cooldown + 30)', positive)
    .option(
      '--drain-timeout <duration>',
      "after a phase's last start, how long its messages may take (default otp step wait + 90s)",
      parseDuration,
    )
    .option(
      '--scenarios <list>',
      `comma-separated, played in this order (${SCENARIOS.join(', ')})`,
      asArgument(parseScenarioList),
    )
    .option(
      '--modes <list>',
      `route health per pass, in this order (${MODES.join(',')}; default off,on)`,
      asArgument(parseModeList),
    )
    .option('--smoke', 'a seconds-long run: the spend limit only, 4 s of fault at 2 msg/s, both modes')
    .option('--out <file>', 'where the JSON report goes (default bench/gameday.json)')
    .option('--config <file>', 'base config of the stack (default config/local.yaml)')
    .option('--data <dir>', 'data folder for the stack (kept); default a temporary folder, removed afterwards')
    .option('--keep', 'keep the temporary data folder (logs, Temporal database)')
    .option('--stack-timeout <duration>', 'local stack start-up timeout', parseDuration)
    .option(
      '--only <scenario>',
      'play only this scenario; `pumping`: the SMS pumping game day (bench/gameday-pumping.json)',
    )
    .option('--json', 'print the report as JSON')
    .option('-q, --quiet', 'no progress lines');
}

export function toGamedayOptions(c: CliOptions): Partial<GamedayOptions> {
  const ms = (s: number | undefined) => (s === undefined ? undefined : Math.round(s * 1000));
  return {
    rate: c.rate,
    faultMs: ms(c.faultSeconds),
    baselineMs: ms(c.baselineSeconds),
    recoveryMs: ms(c.recoverySeconds),
    drainTimeoutMs: c.drainTimeout,
    scenarios: c.scenarios,
    modes: c.modes,
    smoke: c.smoke,
    out: c.out !== undefined ? path.resolve(c.out) : undefined,
    configPath: c.config,
    dataDir: c.data,
    keepData: c.keep,
    stackStartTimeoutMs: c.stackTimeout,
    log: c.quiet ? undefined : (line: string) => process.stderr.write(`${line}\n`),
  };
}

/** The options of a run from its flags (`argv` without node and the script). */
export function parseGamedayArgs(argv: string[]): Partial<GamedayOptions> & { json: boolean; only?: string } {
  const c = gamedayCommand().exitOverride().parse(argv, { from: 'user' }).opts<CliOptions>();
  if (c.only !== undefined && c.only !== 'pumping' && !(SCENARIOS as readonly string[]).includes(c.only)) {
    throw new Error(`--only: unknown scenario "${c.only}" (choose from pumping, ${SCENARIOS.join(', ')})`);
  }
  const scenarios = c.only && c.only !== 'pumping' ? [c.only as ScenarioName] : c.scenarios;
  return { ...toGamedayOptions({ ...c, scenarios }), json: c.json ?? false, only: c.only };
}

if (require.main === module) {
  void (async () => {
    let opts: ReturnType<typeof parseGamedayArgs>;
    try {
      opts = parseGamedayArgs(process.argv.slice(2));
    } catch (err) {
      const e = err as { code?: string; message?: string };
      if (!e.code?.startsWith('commander.')) process.stderr.write(`gameday: ${e.message ?? String(err)}\n`);
      process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
      return;
    }
    try {
      const { json, only, ...options } = opts;
      if (only === 'pumping') {
        process.exitCode = await runPumpingOnly(options, json);
        return;
      }
      const report = await runGameday(options);
      process.stdout.write(`${json ? JSON.stringify(report, null, 2) : formatReport(report)}\n`);
      process.stdout.write(`report: ${path.relative(process.cwd(), options.out ?? defaultOut())}\n`);
      process.exitCode = report.invariantsHold ? 0 : 1;
    } catch (err) {
      process.stderr.write(`gameday: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  })();
}
