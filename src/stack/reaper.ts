/**
 * The local stack's safety net for a launcher that dies without stopping its children (SIGKILL, the OOM killer,
 * a crash in native code): a small separate process (`node reaper.js`) whose stdin is a pipe from the launcher.
 * The launcher writes `+<pid>` for every child it spawns and `-<pid>` when one exits; when the pipe closes —
 * which the kernel does the moment the launcher is gone, however it died — the reaper sends SIGTERM to every
 * pid still listed, SIGKILL to those still alive after the grace period, and exits.
 *
 * Why a pipe and not the alternatives: Linux's PR_SET_PDEATHSIG is not reachable from Node without a native
 * addon and does not exist on macOS; polling the parent pid misses re-parenting to a subreaper (containers,
 * systemd --user) and only works for the Node children (the Temporal CLI and moto cannot be taught to poll).
 * An end of file on a pipe needs neither: one process watches every child, whatever language it is written in.
 *
 * The reaper ignores SIGINT, SIGTERM and SIGHUP: Ctrl-C reaches the whole process group, and the launcher's
 * orderly stop must keep its safety net until it is done. It exits when the pipe closes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { onServiceSpawn } from '../tools/service-process';

/** How long the reaper waits after SIGTERM before SIGKILL. */
const GRACE_MS = 10_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** The reaper process's main: reads the pid list from stdin until it closes, then stops what is listed. */
export function runReaper(input: NodeJS.ReadableStream = process.stdin): void {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => undefined);
  const pids = new Set<number>();
  let buffered = '';
  input.setEncoding('utf8');
  input.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const pid = Number(line.slice(1));
      if (!Number.isInteger(pid) || pid <= 0) continue;
      if (line.startsWith('+')) pids.add(pid);
      else if (line.startsWith('-')) pids.delete(pid);
    }
  });
  let reaping = false;
  const reap = () => {
    if (reaping) return;
    reaping = true;
    const left = [...pids].filter(alive);
    for (const pid of left) signal(pid, 'SIGTERM');
    const deadline = Date.now() + GRACE_MS;
    const poll = setInterval(() => {
      const still = left.filter(alive);
      if (still.length > 0 && Date.now() < deadline) return;
      for (const pid of still) signal(pid, 'SIGKILL');
      clearInterval(poll);
      process.exit(0);
    }, 100);
  };
  input.on('end', reap);
  input.on('close', reap);
  input.on('error', reap);
}

/** A reaper for this process's children: every service spawned from now on is listed with it. */
export interface Reaper {
  /** The launcher stopped its children itself: closes the pipe (the reaper finds nothing left and exits). */
  release(): void;
}

export function startReaper(): Reaper {
  const child: ChildProcess = spawn(process.execPath, [path.join(__dirname, 'reaper.js')], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  const stdin = child.stdin;
  child.unref();
  // Neither the pipe nor the process keep the launcher alive; a write after the reaper died is ignored.
  (stdin as unknown as { unref?: () => void } | null)?.unref?.();
  stdin?.on('error', () => undefined);
  child.on('error', () => undefined);
  const unsubscribe = onServiceSpawn({
    spawned: (pid) => stdin?.write(`+${pid}\n`),
    exited: (pid) => stdin?.write(`-${pid}\n`),
  });
  return {
    release() {
      unsubscribe();
      stdin?.end();
    },
  };
}

if (require.main === module) runReaper();
