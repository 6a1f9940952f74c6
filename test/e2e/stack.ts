/**
 * Starts the real local stack (`resilient-sms dev --ports auto`) as a separate process, exactly as
 * a user would, and gives tests what they need to drive it: the typed client on the stack's
 * effective config, the simulator's admin API, and the SQS emulator.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Client, Connection } from '@temporalio/client';
import { ResilientSmsClient } from '../../src/client';
import { dataConverterFor } from '../../src/codec/data-converter';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/domain/config';
import { EMULATOR_CREDENTIALS } from '../../src/tools/provision-emulator';
import { waitForExit } from '../../src/tools/service-process';
import { findRepoRoot } from '../../src/tools/temporal-cli';
import type { StackInfo } from '../../src/workers/local-stack';

const root = findRepoRoot(__dirname);

export interface Stack {
  info: StackInfo;
  config: Config;
  client: ResilientSmsClient;
  temporal: Client;
  sqs: SQSClient;
  launcher: ChildProcess;
  output(): string;
  readInfo(): StackInfo;
  /** POST/DELETE/GET on the simulator's admin API. */
  sim<T = unknown>(method: string, route: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** Compile src/ to lib/ (incremental): the stack runs the built CLI, as `npm start` does. */
export function buildOnce(): void {
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}

export async function startStack(configFile: string, opts: { ui?: boolean } = {}): Promise<Stack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-e2e-'));
  const launcher = spawn(
    process.execPath,
    [
      path.join(root, 'lib/src/cli/main.js'),
      '--config',
      configFile,
      'dev',
      '--data',
      dataDir,
      '--ports',
      'auto',
      // The Web UI only when a test needs it (test/browser): it costs start-up time.
      ...(opts.ui ? [] : ['--headless']),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  launcher.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  launcher.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const readInfo = () => JSON.parse(fs.readFileSync(path.join(dataDir, 'stack.json'), 'utf8')) as StackInfo;

  const deadline = Date.now() + 120_000;
  while (!output.includes('local stack is up')) {
    if (launcher.exitCode !== null) throw new Error(`local stack exited (${launcher.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      launcher.kill('SIGKILL');
      throw new Error(`local stack not up after 120 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const info = readInfo();
  const config = loadConfig(info.configPath);
  const connection = await Connection.connect({ address: info.temporalAddress });
  // The stack encrypts payloads (keys in <data>/keys.env, named by the effective config).
  const temporal = new Client({ connection, namespace: info.namespace, dataConverter: dataConverterFor(config) });
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: info.sqsEndpoint, credentials: EMULATOR_CREDENTIALS });

  return {
    info,
    config,
    client: new ResilientSmsClient(config, temporal),
    temporal,
    sqs,
    launcher,
    output: () => output,
    readInfo,
    async sim<T>(method: string, route: string, body?: unknown): Promise<T> {
      const res = await fetch(`${info.simulatorUrl}${route}`, {
        method,
        headers: body === undefined ? undefined : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 400) throw new Error(`${method} ${route} -> ${res.status}: ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
    async stop() {
      sqs.destroy();
      await connection.close();
      launcher.kill('SIGTERM');
      if (!(await waitForExit(launcher, 30_000))) launcher.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
