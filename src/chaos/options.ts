/** What a chaos run does (its knobs and their defaults) and the config it runs the stack with. */
import { parse as parseYaml } from 'yaml';
import { parseConfigText } from '../config/load';

export const CHAOS_USE_CASE = 'chaos';

export interface ChaosOptions {
  /** Messages to send. Default 500. */
  messages: number;
  /** Seeds the DLR chaos, the destinations and the poison. Default: random (printed). */
  seed?: number;
  /** Data folder of the stack (Temporal database, logs, stack.json); kept. Default: a temporary one, removed. */
  dataDir?: string;
  /** Keep the temporary data folder. */
  keepData?: boolean;
  /** Base config (routes, originators, DLR queues); a `chaos` policy is added. Default config/local.yaml. */
  configPath?: string;
  stepWaitMs: number;
  ambiguousWaitMs: number;
  /** Per-message deadline (policy). */
  deadlineMs: number;
  /** How much later than usual a `late` receipt is published. Default stepWait + 2 s: after the escalation. */
  lateDelayMs?: number;
  /** Start calls in flight at once. */
  concurrency: number;
  /** Starts per second (0: as fast as the concurrency allows). */
  rate: number;
  /** Backpressure: no new start while this many messages are in progress (0: none). */
  maxInFlight: number;
  workerKills: number;
  ingesterKills: number;
  temporalRestarts: number;
  /** How the dev server is stopped. Default SIGTERM. */
  temporalSignal: NodeJS.Signals;
  /** Before it is stopped, the dev server hangs (SIGSTOP) this long: calls neither fail nor answer. Default 0. */
  temporalFreezeMs: number;
  ambiguous: number;
  duplicate: number;
  reorder: number;
  late: number;
  drop: number;
  /** Fraction of N put on the DLR queues as poison (at least one when > 0). */
  poison: number;
  /** After the last start, how long messages may take to finish. Default deadline + 60 s. */
  drainTimeoutMs?: number;
  /** Local stack start-up. Default 180 s. */
  stackStartTimeoutMs: number;
  /** How long one disruption may take to recover (the launcher restarting the process). Default 120 s. */
  recoveryTimeoutMs: number;
  /** Progress lines. Default: none. */
  log?: (line: string) => void;
}

export const DEFAULT_CHAOS_OPTIONS: ChaosOptions = {
  messages: 500,
  stepWaitMs: 3_000,
  ambiguousWaitMs: 2_000,
  deadlineMs: 180_000,
  concurrency: 16,
  rate: 8,
  maxInFlight: 40,
  workerKills: 2,
  ingesterKills: 1,
  temporalRestarts: 1,
  temporalSignal: 'SIGTERM',
  temporalFreezeMs: 0,
  ambiguous: 0.1,
  duplicate: 0.05,
  reorder: 0.05,
  late: 0.02,
  drop: 0.02,
  poison: 0.01,
  stackStartTimeoutMs: 180_000,
  recoveryTimeoutMs: 120_000,
};

/** The base config with a `chaos` policy: short waits, US only, SMS only. Raw YAML/JSON in, JSON text out. */
export function chaosConfigText(baseText: string, source: string, o: ChaosOptions): string {
  const raw = parseYaml(baseText) as Record<string, unknown>;
  const policies = { ...((raw.policies as Record<string, unknown>) ?? {}) };
  policies[CHAOS_USE_CASE] = {
    success: 'dlr',
    stepWait: o.stepWaitMs,
    ambiguousWait: o.ambiguousWaitMs,
    deadline: o.deadlineMs,
    ttl: '10m',
    allowedCountries: ['US'],
    channels: ['sms'],
    messageFeedback: false,
    throttleBackoff: 200,
    unreachableBackoff: 200,
  };
  // Every event signalled (and so published by the simulator): the chaos reorders final and intermediate receipts,
  // which only matters when both reach the workflow.
  const ingester = { ...((raw.ingester as Record<string, unknown>) ?? {}), intermediateEvents: 'signal' };
  const text = JSON.stringify({ ...raw, ingester, policies }, null, 2);
  parseConfigText(text, `${source} + chaos policy`); // fails fast, naming the field
  return text;
}
