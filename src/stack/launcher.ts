/**
 * The local stack (`npm start` = `resilient-sms dev`): the Temporal dev server with its Web UI
 * (persisted under the data folder), the SQS/SNS emulator with the DLR topics and queues
 * provisioned, the carrier simulator, the worker and the DLR ingester, all on this machine.
 * Writes <data>/stack.json for scripts, supervises the children, stops them all on Ctrl-C/SIGTERM/SIGHUP, and
 * leaves none behind when it is killed outright (./reaper.ts).
 * Tests, chaos and bench start it as a child process through ./handle.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, type Connection } from '@temporalio/client';
import { dataConverterFor } from '../codec/data-converter';
import { ensureLocalSecrets, uiCodecEndpoint, withLocalSecurity, type LocalSecrets } from '../codec/local-secrets';
import { readEnvironment } from '../config/environment';
import { loadConfig } from '../config/load';
import type { Config } from '../domain/config';
import { connectClient } from '../temporal/connect';
import { plainSettings } from '../temporal/settings';
import { DEV_SEARCH_ATTRIBUTES } from '../tools/dev-search-attributes';
import { startMoto } from '../tools/moto';
import { provisionChannels } from '../tools/provision-channels';
import { provisionDlrQueues, provisionHealthEventQueue, provisionInboundQueues } from '../tools/provision-emulator';
import { httpProbe } from '../tools/service-process';
import { freePort } from '../tools/free-ports';
import { findRepoRoot, type DevServerOptions } from '../tools/temporal-cli';
import { workerNodeOptions } from '../workers/worker-tuning';
import { effectiveConfig } from './effective-config';
import { workerPolling } from './pollers';
import { choosePorts, StackAlreadyRunningError, type PortMode, type StackPorts } from './ports';
import { readStackInfo, stackInfoFile, writeStackInfo, type StackInfo } from './stack-info';
import { startReaper } from './reaper';
import { StackSupervisor } from './supervisor';

export interface LocalStackOptions {
  configPath?: string;
  dataDir: string;
  ports: PortMode;
  ui: boolean;
  /** Where progress lines go. Default stdout. */
  print?: (line: string) => void;
}

