/**
 * The commands that run a long-lived process: `worker`, `ingest`, `api`, `codec-server`, `simulator`, `dev`.
 * Each loads its module only when run, so the message commands start fast.
 */
import { Command, Option } from 'commander';
import type { Environment } from '../config/environment';
import { loadConfig } from '../config/load';
import type { Config } from '../domain/config';
import { addressOverride, configPathOf, globalsOf } from './connect';
import { parsePort, parsePortOrZero, parseDuration } from './options';

/** parsePort with commander's second argument (the previous value) dropped. */
const portArg = (value: string): number => parsePort(value);

/** The processes that work for Temporal: they honour --address and --namespace. */
const TEMPORAL_PROCESSES = [
  {
    name: 'worker',
    description: 'run a worker (workflows and send activities)',
    load: async () => (await import('../workers/worker')).runWorker,
  },
  {
    name: 'ingest',
    description: 'run the DLR ingester (SQS -> workflow signals)',
    load: async () => (await import('../ingester/main')).runIngester,
  },
];

function addTemporalProcesses(program: Command, env: Environment): void {
  for (const { name, description, load } of TEMPORAL_PROCESSES) {
    program
      .command(name)
      .description(description)
      .option('--metrics-port <port>', 'Prometheus /metrics port (default $METRICS_PORT; none when unset)', portArg)
      .action(async (o: { metricsPort?: number }, cmd: Command) => {
        const g = globalsOf(cmd);
        const run = await load();
        await run(configPathOf(g, env), {
          metricsPort: o.metricsPort,
          address: addressOverride(g, env),
          namespace: g.namespace,
          environment: env,
        });
      });
  }
}

interface ListenOptions {
  host?: string;
  port?: number;
  logger: { level: string };
  /** Temporal, for the servers that call it (the API): --address / $TEMPORAL_ADDRESS, --namespace. */
  address?: string;
  namespace?: string;
  /** Temporal refused the config's TLS or API key settings: the server stops with this error. */
  onTemporalSettingsError?: (err: Error) => void;
}

/** The HTTP servers: the config section their defaults come from, how to start one, what its log line names. */
const SERVERS = [
  {
    name: 'api',
    description: 'run the HTTP API (POST /v1/messages, GET /v1/messages/{key}, …feedback, …cancel)',
    section: 'security.api',
    start: async (config: Config, o: ListenOptions) => (await import('../api/main')).startApi(config, o),
    listening: 'API listening',
    keys: (config: Config) => config.security.api?.keys.map((k) => k.id),
  },
  {
    name: 'codec-server',
    description: 'run the codec server (POST …/encode, …/decode) for the Temporal Web UI and CLI',
    section: 'security.codecServer',
    start: async (config: Config, o: ListenOptions) => (await import('../codec/server')).startCodecServer(config, o),
    listening: 'codec server listening',
    keys: (config: Config) => config.security.encryption?.keys.map((k) => k.id),
  },
];

/** Each server: --host / --port over its config section; logs at $LOG_LEVEL; serves until SIGINT/SIGTERM. */
function addServers(program: Command, env: Environment): void {
  for (const server of SERVERS) {
    program
      .command(server.name)
      .description(server.description)
      .option('--host <ip>', `listen address (default ${server.section}.host)`)
      .option('--port <port>', `listen port (default ${server.section}.port)`, portArg)
      .action(async (o: { host?: string; port?: number }, cmd: Command) => {
        const g = globalsOf(cmd);
        const config = loadConfig(configPathOf(g, env));
        let fail: (err: Error) => void = () => undefined;
        const failed = new Promise<never>((_, reject) => (fail = reject));
        const running = await server.start(config, {
          ...o,
          logger: { level: env.logLevel ?? 'info' },
          address: addressOverride(g, env),
          namespace: g.namespace,
          onTemporalSettingsError: (err) => fail(err),
        });
        running.app.log.info({ url: running.url, keys: server.keys(config) }, server.listening);
        const { untilStopped } = await import('../codec/server');
        // Until SIGINT/SIGTERM, or until Temporal refuses the settings (the command then fails with the reason).
        await Promise.race([
          untilStopped(() => running.close()),
          failed.catch(async (err: Error) => {
            await running.close();
            throw err;
          }),
        ]);
      });
  }
}

interface SimulatorOptions {
  port?: number;
  host: string;
  deliveryDelay?: number;
  snsEndpoint?: string;
}

/** The carrier simulator (docker-compose's demo profile runs it too). */
export function simulatorCommand(env: Environment): Command {
  return new Command('simulator')
    .description('run the carrier simulator (local End User Messaging SMS endpoint: carrier, faults, DLRs to SNS/SQS)')
    .option('-p, --port <port>', "listen port (default: the port of the config's route endpoints, else 4599)", (v) =>
      parsePortOrZero(v),
    )
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option(
      '--delivery-delay <duration>',
      'time from acceptance to the final DLR, e.g. 200ms, 2s (default 200ms)',
      parseDuration,
    )
    .option('--sns-endpoint <url>', "SNS endpoint for DLR events (default: each dlrQueues entry's endpoint)")
    .action(async (o: SimulatorOptions, cmd: Command) => {
      const { runSimulator } = await import('../simulator/main');
      const sim = await runSimulator({
        configPath: configPathOf(globalsOf(cmd), env),
        port: o.port,
        host: o.host,
        deliveryDelayMs: o.deliveryDelay,
        snsEndpoint: o.snsEndpoint,
      });
      await sim.stopped;
    });
}

function addDev(program: Command, env: Environment): void {
  program
    .command('dev')
    .description('start the local stack: Temporal dev server + Web UI, SQS/SNS emulator, simulator, worker, ingester')
    .option('--data <dir>', 'data folder (Temporal database, logs, stack.json)', '.data')
    .addOption(
      new Option('--ports <mode>', 'fixed default ports, or free ones').choices(['fixed', 'auto']).default('fixed'),
    )
    .option('--headless', 'no Web UI')
    .action(async (o: { data: string; ports: 'fixed' | 'auto'; headless?: boolean }, cmd: Command) => {
      const { runLocalStack } = await import('../stack/launcher');
      await runLocalStack({
        // Optional here: without either, the stack runs config/local.yaml.
        configPath: globalsOf(cmd).config ?? env.configPath,
        dataDir: o.data,
        ports: o.ports,
        ui: !o.headless,
      });
    });
}

export function addProcessCommands(program: Command, env: Environment): void {
  addTemporalProcesses(program, env);
  addServers(program, env);
  // Built outside `program`: give it the settings `.command()` would have copied (exitOverride, output, …).
  program.addCommand(simulatorCommand(env).copyInheritedSettings(program));
  addDev(program, env);
}
