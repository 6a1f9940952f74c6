/**
 * The end-to-end tests' local stack: the shared handle (src/stack/handle.ts) on a temporary data folder, with
 * the typed client on the stack's effective config. It runs lib/, which the global setup builds (test/helpers/build-lib.ts).
 * Also: a stack on test/e2e/config.yaml with a suite's own changes (`startStackWith`), and more worker processes
 * on a running stack (`startWorkerProcess`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Client } from '@temporalio/client';
import { parse, stringify } from 'yaml';
import type { ResilientSmsClient } from '../../src/client';
import type { Config } from '../../src/domain/config';
import { connectToStack } from '../../src/stack/clients';
import { builtCli, startStack as startStackHandle, type StackHandle } from '../../src/stack/handle';
import { startService } from '../../src/tools/service-process';

export interface Stack extends Pick<StackHandle, 'info' | 'output' | 'readInfo' | 'sim'> {
  config: Config;
  client: ResilientSmsClient;
  temporal: Client;
  sqs: SQSClient;
  stop(): Promise<void>;
}

/** The Web UI only when a test needs it (test/browser): it costs start-up time. */
export async function startStack(configFile: string, opts: { ui?: boolean } = {}): Promise<Stack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-e2e-'));
  const handle = await startStackHandle({
    configPath: configFile,
    dataDir,
    removeDataDir: true,
    ui: opts.ui,
    startTimeoutMs: 120_000,
    stopTimeoutMs: 30_000,
  });
  const clients = await connectToStack(handle.info);
  return {
    info: handle.info,
    output: handle.output,
    readInfo: handle.readInfo,
    sim: handle.sim,
    config: clients.config,
    client: clients.client,
    temporal: clients.temporal,
    sqs: handle.sqs(),
    async stop() {
      await clients.close();
      await handle.stop();
    },
  };
}

/** A config file's content as plain data, for a suite to change before a process reads it. */
export type RawConfig = Record<string, unknown>;

/**
 * A stack on test/e2e/config.yaml changed by `edit` (a section added, a policy, an originator's MPS), written to a
 * temporary file that `stop()` removes.
 */
export async function startStackWith(edit: (config: RawConfig) => void, opts: { ui?: boolean } = {}): Promise<Stack> {
  const config = parse(fs.readFileSync(path.join(__dirname, 'config.yaml'), 'utf8')) as RawConfig;
  edit(config);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-e2e-config-'));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  const configPath = path.join(dir, 'config.yaml');
  fs.writeFileSync(configPath, stringify(config));
  let stack: Stack;
  try {
    stack = await startStack(configPath, opts);
  } catch (err) {
    remove();
    throw err;
  }
  return {
    ...stack,
    async stop() {
      try {
        await stack.stop();
      } finally {
        remove();
      }
    },
  };
}

export interface WorkerProcess {
  pid: number;
  /** The identity its Temporal workers poll with (the SDK's default, `<pid>@<host>`). */
  identity: string;
  /** SIGTERM (the worker finishes its tasks in flight), SIGKILL after 15 s; removes its config file. */
  stop(): Promise<void>;
}

/**
 * One more worker process on a running stack (`resilient-sms worker --config …`, from lib/), on the stack's effective
 * config changed by `edit` (written to a temporary file), in the stack's environment (the effective config names
 * its encryption keys' file). Ready once `ready` says so (e.g. its pollers are seen on a task queue).
 */
export async function startWorkerProcess(
  stack: Stack,
  opts: { edit?: (config: RawConfig) => void; ready: () => Promise<boolean> },
): Promise<WorkerProcess> {
  const config = JSON.parse(fs.readFileSync(stack.info.configPath, 'utf8')) as RawConfig;
  opts.edit?.(config);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-e2e-worker-'));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  const configPath = path.join(dir, 'config.json');
  fs.writeFileSync(configPath, JSON.stringify(config, null, 2));
  try {
    const service = await startService({
      name: 'worker',
      command: process.execPath,
      args: [builtCli(), 'worker', '--config', configPath],
      env: { ...process.env, METRICS_PORT: '' },
      ready: opts.ready,
      startTimeoutMs: 90_000,
    });
    const pid = service.process.pid!;
    return {
      pid,
      identity: `${pid}@${os.hostname()}`,
      async stop() {
        try {
          await service.stop(15_000);
        } finally {
          remove();
        }
      },
    };
  } catch (err) {
    remove();
    throw err;
  }
}
