/**
 * The system under test: the local stack (`resilient-sms dev --ports auto --headless`, started here on a
 * temporary data folder, or a running one given by its data folder), the clients the benchmark drives it
 * with, and the bench-only no-op worker (bench/bench-worker.ts) that measures what the server allows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Client, Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { parse as parseYaml } from 'yaml';
import { ResilientSmsClient } from '../../src/client';
import { dataConverterFor } from '../../src/codec/data-converter';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/domain/config';
import { EMULATOR_CREDENTIALS } from '../../src/tools/provision-emulator';
import { waitForExit } from '../../src/tools/service-process';
import { findRepoRoot, freePort } from '../../src/tools/temporal-cli';
import { readStackInfo, type StackInfo } from '../../src/workers/local-stack';
import { sleep } from './stats';

export const root = findRepoRoot(__dirname);
export const CLI = path.join(root, 'lib', 'src', 'cli', 'main.js');
export const NOOP_TASK_QUEUE = 'bench-noop';

/** Policies the benchmark adds to the config of a stack it starts itself. */
export const BENCH_POLICIES = {
  // The shipped `alert` policy without quiet hours: the whole ladder climbs at any time of day.
  'bench-ladder': {
    success: 'dlr',
    stepWait: '15m',
    deadline: '72h',
    ambiguousWait: '2m',
    channels: ['sms', 'voice', 'whatsapp', 'email', 'push'],
    channelsAfterOptOut: ['whatsapp', 'email', 'push'],
    maxSends: 12,
  },
} as const;

export interface BenchStack {
  info: StackInfo;
  config: Config;
  /** Whether this run started the stack (and stops it at the end). */
  startedHere: boolean;
  /** The config file the stack was started with (ours, when started here). */
  sourceConfig?: string;
  connection: Connection;
  temporal: Client;
  rsms: ResilientSmsClient;
  sqs: SQSClient;
  sns: SNSClient;
  /** The stack's current pids (re-read: a child may have been restarted). */
  pids(): Record<string, number | undefined>;
  sim<T = unknown>(method: string, route: string, body?: unknown): Promise<T>;
  /** A Prometheus endpoint's samples: `name{labels}` -> value. */
  metrics(which: 'worker' | 'ingester'): Promise<Map<string, number>>;
  /** Whether a worker polls `taskQueue` (workflow tasks). */
  polled(taskQueue: string): Promise<boolean>;
  startNoopWorker(): Promise<ChildProcess>;
  stop(): Promise<void>;
}

/** Sets `a.b.c` in a config object (creating objects on the way): `--set worker.maxCachedWorkflows=1000`. */
export function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let obj = target;
  for (const k of keys.slice(0, -1)) {
    if (typeof obj[k] !== 'object' || obj[k] === null) obj[k] = {};
    obj = obj[k] as Record<string, unknown>;
  }
  obj[keys[keys.length - 1]] = value;
}

/** The bench config: `base` (YAML or JSON) plus BENCH_POLICIES and `overrides`, written as JSON into `dir`. */
export function writeBenchConfig(base: string, dir: string, overrides: Record<string, unknown> = {}): string {
  const text = fs.readFileSync(base, 'utf8');
  const raw = (base.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as { policies?: Record<string, unknown> };
  raw.policies = { ...BENCH_POLICIES, ...raw.policies };
  for (const [k, v] of Object.entries(overrides)) setPath(raw, k, v);
  const file = path.join(dir, 'bench-config.json');
  fs.writeFileSync(file, JSON.stringify(raw, null, 2));
  loadConfig(file); // fail here, naming the field, rather than in the stack
  return file;
}

async function launch(configFile: string, dataDir: string, log: (l: string) => void): Promise<ChildProcess> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} not found: build first (npm run build)`);
  const launcher = spawn(
    process.execPath,
    [CLI, '--config', configFile, 'dev', '--data', dataDir, '--ports', 'auto', '--headless'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  launcher.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  launcher.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 180_000;
  while (!output.includes('local stack is up')) {
    if (launcher.exitCode !== null) throw new Error(`local stack exited (${launcher.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      launcher.kill('SIGKILL');
      throw new Error(`local stack not up after 180 s:\n${output}`);
    }
    await sleep(100);
  }
  log(output.split('\n').find((l) => l.includes('local stack is up')) ?? 'local stack is up');
  return launcher;
}

