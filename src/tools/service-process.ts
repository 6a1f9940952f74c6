/**
 * Spawning a local service process (Temporal dev server, SQS/SNS emulator, simulator, worker) and
 * waiting until it is ready: one implementation for every child our scripts and tests start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

export interface ServiceOptions {
  /** Name used in errors and logs. */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** `'inherit'` (to this process's stderr), `'ignore'`, or a file path (appended). Default `'ignore'`. */
  log?: string;
  /** Resolves true once the service answers. Polled every 100 ms. */
  ready: () => Promise<boolean>;
  /** Default 30 s. */
  startTimeoutMs?: number;
}

export interface ServiceProcess {
  process: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5 s). Resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves when the process exits, with its code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const OUTPUT_TAIL_CHARS = 8_000;

/** Told about every process {@link startService} spawns in this process (the local stack's reaper). */
export interface SpawnObserver {
  spawned(pid: number): void;
  exited(pid: number): void;
}
const spawnObservers = new Set<SpawnObserver>();

/** Registers an observer of every service spawned from now on; returns its removal. */
export function onServiceSpawn(observer: SpawnObserver): () => void {
  spawnObservers.add(observer);
  return () => spawnObservers.delete(observer);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    child.once('exit', onExit);
  });
}

export function tcpProbe(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** GET `url` and report whether it answered with a status below 500. */
export async function httpProbe(url: string, timeoutMs = 1_000): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status < 500;
  } catch {
    return false;
  }
}

export async function startService(opts: ServiceOptions): Promise<ServiceProcess> {
  const child = spawn(opts.command, opts.args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: opts.env ?? process.env,
    cwd: opts.cwd,
  });
  let tail = '';
  const logTarget = opts.log ?? 'ignore';
  const logFile =
    logTarget !== 'inherit' && logTarget !== 'ignore' ? fs.createWriteStream(logTarget, { flags: 'a' }) : undefined;
  const onOutput = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    if (logTarget === 'inherit') process.stderr.write(chunk);
    else logFile?.write(chunk);
  };
  child.stdout?.on('data', onOutput);
  child.stderr?.on('data', onOutput);
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });
  const pid = child.pid;
  if (pid !== undefined) for (const o of spawnObservers) o.spawned(pid);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      if (pid !== undefined) for (const o of spawnObservers) o.exited(pid);
      resolve({ code, signal });
    }),
  );
  // Best effort: never leave an orphan behind when this process exits without calling stop().
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 5_000): Promise<void> => {
    stopping ??= (async () => {
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        if (!(await waitForExit(child, graceMs))) {
          child.kill('SIGKILL');
          await waitForExit(child, 5_000);
        }
      }
      await new Promise<void>((r) => (logFile ? logFile.end(() => r()) : r()));
    })();
    return stopping;
  };

  const describe = () =>
    `${opts.name} (${opts.command} ${opts.args.join(' ')})` + (tail ? `\n--- output ---\n${tail.trimEnd()}` : '');
  const started = Date.now();
  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  try {
    for (;;) {
      if (spawnError) throw new Error(`failed to spawn ${describe()}: ${spawnError.message}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`exited early (code ${child.exitCode}, signal ${child.signalCode}): ${describe()}`);
      }
      if (Date.now() - started > timeoutMs) throw new Error(`not ready after ${timeoutMs} ms: ${describe()}`);
      if (await opts.ready()) break;
      await sleep(100);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { process: child, stop, exited };
}
