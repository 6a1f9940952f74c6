/**
 * The system under test: the local stack (the shared handle of src/stack/handle.ts: started here on a temporary
 * data folder, or a running one given by its data folder), the clients the benchmark drives it with, its
 * metrics, and the bench-only no-op worker (bench/bench-worker.ts) that measures what the server allows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Client, Connection } from '@temporalio/client';
import { parse as parseYaml } from 'yaml';
import type { ResilientSmsClient } from '../../src/client';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/domain/config';
import { connectToStack } from '../../src/stack/clients';
import { attachStack, startStack, type StackHandle } from '../../src/stack/handle';
import { workerPolling } from '../../src/stack/pollers';
import { readStackInfo, type StackInfo } from '../../src/stack/stack-info';
import { EMULATOR_CREDENTIALS } from '../../src/tools/provision-emulator';
import { waitForExit } from '../../src/tools/service-process';
import { freePort } from '../../src/tools/free-ports';
import { findRepoRoot } from '../../src/tools/temporal-cli';
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
  /** The shared handle on the stack (src/stack/handle.ts): its simulator, its children (the game day restarts some). */
  handle: StackHandle;
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

export async function openStack(opts: {
  /** A running stack's data folder (its stack.json); otherwise one is started. */
  stackDir?: string;
  /** Config for a stack started here. Default config/local.yaml. */
  configPath?: string;
  /** Config settings for a stack started here (`worker.maxCachedWorkflows` -> value). */
  overrides?: Record<string, unknown>;
  log: (line: string) => void;
}): Promise<BenchStack> {
  let sourceConfig: string | undefined;
  let handle: StackHandle;
  if (opts.stackDir) {
    handle = attachStack(opts.stackDir);
  } else {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-bench-'));
    sourceConfig = writeBenchConfig(opts.configPath ?? path.join(root, 'config', 'local.yaml'), dataDir, opts.overrides);
    opts.log(`starting the local stack (data: ${dataDir})`);
    handle = await startStack({ configPath: sourceConfig, dataDir, removeDataDir: true });
    opts.log(handle.output().split('\n').find((l) => l.includes('local stack is up')) ?? 'local stack is up');
  }
  const clients = await connectToStack(handle.info);
  const { info } = handle;
  const sns = new SNSClient({ region: 'us-east-1', endpoint: info.sqsEndpoint, credentials: EMULATOR_CREDENTIALS });
  const children: ChildProcess[] = [];

  const stack: BenchStack = {
    info,
    config: clients.config,
    startedHere: handle.startedHere,
    sourceConfig,
    handle,
    connection: clients.connection,
    temporal: clients.temporal,
    rsms: clients.client,
    sqs: handle.sqs(),
    sns,
    pids() {
      const current = readStackInfo(handle.dataDir) ?? info;
      const pids: Record<string, number | undefined> = {};
      for (const name of ['temporal', 'sqs', 'simulator', 'worker', 'ingester']) pids[name] = current.processes[name];
      const noop = children.find((c) => c.exitCode === null);
      if (noop?.pid) pids['noop-worker'] = noop.pid;
      return pids;
    },
    sim: handle.sim,
    metrics: (which) => scrapeMetrics(info.metrics?.[which]),
    async polled(taskQueue) {
      return workerPolling(clients.temporal, info.namespace, taskQueue);
    },
    async startNoopWorker() {
      const child = await startNoopWorker(info, () => stack.polled(NOOP_TASK_QUEUE));
      children.push(child);
      return child;
    },
    async stop() {
      for (const c of children) {
        if (c.exitCode === null) {
          c.kill('SIGTERM');
          if (!(await waitForExit(c, 15_000))) c.kill('SIGKILL');
        }
      }
      sns.destroy();
      await clients.close();
      await handle.stop();
    },
  };
  return stack;
}

/** A Prometheus endpoint's samples: `name{labels}` -> value (none when it cannot be read). */
async function scrapeMetrics(url: string | undefined): Promise<Map<string, number>> {
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
}

/** The bench-only no-op worker (bench/bench-worker.ts) on the stack's server, once it polls. */
async function startNoopWorker(info: StackInfo, polling: () => Promise<boolean>): Promise<ChildProcess> {
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
  const deadline = Date.now() + 120_000;
  while (!(await polling())) {
    if (child.exitCode !== null) throw new Error(`no-op worker exited (${child.exitCode}): ${err}`);
    if (Date.now() > deadline) throw new Error(`no-op worker not polling after 120 s: ${err}`);
    await sleep(100);
  }
  return child;
}
