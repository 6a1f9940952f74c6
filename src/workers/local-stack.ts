/**
 * The local stack (`npm start` = `resilient-sms dev`): the Temporal dev server with its Web UI
 * (persisted under the data folder), the SQS/SNS emulator with the DLR topics and queues
 * provisioned, the carrier simulator, the worker and the DLR ingester, all on this machine.
 * Writes <data>/stack.json for scripts, supervises the children, stops them all on Ctrl-C/SIGTERM.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { dataConverterFor } from '../codec/data-converter';
import { ensureLocalSecrets, uiCodecEndpoint, withLocalSecurity } from '../codec/local-secrets';
import { loadConfig } from '../config/load';
import type { Config } from '../domain/config';
import { DEV_SEARCH_ATTRIBUTES } from '../tools/dev-search-attributes';
import { startMoto, type Moto } from '../tools/moto';
import { provisionChannels } from '../tools/provision-channels';
import { provisionDlrQueues } from '../tools/provision-emulator';
import { httpProbe, sleep, startService, tcpProbe, type ServiceProcess } from '../tools/service-process';
import { findRepoRoot, freePort, startDevServer, type DevServer } from '../tools/temporal-cli';
import { workerNodeOptions } from './worker-tuning';

export const DEFAULT_PORTS = {
  temporal: 7233,
  ui: 8233,
  sqs: 4566,
  simulator: 4599,
  api: 8090,
  codec: 8091,
  workerMetrics: 9464,
  ingesterMetrics: 9465,
} as const;

export interface LocalStackOptions {
  configPath?: string;
  dataDir: string;
  ports: 'fixed' | 'auto';
  ui: boolean;
  /** Where progress lines go. Default stdout. */
  print?: (line: string) => void;
}

export interface StackInfo {
  pid: number;
  startedAt: string;
  dataDir: string;
  /** The effective config every child uses (endpoints rewritten to what was started). */
  configPath: string;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  uiUrl?: string;
  simulatorUrl: string;
  sqsEndpoint: string;
  /** The HTTP API (API key: RSMS_LOCAL_API_KEY in keysFile). */
  apiUrl?: string;
  /** The codec server the Web UI decodes payloads with (token: RSMS_LOCAL_CODEC_TOKEN in keysFile). */
  codecServerUrl?: string;
  /** The generated secrets (mode 0600): encryption key, codec token, API key. */
  keysFile?: string;
  logsDir: string;
  processes: Record<string, number | undefined>;
  /** Prometheus endpoint of each child that has one (SDK metrics and ours): `{ worker: url, ingester: url }`. */
  metrics?: Record<string, string>;
}

export class StackAlreadyRunningError extends Error {}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readStackInfo(dataDir: string): StackInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, 'stack.json'), 'utf8')) as StackInfo;
  } catch {
    return undefined;
  }
}

function isLocalUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]';
}

function relocal<T extends { endpoint?: string }>(channel: T | undefined, endpoint: string): T | undefined {
  return channel?.endpoint && isLocalUrl(channel.endpoint) ? { ...channel, endpoint } : channel;
}

/** The config with every local endpoint pointed at what this stack started. */
export function effectiveConfig(config: Config, at: { temporal: string; simulator: string; sqs: string }): Config {
  return {
    ...config,
    temporal: { ...config.temporal, address: at.temporal },
    routes: config.routes.map((r) => (r.endpoint && isLocalUrl(r.endpoint) ? { ...r, endpoint: at.simulator } : r)),
    dlrQueues: config.dlrQueues.map((q) => {
      if (!q.endpoint || !isLocalUrl(q.endpoint)) return q;
      const queuePath = new URL(q.queueUrl).pathname;
      return { ...q, endpoint: at.sqs, queueUrl: `${at.sqs}${queuePath}` };
    }),
    // WhatsApp goes to the simulator; email (SES v2) and push (SNS) to the emulator.
    channels: {
      ...config.channels,
      whatsapp: relocal(config.channels.whatsapp, at.simulator),
      email: relocal(config.channels.email, at.sqs),
      push: relocal(config.channels.push, at.sqs),
    },
  };
}

