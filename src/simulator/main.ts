/**
 * The carrier simulator as a process: config → port → server, one JSON line per event on stdout, a graceful stop
 * on SIGINT / SIGTERM. Started by `resilient-sms simulator [--port N] [--host H] [--delivery-delay 200ms]
 * [--sns-endpoint URL]` (its one definition: src/cli/processes.ts).
 */
import { parseDuration, parsePortOrZero } from '../cli/options';
import { configPathFrom, loadConfig } from '../config/load';
import type { Config } from '../domain/config';
import { DEFAULT_DELIVERY_DELAY_MS, startSimulator, type Simulator, type SimulatorLog } from './server';

/** Port when neither `--port` nor the config's route endpoints say otherwise. */
export const DEFAULT_SIMULATOR_PORT = 4599;

export interface RunSimulatorOptions {
  /** Config file; default `$RESILIENT_SMS_CONFIG`. */
  configPath?: string;
  /** Default: the port of the config's route endpoints (when they agree), else 4599. */
  port?: number | string;
  host?: string;
  /** Milliseconds or a duration string (`200ms`, `2s`). Default 200 ms. */
  deliveryDelayMs?: number | string;
  snsEndpoint?: string;
  /** Default: JSON lines on stdout. */
  log?: SimulatorLog;
  /** Stop on SIGINT / SIGTERM. Default true. */
  handleSignals?: boolean;
}

export interface RunningSimulator extends Simulator {
  /** Resolves once the simulator has stopped (after a signal or `stop()`). */
  stopped: Promise<void>;
}

/** The port every route endpoint of the config uses, if they all agree on one. */
export function portFromConfig(config: Config): number | undefined {
  const ports = new Set<number>();
  for (const route of config.routes) {
    if (!route.endpoint) continue;
    const u = new URL(route.endpoint);
    ports.add(Number(u.port || (u.protocol === 'https:' ? 443 : 80)));
  }
  return ports.size === 1 ? [...ports][0] : undefined;
}

function deliveryDelayFrom(value: number | string | undefined): number {
  if (value === undefined) return DEFAULT_DELIVERY_DELAY_MS;
  try {
    return parseDuration(String(value));
  } catch (err) {
    throw new Error(`delivery delay: ${(err as Error).message}`);
  }
}

const jsonLines: SimulatorLog = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

export async function runSimulator(opts: RunSimulatorOptions = {}): Promise<RunningSimulator> {
  const config = loadConfig(configPathFrom(opts.configPath));
  const port =
    opts.port !== undefined ? parsePortOrZero(opts.port) : (portFromConfig(config) ?? DEFAULT_SIMULATOR_PORT);
  const sim = await startSimulator({
    config,
    port,
    host: opts.host,
    deliveryDelayMs: deliveryDelayFrom(opts.deliveryDelayMs),
    snsEndpoint: opts.snsEndpoint,
    log: opts.log ?? jsonLines,
  });

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  const onSignal = (signal: NodeJS.Signals) => {
    (opts.log ?? jsonLines)({ time: new Date().toISOString(), level: 'info', component: 'simulator', msg: signal });
    void stop();
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      try {
        await sim.stop();
      } finally {
        resolveStopped();
      }
    })();
    return stopping;
  };
  if (opts.handleSignals ?? true) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  return { ...sim, stop, stopped };
}
