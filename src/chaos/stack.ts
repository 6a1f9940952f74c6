/**
 * The chaos suite's handle on a real local stack: `resilient-sms dev --ports auto --headless` started as its own
 * process (what `npm start` runs), its `stack.json` (pids and endpoints), the simulator's admin API, the SQS
 * emulator, and killing a child by the pid the launcher wrote.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { EMULATOR_CREDENTIALS } from '../tools/provision-emulator';
import { sleep, waitForExit } from '../tools/service-process';
import { findRepoRoot } from '../tools/temporal-cli';
import type { StackInfo } from '../workers/local-stack';

export type StackChild = 'worker' | 'ingester' | 'temporal' | 'simulator';

export interface ChaosStack {
  info: StackInfo;
  dataDir: string;
  /** stack.json as the launcher last wrote it (pids change when it restarts a child). */
  readInfo(): StackInfo;
  /** Everything the launcher printed. */
  output(): string;
  sim<T = unknown>(method: string, route: string, body?: unknown): Promise<T>;
  /** Messages on a queue, visible or in flight (queues live in their Region on the emulator). */
  queueDepth(queue: QueueRef): Promise<number>;
  sendRaw(queue: QueueRef, body: string): Promise<void>;
  /**
   * Sends `signal` to a child and resolves once the launcher has written a new pid for it (it restarts dead
   * children), with the time that took.
   */
  kill(
    child: StackChild,
    signal: NodeJS.Signals,
    timeoutMs?: number,
  ): Promise<{ pid: number; newPid: number; ms: number }>;
  /** SIGSTOPs a child, then waits `ms`: it hangs (connections stay open, nothing answers) until killed. */
  freeze(child: StackChild, ms: number): Promise<void>;
  stop(): Promise<void>;
}

export interface QueueRef {
  queueUrl: string;
  region: string;
}

export interface StartStackOptions {
  configPath: string;
  dataDir: string;
  /** Default 180 s. */
  startTimeoutMs?: number;
  /** Progress lines of the launcher (`[dev] … restarted`). */
  onLine?: (line: string) => void;
}

/** The built CLI (`npm run build`), which the launcher and every child run. */
export function builtCli(): string {
  const cli = path.join(findRepoRoot(__dirname), 'lib', 'src', 'cli', 'main.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} not found: build first (npm run build)`);
  return cli;
}

export async function startChaosStack(opts: StartStackOptions): Promise<ChaosStack> {
  const cli = builtCli();
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const logFile = fs.createWriteStream(path.join(opts.dataDir, 'launcher.log'), { flags: 'a' });
  const launcher: ChildProcess = spawn(
    process.execPath,
    [cli, '--config', opts.configPath, 'dev', '--data', opts.dataDir, '--ports', 'auto', '--headless'],
    { cwd: findRepoRoot(__dirname), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  let partial = '';
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-200_000);
    logFile.write(chunk);
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('[dev]')) opts.onLine?.(line);
  };
  launcher.stdout?.on('data', onData);
  launcher.stderr?.on('data', onData);
  const killOnExit = () => launcher.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stackFile = path.join(opts.dataDir, 'stack.json');
  // The launcher rewrites stack.json whenever it restarts a child: a read may catch it half-written.
  const readInfo = (): StackInfo => {
    for (let i = 0; ; i++) {
      try {
        return JSON.parse(fs.readFileSync(stackFile, 'utf8')) as StackInfo;
      } catch (err) {
        if (i >= 20) throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); // 10 ms, then read again
      }
    }
  };
  const deadline = Date.now() + (opts.startTimeoutMs ?? 180_000);
  while (!output.includes('local stack is up')) {
    if (launcher.exitCode !== null || launcher.signalCode !== null) {
      process.off('exit', killOnExit);
      throw new Error(`the local stack exited (${launcher.exitCode ?? launcher.signalCode}):\n${output.slice(-4000)}`);
    }
    if (Date.now() > deadline) {
      launcher.kill('SIGKILL');
      process.off('exit', killOnExit);
      throw new Error(`the local stack was not up after ${opts.startTimeoutMs ?? 180_000} ms:\n${output.slice(-4000)}`);
    }
    await sleep(100);
  }
  const info = readInfo();
  const sqsClients = new Map<string, SQSClient>();
  const sqs = (region: string): SQSClient => {
    let client = sqsClients.get(region);
    if (!client) {
      client = new SQSClient({ region, endpoint: info.sqsEndpoint, credentials: EMULATOR_CREDENTIALS });
      sqsClients.set(region, client);
    }
    return client;
  };

  const sim = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${info.simulatorUrl}${route}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`simulator ${method} ${route} -> ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };

  return {
    info,
    dataDir: opts.dataDir,
    readInfo,
    output: () => output,
    sim,
    async queueDepth({ queueUrl, region }) {
      const out = await sqs(region).send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return (
        Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
        Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
      );
    },
    async sendRaw({ queueUrl, region }, body) {
      await sqs(region).send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    },
    async kill(child, signal, timeoutMs = 120_000) {
      const pid = readInfo().processes[child];
      if (pid === undefined) throw new Error(`stack.json names no ${child} process`);
      const started = Date.now();
      process.kill(pid, signal);
      if (signal !== 'SIGKILL') process.kill(pid, 'SIGCONT'); // in case it was frozen (SIGSTOP)
      for (;;) {
        const now = readInfo().processes[child];
        if (now !== undefined && now !== pid) return { pid, newPid: now, ms: Date.now() - started };
        if (Date.now() - started > timeoutMs) {
          throw new Error(`${child} (pid ${pid}) was not restarted within ${timeoutMs} ms:\n${output.slice(-4000)}`);
        }
        await sleep(100);
      }
    },
    async freeze(child, ms) {
      const pid = readInfo().processes[child];
      if (pid === undefined) throw new Error(`stack.json names no ${child} process`);
      process.kill(pid, 'SIGSTOP');
      await sleep(ms);
    },
    async stop() {
      process.off('exit', killOnExit);
      for (const client of sqsClients.values()) client.destroy();
      if (launcher.exitCode === null && launcher.signalCode === null) {
        launcher.kill('SIGTERM');
        if (!(await waitForExit(launcher, 30_000))) launcher.kill('SIGKILL');
      }
      await new Promise<void>((r) => logFile.end(() => r()));
    },
  };
}
