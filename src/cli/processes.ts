/**
 * The commands that run a long-lived process: `worker`, `ingest`, `api`, `codec-server`, `simulator`, `dev`.
 * Each loads its module only when run, so the message commands start fast.
 */
import { Command, Option } from 'commander';
import type { Environment } from '../config/environment';
import { addressOverride, configPathOf, globalsOf, type GlobalOptions } from './connect';
import { parsePort, parsePortOrZero, parseDuration } from './options';

/** parsePort with commander's second argument (the previous value) dropped. */
const portArg = (value: string): number => parsePort(value);

const METRICS_PORT_HELP = 'Prometheus /metrics port (default $METRICS_PORT; none when unset)';

/** What the worker and the ingester take from the global options and the environment. */
function temporalProcessOptions(g: GlobalOptions, env: Environment, metricsPort?: number) {
  return { metricsPort, address: addressOverride(g, env), namespace: g.namespace, environment: env };
}

function addTemporalProcesses(program: Command, env: Environment): void {
  program
    .command('worker')
    .description('run a worker (workflows and send activities)')
    .option('--metrics-port <port>', METRICS_PORT_HELP, portArg)
    .action(async (o: { metricsPort?: number }, cmd: Command) => {
      const g = globalsOf(cmd);
      const { runWorker } = await import('../workers/worker');
      await runWorker(configPathOf(g, env), temporalProcessOptions(g, env, o.metricsPort));
    });

  program
    .command('ingest')
    .description('run the DLR ingester (SQS -> workflow signals)')
    .option('--metrics-port <port>', METRICS_PORT_HELP, portArg)
    .action(async (o: { metricsPort?: number }, cmd: Command) => {
      const g = globalsOf(cmd);
      const { runIngester } = await import('../workers/ingester');
      await runIngester(configPathOf(g, env), temporalProcessOptions(g, env, o.metricsPort));
    });
}

interface ListenOptions {
  host?: string;
  port?: number;
}

/** A server command with --host / --port, defaults from the named config section. */
function addServer(
  program: Command,
  name: string,
  description: string,
  section: string,
  run: (o: ListenOptions & { configPath: string }) => Promise<void>,
  env: Environment,
): void {
  program
    .command(name)
    .description(description)
    .option('--host <ip>', `listen address (default ${section}.host)`)
    .option('--port <port>', `listen port (default ${section}.port)`, portArg)
    .action(async (o: ListenOptions, cmd: Command) => {
      await run({ configPath: configPathOf(globalsOf(cmd), env), host: o.host, port: o.port });
    });
}

function addServers(program: Command, env: Environment): void {
  addServer(
    program,
    'api',
    'run the HTTP API (POST /v1/messages, GET /v1/messages/{key}, …feedback, …cancel)',
    'security.api',
    async (o) => (await import('../api/main')).runApi({ ...o, environment: env }),
    env,
  );
  addServer(
    program,
    'codec-server',
    'run the codec server (POST …/encode, …/decode) for the Temporal Web UI and CLI',
    'security.codecServer',
    async (o) => (await import('../codec/server')).runCodecServer({ ...o, environment: env }),
    env,
  );
}

interface SimulatorOptions {
  port?: number;
  host: string;
  deliveryDelay?: number;
  snsEndpoint?: string;
}

/**
 * The carrier simulator: the CLI's `simulator` command, and (with its own --config) the program of
 * lib/src/simulator/main.js, which docker-compose runs.
 */
export function simulatorCommand(env: Environment, name = 'simulator'): Command {
  return new Command(name)
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
      const { runLocalStack } = await import('../workers/local-stack');
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
