/**
 * One handle on a local stack for whoever drives it from outside (the end-to-end tests, the chaos suite, the game
 * day, the benchmark): `startStack` runs `resilient-sms dev --ports auto` (./launcher.ts) as a child process in a data
 * folder, exactly as a user would, and waits until it is up; `attachStack` opens one that is already running
 * (`npm start`) by its data folder. Either way the handle reads `<data>/stack.json` (endpoints, config, pids),
 * talks to the simulator's admin API and the SQS emulator, kills or freezes one child (the launcher restarts it),
 * and stops what it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EMULATOR_CREDENTIALS } from '../tools/provision-emulator';
import { sleep, waitForExit } from '../tools/service-process';
import { findRepoRoot } from '../tools/temporal-cli';
import { stackInfoFile, type StackInfo } from './stack-info';

/** The children a handle can kill or freeze by the pid stack.json gives (the launcher restarts each). */
export type StackChild = 'worker' | 'ingester' | 'temporal' | 'simulator' | 'api';

export interface StackHandle {
  dataDir: string;
  /** stack.json when the handle was opened. */
  info: StackInfo;
  /** Whether this handle started the stack (and so stops it). */
  startedHere: boolean;
  /** stack.json as the launcher last wrote it (pids change when it restarts a child). */
  readInfo: () => StackInfo;
  /** Everything the launcher printed ('' for an attached stack). */
  output: () => string;
  /** A call to the simulator's admin API (`/_sim/...`), its JSON answer. */
  sim: <T = unknown>(method: string, route: string, body?: unknown) => Promise<T>;
  /** An SQS client on the emulator (queues live in their Region there). Default us-east-1. */
  sqs(region?: string): SQSClient;
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
  /** Closes the handle's clients; stops the stack when it was started here. */
  stop(): Promise<void>;
}

export interface StartStackOptions {
  configPath: string;
  dataDir: string;
  /** Remove the data folder once the stack has stopped. Default false. */
  removeDataDir?: boolean;
  /** With the Temporal Web UI (costs start-up time). Default headless. */
  ui?: boolean;
  /** Default 180 s. */
  startTimeoutMs?: number;
  /** How long the launcher may take to stop everything before it is killed. Default 60 s. */
  stopTimeoutMs?: number;
  /** Progress lines of the launcher (`[dev] … restarted`). */
  onLine?: (line: string) => void;
}

