/** What a game day does (its knobs, the full and smoke sizes) and the primary rung it strikes, read from the config. */
import type { Config } from '../domain/config';
import type { Mode, PrimaryRung, ScenarioName } from './scenarios';

/** The use case the game day sends: one-time passwords, as config/local.yaml ships them. */
export const GAMEDAY_USE_CASE = 'otp';
/** Destination country of every message (the plan's first rung is the first US originator). */
export const GAMEDAY_COUNTRY = 'US';

export interface GamedayOptions {
  /** Messages started per second, steadily, through every phase. Default 5. */
  rate: number;
  scenarios: ScenarioName[];
  /** Played in this order, every scenario in each. Default off, then on. */
  modes: Mode[];
  /** Traffic before the fault starts. */
  baselineMs: number;
  /** How long the fault lasts. Default 60 s. */
  faultMs: number;
  /** Traffic after the fault ends; default the breaker's cooldown + 30 s (time to see it close and traffic return). */
  recoveryMs?: number;
  /** After the last start of a phase, how long its messages may take to end. Default the otp step wait + 90 s. */
  drainTimeoutMs?: number;
  /** How often the breaker is read. */
  probeEveryMs: number;
  /** Smoke run: seconds long, checks that everything runs (no figure means anything). */
  smoke: boolean;
  /** Where the report goes (JSON). Default bench/gameday.json. */
  out?: string;
  /** Base config of the stack it starts. Default config/local.yaml. */
  configPath?: string;
  /** Data folder of the stack (kept). Default a temporary one, removed. */
  dataDir?: string;
  keepData?: boolean;
  /** Local stack start-up. */
  stackStartTimeoutMs: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

export const DEFAULT_GAMEDAY_OPTIONS: GamedayOptions = {
  rate: 5,
  scenarios: ['region-outage', 'silent-filtering', 'spend-limit'],
  modes: ['off', 'on'],
  baselineMs: 10_000,
  faultMs: 60_000,
  probeEveryMs: 250,
  smoke: false,
  stackStartTimeoutMs: 180_000,
};

/**
 * The smoke run (`--smoke`, and `npm test`): one scenario whose failover is immediate (the spend limit: no wait for
 * a receipt), a few seconds of fault at 2 messages/s, both modes. Options given explicitly still win.
 */
export const SMOKE_GAMEDAY_OPTIONS: Partial<GamedayOptions> = {
  rate: 2,
  scenarios: ['spend-limit'],
  baselineMs: 2_000,
  faultMs: 4_000,
  recoveryMs: 4_000,
  drainTimeoutMs: 90_000,
  smoke: true,
};

/** Checks the options a caller can get wrong; throws naming the field. */
export function validateOptions(o: GamedayOptions): void {
  const positive = (v: number, name: string) => {
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${name}: must be a number > 0, got ${v}`);
  };
  positive(o.rate, 'rate');
  positive(o.faultMs, 'faultMs');
  positive(o.probeEveryMs, 'probeEveryMs');
  if (!Number.isFinite(o.baselineMs) || o.baselineMs < 0)
    throw new Error(`baselineMs: must be ≥ 0, got ${o.baselineMs}`);
  if (o.recoveryMs !== undefined) positive(o.recoveryMs, 'recoveryMs');
  if (o.drainTimeoutMs !== undefined) positive(o.drainTimeoutMs, 'drainTimeoutMs');
  if (o.scenarios.length === 0) throw new Error('scenarios: at least one');
  if (o.modes.length === 0) throw new Error('modes: at least one');
}

/** The first US rung of the config (its first US originator and that originator's route), which the faults strike. */
export function primaryRung(config: Config): PrimaryRung {
  const first = config.originators[GAMEDAY_COUNTRY]?.[0];
  if (!first) throw new Error(`the config has no ${GAMEDAY_COUNTRY} originator: the game day sends to US numbers`);
  const route = config.routes.find((r) => r.id === first.route);
  if (!route) throw new Error(`originator ${first.identity} names route "${first.route}", which the config lacks`);
  if (!config.policies[GAMEDAY_USE_CASE]) {
    throw new Error(`the config has no "${GAMEDAY_USE_CASE}" policy: the game day sends one-time passwords`);
  }
  return { account: route.account, region: route.region, originator: first.identity, country: GAMEDAY_COUNTRY };
}

/** The defaults (the smoke sizes with `smoke`), then every option the caller gave (undefined ones left out). */
export function resolveOptions(partial: Partial<GamedayOptions>): GamedayOptions {
  const base = partial.smoke ? { ...DEFAULT_GAMEDAY_OPTIONS, ...SMOKE_GAMEDAY_OPTIONS } : DEFAULT_GAMEDAY_OPTIONS;
  const given = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  return { ...base, ...given };
}