export async function openStack(opts: {
  /** A running stack's data folder (its stack.json); otherwise one is started. */
  stackDir?: string;
  /** Config for a stack started here. Default config/local.yaml. */
  configPath?: string;
  /** Config settings for a stack started here (`worker.maxCachedWorkflows` -> value). */
  overrides?: Record<string, unknown>;
  log: (line: string) => void;
}): Promise<BenchStack> {
  let launcher: ChildProcess | undefined;
  let dataDir: string;
  let sourceConfig: string | undefined;
  if (opts.stackDir) {
    dataDir = path.resolve(opts.stackDir);
  } else {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-bench-'));
    sourceConfig = writeBenchConfig(opts.configPath ?? path.join(root, 'config', 'local.yaml'), dataDir, opts.overrides);
    opts.log(`starting the local stack (data: ${dataDir})`);
    launcher = await launch(sourceConfig, dataDir, opts.log);
  }
  const info = readStackInfo(dataDir);
  if (!info) throw new Error(`no stack.json in ${dataDir}: is a stack running there (npm start -- --data ${dataDir})?`);
  const config = loadConfig(info.configPath);
  const connection = await Connection.connect({ address: info.temporalAddress });
  const temporal = new Client({ connection, namespace: info.namespace, dataConverter: dataConverterFor(config) });
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: info.sqsEndpoint, credentials: EMULATOR_CREDENTIALS });
  const sns = new SNSClient({ region: 'us-east-1', endpoint: info.sqsEndpoint, credentials: EMULATOR_CREDENTIALS });
  const children: ChildProcess[] = [];

  const stack: BenchStack = {
    info,
    config,
    startedHere: launcher !== undefined,
    sourceConfig,
    connection,
    temporal,
    rsms: new ResilientSmsClient(config, temporal),
    sqs,
    sns,
    pids() {
      const current = readStackInfo(dataDir) ?? info;
      const pids: Record<string, number | undefined> = {};
      for (const name of ['temporal', 'sqs', 'simulator', 'worker', 'ingester']) pids[name] = current.processes[name];
      const noop = children.find((c) => c.exitCode === null);
      if (noop?.pid) pids['noop-worker'] = noop.pid;
      return pids;
    },
    async sim<T>(method: string, route: string, body?: unknown): Promise<T> {
      const res = await fetch(`${info.simulatorUrl}${route}`, {
        method,
        headers: body === undefined ? undefined : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 400) throw new Error(`simulator ${method} ${route} -> ${res.status}: ${text.slice(0, 300)}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
    async metrics(which) {
      const url = info.metrics?.[which];
      const out = new Map<string, number>();
      if (!url) return out;
      try {
        const text = await (await fetch(url, { signal: AbortSignal.timeout(5_000) })).text();
        for (const line of text.split('\n')) {
          if (!line || line.startsWith('#')) continue;
          const i = line.lastIndexOf(' ');
          out.set(line.slice(0, i), Number(line.slice(i + 1)));
        }
      } catch {
        // metrics are a bonus: never fail a measurement for them
      }
      return out;
    },
    async polled(taskQueue) {
      try {
        const res = await temporal.workflowService.describeTaskQueue({
          namespace: info.namespace,
          taskQueue: { name: taskQueue, kind: proto.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        });
        return (res.pollers?.length ?? 0) > 0;
      } catch {
        return false;
      }
    },
    async startNoopWorker() {
      const metricsPort = await freePort();
      const child = spawn(
        process.execPath,
        [path.join(root, 'lib', 'bench', 'bench-worker.js'), '--config', info.configPath, '--task-queue', NOOP_TASK_QUEUE],
        {
          cwd: root,
          // The same observability as the stack's worker (JSON logs to a file, a metrics endpoint).
          env: { ...process.env, TEMPORAL_ADDRESS: info.temporalAddress, METRICS_HOST: '127.0.0.1', METRICS_PORT: String(metricsPort) },
          stdio: ['ignore', fs.openSync(path.join(info.logsDir, 'bench-noop-worker.log'), 'a'), 'pipe'],
        },
      );
      let err = '';
      child.stderr?.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
      children.push(child);
      const deadline = Date.now() + 120_000;
      while (!(await stack.polled(NOOP_TASK_QUEUE))) {
        if (child.exitCode !== null) throw new Error(`no-op worker exited (${child.exitCode}): ${err}`);
        if (Date.now() > deadline) throw new Error(`no-op worker not polling after 120 s: ${err}`);
        await sleep(100);
      }
      return child;
    },
    async stop() {
      for (const c of children) {
        if (c.exitCode === null) {
          c.kill('SIGTERM');
          if (!(await waitForExit(c, 15_000))) c.kill('SIGKILL');
        }
      }
      sqs.destroy();
      sns.destroy();
      await connection.close().catch(() => undefined);
      if (launcher) {
        launcher.kill('SIGTERM');
        if (!(await waitForExit(launcher, 60_000))) launcher.kill('SIGKILL');
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
  return stack;
}