/** The built CLI (`npm run build`), which the launcher and every child run. */
export function builtCli(): string {
  const cli = path.join(findRepoRoot(__dirname), 'lib', 'src', 'cli', 'main.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} not found: build first (npm run build)`);
  return cli;
}

/** The launcher process, its output kept (the last 200 000 characters) and copied to <data>/launcher.log. */
interface Launcher {
  process: ChildProcess;
  output: () => string;
  exited(): boolean;
  stop(timeoutMs: number): Promise<void>;
}

function spawnLauncher(opts: StartStackOptions): Launcher {
  const args = ['--config', opts.configPath, 'dev', '--data', opts.dataDir, '--ports', 'auto'];
  const child = spawn(process.execPath, [builtCli(), ...args, ...(opts.ui ? [] : ['--headless'])], {
    cwd: findRepoRoot(__dirname),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logFile = fs.createWriteStream(path.join(opts.dataDir, 'launcher.log'), { flags: 'a' });
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
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  // Never leave a stack behind when this process exits without stopping it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    process: child,
    output: () => output,
    exited,
    async stop(timeoutMs) {
      process.off('exit', killOnExit);
      if (!exited()) {
        child.kill('SIGTERM');
        if (!(await waitForExit(child, timeoutMs))) child.kill('SIGKILL');
      }
      await new Promise<void>((r) => logFile.end(() => r()));
    },
  };
}

async function waitUntilUp(launcher: Launcher, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!launcher.output().includes('local stack is up')) {
    if (launcher.exited()) {
      const { exitCode, signalCode } = launcher.process;
      await launcher.stop(0);
      throw new Error(`the local stack exited (${exitCode ?? signalCode}):\n${launcher.output().slice(-4000)}`);
    }
    if (Date.now() > deadline) {
      launcher.process.kill('SIGKILL');
      await launcher.stop(0);
      throw new Error(`the local stack was not up after ${timeoutMs} ms:\n${launcher.output().slice(-4000)}`);
    }
    await sleep(100);
  }
}

/** Starts a local stack in `opts.dataDir` and resolves once it is up. */
export async function startStack(opts: StartStackOptions): Promise<StackHandle> {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const launcher = spawnLauncher(opts);
  try {
    await waitUntilUp(launcher, opts.startTimeoutMs ?? 180_000);
  } catch (err) {
    if (opts.removeDataDir) fs.rmSync(opts.dataDir, { recursive: true, force: true });
    throw err;
  }
  return openHandle(opts.dataDir, {
    output: launcher.output,
    stop: async () => {
      await launcher.stop(opts.stopTimeoutMs ?? 60_000);
      if (opts.removeDataDir) fs.rmSync(opts.dataDir, { recursive: true, force: true });
    },
  });
}

/** A handle on the stack running with its data in `dataDir` (started elsewhere: stopping the handle leaves it up). */
export function attachStack(dataDir: string): StackHandle {
  const dir = path.resolve(dataDir);
  if (!fs.existsSync(stackInfoFile(dir))) {
    throw new Error(`no stack.json in ${dir}: is a stack running there (npm start -- --data ${dir})?`);
  }
  return openHandle(dir);
}

/** stack.json, read again when a read catches the launcher rewriting it (half-written). */
function readInfoRetrying(dataDir: string): StackInfo {
  for (let i = 0; ; i++) {
    try {
      return JSON.parse(fs.readFileSync(stackInfoFile(dataDir), 'utf8')) as StackInfo;
    } catch (err) {
      if (i >= 20) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); // 10 ms, then read again
    }
  }
}

async function simulatorCall<T>(simulatorUrl: string, method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${simulatorUrl}${route}`, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`simulator ${method} ${route} -> ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

function openHandle(dataDir: string, launcher?: { output(): string; stop(): Promise<void> }): StackHandle {
  const readInfo = () => readInfoRetrying(dataDir);
  const info = readInfo();
  const sqsClients = new Map<string, SQSClient>();
  const pidOf = (child: StackChild): number => {
    const pid = readInfo().processes[child];
    if (pid === undefined) throw new Error(`stack.json names no ${child} process`);
    return pid;
  };
  const output = () => launcher?.output() ?? '';
  return {
    dataDir,
    info,
    startedHere: launcher !== undefined,
    readInfo,
    output,
    sim: (method, route, body) => simulatorCall(info.simulatorUrl, method, route, body),
    sqs(region = 'us-east-1') {
      let client = sqsClients.get(region);
      if (!client) {
        client = new SQSClient({ region, endpoint: info.sqsEndpoint, credentials: EMULATOR_CREDENTIALS });
        sqsClients.set(region, client);
      }
      return client;
    },
    async kill(child, signal, timeoutMs = 120_000) {
      const pid = pidOf(child);
      const started = Date.now();
      process.kill(pid, signal);
      if (signal !== 'SIGKILL') process.kill(pid, 'SIGCONT'); // in case it was frozen (SIGSTOP)
      for (;;) {
        const now = readInfo().processes[child];
        if (now !== undefined && now !== pid) return { pid, newPid: now, ms: Date.now() - started };
        if (Date.now() - started > timeoutMs) {
          throw new Error(`${child} (pid ${pid}) was not restarted within ${timeoutMs} ms:\n${output().slice(-4000)}`);
        }
        await sleep(100);
      }
    },
    async freeze(child, ms) {
      process.kill(pidOf(child), 'SIGSTOP');
      await sleep(ms);
    },
    async stop() {
      for (const client of sqsClients.values()) client.destroy();
      sqsClients.clear();
      await launcher?.stop();
    },
  };
}