/** What the launcher works out before it starts anything. */
interface StackPlan {
  root: string;
  cli: string;
  dataDir: string;
  logsDir: string;
  ports: StackPorts;
  secrets: LocalSecrets;
  effective: Config;
  effectivePath: string;
  childEnv: NodeJS.ProcessEnv;
  temporalAddress: string;
  simulatorUrl: string;
  apiUrl: string;
  codecServerUrl: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function refuseSecondStack(dataDir: string): void {
  const existing = readStackInfo(dataDir);
  if (existing && existing.pid !== process.pid && isAlive(existing.pid)) {
    throw new StackAlreadyRunningError(
      `a local stack is already running (pid ${existing.pid}) with data in ${dataDir}; ` +
        `Web UI ${existing.uiUrl ?? '(headless)'}, Temporal ${existing.temporalAddress}. Stop it first (Ctrl-C or kill ${existing.pid}).`,
    );
  }
}

/** Ports, secrets and the effective config (written to <data>/config.json). */
async function planStack(opts: LocalStackOptions): Promise<StackPlan> {
  const root = findRepoRoot();
  const dataDir = path.resolve(opts.dataDir);
  const logsDir = path.join(dataDir, 'logs');
  fs.mkdirSync(logsDir, { recursive: true });
  refuseSecondStack(dataDir);

  const configPath = opts.configPath ?? readEnvironment().configPath ?? path.join(root, 'config', 'local.yaml');
  const config = loadConfig(configPath);
  const cli = path.join(__dirname, '..', 'cli', 'main.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} not found: build first (npm run build)`);

  const ports = await choosePorts(opts.ports, opts.ui);
  const temporalAddress = `127.0.0.1:${ports.temporal}`;
  const simulatorUrl = `http://127.0.0.1:${ports.simulator}`;
  // Encryption on: a key generated once into <data>/keys.env (0600), named (not written) in the effective config.
  const secrets = ensureLocalSecrets(dataDir);
  const effective = withLocalSecurity(
    effectiveConfig(config, {
      temporal: temporalAddress,
      simulator: simulatorUrl,
      sqs: `http://127.0.0.1:${ports.sqs}`,
    }),
    secrets,
    { codecPort: ports.codec, apiPort: ports.api, uiUrl: ports.ui ? `http://127.0.0.1:${ports.ui}` : undefined },
  );
  const effectivePath = path.join(dataDir, 'config.json');
  fs.writeFileSync(effectivePath, JSON.stringify(effective, null, 2));
  return {
    root,
    cli,
    dataDir,
    logsDir,
    ports,
    secrets,
    effective,
    effectivePath,
    childEnv: { ...process.env, ...secrets.vars },
    temporalAddress,
    simulatorUrl,
    apiUrl: `http://127.0.0.1:${ports.api}`,
    codecServerUrl: `http://127.0.0.1:${ports.codec}`,
  };
}

function devServerOptions(p: StackPlan, ui: boolean): DevServerOptions {
  return {
    port: p.ports.temporal,
    uiPort: p.ports.ui,
    httpPort: p.ports.temporalHttp,
    metricsPort: p.ports.temporalMetrics,
    headless: !ui,
    dbFile: path.join(p.dataDir, 'temporal.db'),
    namespace: p.effective.temporal.namespace,
    searchAttributes: { ...DEV_SEARCH_ATTRIBUTES },
    log: path.join(p.logsDir, 'temporal.log'),
    // The Web UI decodes payloads through our codec server.
    extraArgs: ui ? ['--ui-codec-endpoint', uiCodecEndpoint(p.secrets, p.ports.codec)] : [],
  };
}

function initialInfo(p: StackPlan, uiUrl: string | undefined, sqsEndpoint: string): StackInfo {
  return {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    dataDir: p.dataDir,
    configPath: p.effectivePath,
    temporalAddress: p.temporalAddress,
    namespace: p.effective.temporal.namespace,
    taskQueue: p.effective.temporal.taskQueue,
    uiUrl,
    simulatorUrl: p.simulatorUrl,
    sqsEndpoint,
    apiUrl: p.apiUrl,
    codecServerUrl: p.codecServerUrl,
    keysFile: p.secrets.file,
    logsDir: p.logsDir,
    metrics: {
      worker: `http://127.0.0.1:${p.ports.workerMetrics}/metrics`,
      ingester: `http://127.0.0.1:${p.ports.ingesterMetrics}/metrics`,
    },
    processes: {},
  };
}

/**
 * Starts a child with a metrics port. With --ports auto the port was free when chosen, but another program (or an
 * outgoing connection's local port: free ports come from the same range) may take it before the child binds
 * it: then the child starts again on another free port, at most three times.
 */
async function startWithMetrics(
  s: { supervisor: StackSupervisor; plan: StackPlan; info: StackInfo; mode: PortMode; print: (l: string) => void },
  name: 'worker' | 'ingester',
  subcommand: string,
  readyCheck: () => () => Promise<boolean>,
): Promise<void> {
  const key = name === 'worker' ? 'workerMetrics' : 'ingesterMetrics';
  const ports = s.plan.ports;
  for (let attempt = 1; ; attempt++) {
    try {
      await s.supervisor.startChild(name, [subcommand, '--metrics-port', String(ports[key])], readyCheck());
      s.info.metrics = { ...s.info.metrics, [name]: `http://127.0.0.1:${ports[key]}/metrics` };
      return;
    } catch (err) {
      const taken = /address already in use|EADDRINUSE/i.test((err as Error).message);
      if (s.mode !== 'auto' || !taken || attempt >= 3) throw err;
      const before = ports[key];
      ports[key] = await freePort();
      s.print(`[dev] ${name}: metrics port ${before} was taken meanwhile; starting again on ${ports[key]}`);
    }
  }
}

function banner(p: StackPlan, info: StackInfo, startedMs: number): string {
  return [
    '',
    `resilient-sms local stack is up (${((Date.now() - startedMs) / 1000).toFixed(1)} s)`,
    `  Temporal Web UI   ${info.uiUrl ?? '(headless)'}`,
    `  Temporal          ${p.temporalAddress}`,
    `  Simulator         ${p.simulatorUrl}   (faults: POST ${p.simulatorUrl}/_sim/faults, sends: GET ${p.simulatorUrl}/_sim/messages)`,
    `  SQS/SNS emulator  ${info.sqsEndpoint}`,
    `  HTTP API          ${p.apiUrl}   (Authorization: Bearer $RSMS_LOCAL_API_KEY from ${p.secrets.file})`,
    `  Codec server      ${p.codecServerUrl}   (the Web UI decodes payloads through it)`,
    `  Config            ${p.effectivePath}`,
    `  Metrics           worker http://127.0.0.1:${p.ports.workerMetrics}/metrics · ingester http://127.0.0.1:${p.ports.ingesterMetrics}/metrics`,
    `  Logs              ${p.logsDir}`,
    '',
    'Send a message:',
    `  npm run cli -- --config ${path.relative(process.cwd(), p.effectivePath)} send --to +14255550123 --body "Your code is 123456" --wait`,
    '',
    'Ctrl-C stops everything.',
  ].join('\n');
}

/** Temporal, the emulator (provisioned), then the children in order; each waited for. */
async function startEverything(run: {
  plan: StackPlan;
  opts: LocalStackOptions;
  supervisor: StackSupervisor;
  print: (line: string) => void;
  /** Connects to Temporal (the launcher closes the connection when it stops). */
  connect: () => Promise<Client>;
  /** stack.json from now on; written with the pids on every change. */
  setInfo: (info: StackInfo) => void;
}): Promise<void> {
  const { plan, opts, supervisor, print } = run;
  const started = Date.now();
  print(
    `[dev] starting Temporal dev server on ${plan.temporalAddress} (data: ${path.join(plan.dataDir, 'temporal.db')})`,
  );
  const temporalServer = await supervisor.startTemporal(devServerOptions(plan, opts.ui));
  print(`[dev] starting SQS/SNS emulator on ${plan.ports.sqs}`);
  const moto = await startMoto({ port: plan.ports.sqs, log: path.join(plan.logsDir, 'sqs-sns.log') });
  supervisor.adoptMoto(moto);
  const queues = await provisionDlrQueues(plan.effective);
  print(`[dev] provisioned ${queues.length} DLR queue(s) with dead-letter queues`);
  if (await provisionHealthEventQueue(plan.effective))
    print('[dev] provisioned the AWS Health event queue (route health)');
  const inbound = await provisionInboundQueues(plan.effective);
  if (inbound.length > 0) print(`[dev] provisioned ${inbound.length} two-way SMS queue(s) (opt-out keywords)`);

  const client = await run.connect();
  const info = initialInfo(plan, temporalServer.uiUrl, moto.endpoint);
  run.setInfo(info);
  const { namespace, taskQueue } = plan.effective.temporal;
  await supervisor.startChild('simulator', ['simulator', '--port', String(plan.ports.simulator)], () =>
    httpProbe(`${plan.simulatorUrl}/_sim/health`),
  );
  // After the simulator: the email identity and configuration set are created on it (push's app on the emulator).
  const channels = await provisionChannels(plan.effective);
  if (channels.email) print('[dev] provisioned email (SES v2) on the simulator');
  if (channels.push) print('[dev] provisioned push (SNS) on the emulator');
  const s = { supervisor, plan, info, mode: opts.ports, print };
  await startWithMetrics(s, 'worker', 'worker', () => () => workerPolling(client, namespace, taskQueue));
  // The ingester has no readiness probe: alive half a second after its start.
  await startWithMetrics(s, 'ingester', 'ingest', () => {
    const at = Date.now();
    return () => Promise.resolve(Date.now() - at > 500);
  });
  await supervisor.startChild('codec-server', ['codec-server'], () => httpProbe(`${plan.codecServerUrl}/health`));
  await supervisor.startChild('api', ['api'], () => httpProbe(`${plan.apiUrl}/health`));
  info.processes = supervisor.processes();
  writeStackInfo(info);
  print(banner(plan, info, started));
}

export async function runLocalStack(opts: LocalStackOptions): Promise<void> {
  const print = opts.print ?? ((line: string) => console.log(line));
  const plan = await planStack(opts);
  // Before the first child: a launcher killed by SIGKILL leaves nothing running.
  const reaper = startReaper();
  let connection: Connection | undefined;
  let info: StackInfo | undefined;
  const writeInfo = () => {
    if (!info) return;
    info.processes = supervisor.processes();
    writeStackInfo(info);
  };
  const supervisor = new StackSupervisor({
    cli: plan.cli,
    cwd: plan.root,
    logsDir: plan.logsDir,
    configPath: plan.effectivePath,
    envFor: (name) => ({
      ...plan.childEnv,
      TEMPORAL_ADDRESS: plan.temporalAddress,
      METRICS_HOST: '127.0.0.1',
      // The worker's heap sized to its workflow cache, so that its memory stays flat (worker-tuning.ts).
      ...(name === 'worker' ? { NODE_OPTIONS: workerNodeOptions(plan.effective, plan.childEnv.NODE_OPTIONS) } : {}),
    }),
    print,
    onChange: writeInfo,
  });
  const stopAll = async () => {
    await supervisor.stopAll(() => connection?.close().catch(() => undefined) ?? Promise.resolve());
    reaper.release();
    if (readStackInfo(plan.dataDir)?.pid === process.pid) fs.rmSync(stackInfoFile(plan.dataDir), { force: true });
  };
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (supervisor.stopping) return;
      print(`[dev] ${signal}: stopping`);
      void stopAll().then(resolve, resolve);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.once('SIGHUP', onSignal); // the terminal closed
  });
  const connect = async () => {
    const namespace = plan.effective.temporal.namespace;
    connection = await connectClient(plainSettings(plan.temporalAddress, namespace));
    return new Client({ connection, namespace, dataConverter: dataConverterFor(plan.effective, plan.childEnv) });
  };
  try {
    await startEverything({ plan, opts, supervisor, print, connect, setInfo: (i) => (info = i) });
  } catch (err) {
    await stopAll();
    throw err;
  }
  await stopped;
}