async function portFor(mode: 'fixed' | 'auto', fixed: number, name: string): Promise<number> {
  if (mode === 'auto') return freePort();
  if (await tcpProbe('127.0.0.1', fixed)) {
    throw new StackAlreadyRunningError(
      `port ${fixed} (${name}) is already in use by another program: stop it, or start with --ports auto`,
    );
  }
  return fixed;
}

/** Resolves once a worker polls the task queue. */
async function workerPolling(client: Client, namespace: string, taskQueue: string): Promise<boolean> {
  try {
    const res = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue, kind: proto.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    return (res.pollers?.length ?? 0) > 0;
  } catch {
    return false;
  }
}

export async function runLocalStack(opts: LocalStackOptions): Promise<void> {
  const print = opts.print ?? ((line: string) => console.log(line));
  const root = findRepoRoot();
  const dataDir = path.resolve(opts.dataDir);
  const logsDir = path.join(dataDir, 'logs');
  fs.mkdirSync(logsDir, { recursive: true });

  const existing = readStackInfo(dataDir);
  if (existing && existing.pid !== process.pid && isAlive(existing.pid)) {
    throw new StackAlreadyRunningError(
      `a local stack is already running (pid ${existing.pid}) with data in ${dataDir}; ` +
        `Web UI ${existing.uiUrl ?? '(headless)'}, Temporal ${existing.temporalAddress}. Stop it first (Ctrl-C or kill ${existing.pid}).`,
    );
  }

  const configPath = opts.configPath ?? process.env.RESILIENT_SMS_CONFIG ?? path.join(root, 'config', 'local.yaml');
  const config = loadConfig(configPath);
  const cli = path.join(__dirname, '..', 'cli', 'main.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} not found: build first (npm run build)`);

  const ports = {
    temporal: await portFor(opts.ports, DEFAULT_PORTS.temporal, 'Temporal'),
    ui: opts.ui ? await portFor(opts.ports, DEFAULT_PORTS.ui, 'Temporal Web UI') : undefined,
    sqs: await portFor(opts.ports, DEFAULT_PORTS.sqs, 'SQS/SNS emulator'),
    simulator: await portFor(opts.ports, DEFAULT_PORTS.simulator, 'simulator'),
    api: await portFor(opts.ports, DEFAULT_PORTS.api, 'HTTP API'),
    codec: await portFor(opts.ports, DEFAULT_PORTS.codec, 'codec server'),
    workerMetrics: await portFor(opts.ports, DEFAULT_PORTS.workerMetrics, 'worker metrics'),
    ingesterMetrics: await portFor(opts.ports, DEFAULT_PORTS.ingesterMetrics, 'ingester metrics'),
  };
  const temporalAddress = `127.0.0.1:${ports.temporal}`;
  const simulatorUrl = `http://127.0.0.1:${ports.simulator}`;
  // Encryption on: a key generated once into <data>/keys.env (0600), named (not written) in the effective config.
  const secrets = ensureLocalSecrets(dataDir);
  const apiUrl = `http://127.0.0.1:${ports.api}`;
  const codecServerUrl = `http://127.0.0.1:${ports.codec}`;
  const effective = withLocalSecurity(
    effectiveConfig(config, {
      temporal: temporalAddress,
      simulator: simulatorUrl,
      sqs: `http://127.0.0.1:${ports.sqs}`,
    }),
    secrets,
    { codecPort: ports.codec, apiPort: ports.api, uiUrl: ports.ui ? `http://127.0.0.1:${ports.ui}` : undefined },
  );
  const childEnv = { ...process.env, ...secrets.vars };
  const effectivePath = path.join(dataDir, 'config.json');
  fs.writeFileSync(effectivePath, JSON.stringify(effective, null, 2));

  let shuttingDown = false;
  let temporalServer: DevServer | undefined;
  let moto: Moto | undefined;
  const children = new Map<string, ServiceProcess>();
  let connection: Connection | undefined;
  let info: StackInfo | undefined;

  const writeInfo = () => {
    if (!info) return;
    info.processes = {
      temporal: temporalServer?.process.pid,
      sqs: moto?.service.process.pid,
      ...Object.fromEntries([...children].map(([name, child]) => [name, child.process.pid])),
    };
    fs.writeFileSync(path.join(dataDir, 'stack.json'), JSON.stringify(info, null, 2));
  };

  const stopAll = async () => {
    shuttingDown = true;
    for (const name of ['api', 'codec-server', 'ingester', 'worker', 'simulator'])
      await children.get(name)?.stop(10_000);
    await connection?.close().catch(() => undefined);
    await moto?.stop();
    await temporalServer?.stop();
    const stackFile = path.join(dataDir, 'stack.json');
    if (readStackInfo(dataDir)?.pid === process.pid) fs.rmSync(stackFile, { force: true });
  };

  /** Start a child `resilient-sms <command>`, and restart it if it dies (at most 10 times). */
  const startChild = async (name: string, command: string[], ready: () => Promise<boolean>, restarts = 0) => {
    const child = await startService({
      name,
      command: process.execPath,
      args: [cli, ...command, '--config', effectivePath],
      env: {
        ...childEnv,
        TEMPORAL_ADDRESS: temporalAddress,
        METRICS_HOST: '127.0.0.1',
        // The worker's heap sized to its workflow cache, so that its memory stays flat (worker-tuning.ts).
        ...(name === 'worker' ? { NODE_OPTIONS: workerNodeOptions(effective, childEnv.NODE_OPTIONS) } : {}),
      },
      cwd: root,
      log: path.join(logsDir, `${name}.log`),
      ready,
      startTimeoutMs: 60_000,
    });
    children.set(name, child);
    writeInfo();
    void child.exited.then(async ({ code, signal }) => {
      if (shuttingDown) return;
      print(`[dev] ${name} exited (code ${code}, signal ${signal}); see ${path.join(logsDir, `${name}.log`)}`);
      if (restarts >= 10) {
        print(`[dev] ${name} restarted too often; not restarting it again`);
        return;
      }
      await sleep(500);
      if (shuttingDown) return;
      try {
        await startChild(name, command, ready, restarts + 1);
        print(`[dev] ${name} restarted (pid ${children.get(name)?.process.pid})`);
      } catch (err) {
        print(`[dev] ${name} did not restart: ${(err as Error).message}`);
      }
    });
  };

  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (shuttingDown) return;
      print(`[dev] ${signal}: stopping`);
      void stopAll().then(resolve, resolve);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });

  try {
    const started = Date.now();
    print(`[dev] starting Temporal dev server on ${temporalAddress} (data: ${path.join(dataDir, 'temporal.db')})`);
    const devServerOptions = {
      port: ports.temporal,
      uiPort: ports.ui,
      headless: !opts.ui,
      dbFile: path.join(dataDir, 'temporal.db'),
      namespace: effective.temporal.namespace,
      searchAttributes: { ...DEV_SEARCH_ATTRIBUTES },
      log: path.join(logsDir, 'temporal.log'),
      // The Web UI decodes payloads through our codec server.
      extraArgs: opts.ui ? ['--ui-codec-endpoint', uiCodecEndpoint(secrets, ports.codec)] : [],
    };
    temporalServer = await startDevServer(devServerOptions);
    // A dev server that dies is restarted on the same port and database file (workflows resume where they were;
    // the children's connections reconnect). The chaos suite relies on it.
    const superviseTemporal = (server: DevServer, restarts = 0): void => {
      server.process.once('exit', (code, signal) => {
        void (async () => {
          if (shuttingDown) return;
          print(
            `[dev] Temporal dev server exited (code ${code}, signal ${signal}); see ${path.join(logsDir, 'temporal.log')}`,
          );
          if (restarts >= 10) return print('[dev] Temporal dev server restarted too often; not restarting it again');
          await sleep(500);
          if (shuttingDown) return;
          try {
            const next = await startDevServer(devServerOptions);
            if (shuttingDown) return void (await next.stop());
            temporalServer = next;
            writeInfo();
            superviseTemporal(next, restarts + 1);
            print(`[dev] Temporal dev server restarted (pid ${next.process.pid})`);
          } catch (err) {
            print(`[dev] Temporal dev server did not restart: ${(err as Error).message}`);
          }
        })();
      });
    };
    superviseTemporal(temporalServer);
    print(`[dev] starting SQS/SNS emulator on ${ports.sqs}`);
    moto = await startMoto({ port: ports.sqs, log: path.join(logsDir, 'sqs-sns.log') });
    const queues = await provisionDlrQueues(effective);
    print(`[dev] provisioned ${queues.length} DLR queue(s) with dead-letter queues`);
    const channels = await provisionChannels(effective);
    if (channels.email || channels.push) print(`[dev] provisioned email (SES v2) and push (SNS) on the emulator`);

    connection = await Connection.connect({ address: temporalAddress });
    const client = new Client({
      connection,
      namespace: effective.temporal.namespace,
      dataConverter: dataConverterFor(effective, childEnv),
    });
    info = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      dataDir,
      configPath: effectivePath,
      temporalAddress,
      namespace: effective.temporal.namespace,
      taskQueue: effective.temporal.taskQueue,
      uiUrl: temporalServer.uiUrl,
      simulatorUrl,
      sqsEndpoint: moto.endpoint,
      apiUrl,
      codecServerUrl,
      keysFile: secrets.file,
      logsDir,
      metrics: {
        worker: `http://127.0.0.1:${ports.workerMetrics}/metrics`,
        ingester: `http://127.0.0.1:${ports.ingesterMetrics}/metrics`,
      },
      processes: {},
    };
    await startChild('simulator', ['simulator', '--port', String(ports.simulator)], () =>
      httpProbe(`${simulatorUrl}/_sim/health`),
    );
    /**
     * A child with a metrics port. With --ports auto the port was free when chosen, but another program (or an
     * outgoing connection's local port: free ports come from the same range) may take it before the child binds
     * it: then the child starts again on another free port, at most three times.
     */
    const startWithMetrics = async (
      name: 'worker' | 'ingester',
      subcommand: string,
      key: 'workerMetrics' | 'ingesterMetrics',
      readyCheck: () => () => Promise<boolean>,
    ) => {
      for (let attempt = 1; ; attempt++) {
        try {
          await startChild(name, [subcommand, '--metrics-port', String(ports[key])], readyCheck());
          info!.metrics = { ...info!.metrics, [name]: `http://127.0.0.1:${ports[key]}/metrics` };
          return;
        } catch (err) {
          const taken = /address already in use|EADDRINUSE/i.test((err as Error).message);
          if (opts.ports !== 'auto' || !taken || attempt >= 3) throw err;
          const before = ports[key];
          ports[key] = await freePort();
          print(`[dev] ${name}: metrics port ${before} was taken meanwhile; starting again on ${ports[key]}`);
        }
      }
    };
    await startWithMetrics(
      'worker',
      'worker',
      'workerMetrics',
      () => () => workerPolling(client, effective.temporal.namespace, effective.temporal.taskQueue),
    );
    // The ingester has no readiness probe: alive half a second after its start.
    await startWithMetrics('ingester', 'ingest', 'ingesterMetrics', () => {
      const started = Date.now();
      return () => Promise.resolve(Date.now() - started > 500);
    });
    await startChild('codec-server', ['codec-server'], () => httpProbe(`${codecServerUrl}/health`));
    await startChild('api', ['api'], () => httpProbe(`${apiUrl}/health`));
    writeInfo();

    print(
      [
        '',
        `resilient-sms local stack is up (${((Date.now() - started) / 1000).toFixed(1)} s)`,
        `  Temporal Web UI   ${temporalServer.uiUrl ?? '(headless)'}`,
        `  Temporal          ${temporalAddress}`,
        `  Simulator         ${simulatorUrl}   (faults: POST ${simulatorUrl}/_sim/faults, sends: GET ${simulatorUrl}/_sim/messages)`,
        `  SQS/SNS emulator  ${moto.endpoint}`,
        `  HTTP API          ${apiUrl}   (Authorization: Bearer $RSMS_LOCAL_API_KEY from ${secrets.file})`,
        `  Codec server      ${codecServerUrl}   (the Web UI decodes payloads through it)`,
        `  Config            ${effectivePath}`,
        `  Metrics           worker http://127.0.0.1:${ports.workerMetrics}/metrics · ingester http://127.0.0.1:${ports.ingesterMetrics}/metrics`,
        `  Logs              ${logsDir}`,
        '',
        'Send a message:',
        `  npm run cli -- --config ${path.relative(process.cwd(), effectivePath)} send --to +14255550123 --body "Your code is 123456" --wait`,
        '',
        'Ctrl-C stops everything.',
      ].join('\n'),
    );
  } catch (err) {
    await stopAll();
    throw err;
  }
  await stopped;
}
