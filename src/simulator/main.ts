/**
 * Process entry point of the carrier simulator:
 *   node lib/src/simulator/main.js --config FILE [--port N] [--host H] [--delivery-delay 200ms] [--sns-endpoint URL]
 * Logs one JSON line per event to stdout; stops gracefully on SIGINT / SIGTERM.
 */
import { Command, InvalidArgumentError } from 'commander';
import { configPathFrom, loadConfig } from '../config/load';
import type { Config } from '../domain/config';
import { durationSchema } from '../domain/duration';
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

export function parsePort(value: number | string): number {
  const port = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`port must be 0..65535, got "${value}"`);
  return port;
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

const jsonLines: SimulatorLog = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

export async function runSimulator(opts: RunSimulatorOptions = {}): Promise<RunningSimulator> {
  const config = loadConfig(configPathFrom(opts.configPath));
  const port = opts.port !== undefined ? parsePort(opts.port) : (portFromConfig(config) ?? DEFAULT_SIMULATOR_PORT);
  let deliveryDelayMs = DEFAULT_DELIVERY_DELAY_MS;
  if (opts.deliveryDelayMs !== undefined) {
    const parsed = durationSchema.safeParse(opts.deliveryDelayMs);
    if (!parsed.success) throw new Error(`delivery delay: ${parsed.error.issues[0]?.message ?? 'not a duration'}`);
    deliveryDelayMs = parsed.data;
  }
  const sim = await startSimulator({
    config,
    port,
    host: opts.host,
    deliveryDelayMs,
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

/** The `simulator` command, for this entry point and for the project CLI. */
export function simulatorCommand(name = 'simulator'): Command {
  return new Command(name)
    .description('Run the local AWS End User Messaging SMS simulator (carrier, faults, DLRs to SNS/SQS)')
    .option('-c, --config <file>', 'config file (default $RESILIENT_SMS_CONFIG)')
    .option(
      '-p, --port <port>',
      `port (default: the port of the config's route endpoints, else ${DEFAULT_SIMULATOR_PORT})`,
      (v) => {
        try {
          return parsePort(v);
        } catch (err) {
          throw new InvalidArgumentError((err as Error).message);
        }
      },
    )
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--delivery-delay <duration>', 'time from acceptance to the final DLR, e.g. 200ms, 2s', '200ms')
    .option('--sns-endpoint <url>', "SNS endpoint for DLR events (default: each dlrQueues entry's endpoint)")
    .action(
      async (o: { config?: string; port?: number; host: string; deliveryDelay: string; snsEndpoint?: string }) => {
        const sim = await runSimulator({
          configPath: o.config,
          port: o.port,
          host: o.host,
          deliveryDelayMs: o.deliveryDelay,
          snsEndpoint: o.snsEndpoint,
        });
        await sim.stopped;
      },
    );
}

if (require.main === module) {
  simulatorCommand('resilient-sms-simulator')
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      process.stderr.write(`simulator: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
