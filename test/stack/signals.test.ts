/**
 * Stopping the local stack from outside (issue 18.2): a SIGTERM to `npm start`'s own pid stops every process of
 * the stack (npm forwards it to its one child, which package.json's `exec bash scripts/start.sh` and the script's
 * `exec node` make the launcher itself), and a launcher killed with SIGKILL leaves no child behind (the reaper,
 * src/stack/reaper.ts). Both run the built lib/ (RSMS_SKIP_BUILD=1: the global setup built it) in a scratch data
 * folder on free ports, headless. Linux only: the process tree is read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack } from '../../src/stack/handle';
import { sleep } from '../../src/tools/service-process';
import { requireBuiltLib } from '../helpers/build-lib';

const root = path.resolve(__dirname, '..', '..');
const config = path.join(root, 'test', 'e2e', 'config.yaml');
const linux = process.platform === 'linux';

/** Every live descendant of `pid` (children, grandchildren, …), from /proc/<pid>/stat. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const next = [...parentOf].filter(([, ppid]) => frontier.includes(ppid)).map(([child]) => child);
    found.push(...next);
    frontier = next;
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie (exited, not yet reaped by its parent) is gone for our purpose.
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Waits (up to `ms`) for every pid to be gone; returns those still alive. */
async function survivors(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = pids.filter(alive);
    if (left.length === 0 || Date.now() > deadline) return left;
    await sleep(200);
  }
}

function describe_(pids: number[]): string {
  return pids
    .map((pid) => {
      try {
        return `${pid}: ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`;
      } catch {
        return `${pid}: ?`;
      }
    })
    .join('\n');
}

let spawned: ChildProcess | undefined;
let leftovers: number[] = [];

afterEach(() => {
  // Never leave a stack behind, whatever failed.
  for (const pid of leftovers.filter(alive)) process.kill(pid, 'SIGKILL');
  leftovers = [];
  if (spawned && spawned.exitCode === null) spawned.kill('SIGKILL');
});

(linux ? describe : describe.skip)('stopping the local stack from outside', () => {
  beforeAll(() => requireBuiltLib());

  it('a SIGTERM to the `npm start` process stops every process of the stack', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-signals-'));
    let output = '';
    spawned = spawn('npm', ['start', '--', '--config', config, '--data', dataDir, '--ports', 'auto', '--headless'], {
      cwd: root,
      env: { ...process.env, RSMS_SKIP_BUILD: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const npm = spawned;
    npm.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    npm.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const deadline = Date.now() + 120_000;
    while (!output.includes('local stack is up')) {
      if (npm.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
      await sleep(200);
    }
    const tree = descendants(npm.pid!);
    leftovers = tree;
    // npm, the launcher, Temporal, moto, simulator, worker, ingester, codec server, API, the reaper.
    expect(tree.length).toBeGreaterThanOrEqual(9);

    process.kill(npm.pid!, 'SIGTERM');

    const left = await survivors([npm.pid!, ...tree], 60_000);
    expect(describe_(left)).toBe('');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 240_000);

  it('a launcher killed with SIGKILL leaves no child behind', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-sigkill-'));
    const handle = await startStack({ configPath: config, dataDir, removeDataDir: true, startTimeoutMs: 120_000 });
    const launcher = handle.info.pid;
    const tree = descendants(launcher);
    leftovers = tree;
    const children = Object.values(handle.readInfo().processes).filter((p): p is number => p !== undefined);
    expect(tree).toEqual(expect.arrayContaining(children));

    process.kill(launcher, 'SIGKILL');

    const left = await survivors(tree, 60_000);
    expect(describe_(left)).toBe('');
    await handle.stop();
  }, 240_000);
});
