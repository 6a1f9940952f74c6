/**
 * The pumping game day (`npm run gameday -- --only pumping`, issue 14): on a local stack of its own (or one handed in)
 * with the pumping guard on (`GAMEDAY_PUMPING`, written into the stack's effective config; the worker and the API
 * restarted to read it), one minute of an SMS pumping attack (300 one-time passwords to numbers of one premium
 * prefix, nobody ever confirms one) amid normal one-time passwords (random US numbers, each confirmed with feedback
 * RECEIVED a second after its first send was accepted). Once the guard has tripped (10 s in at the latest), the primary account reaches
 * its spend limit (a simulator fault), as a real attack would make it. Then the figures of ./pumping-figures.ts against the targets,
 * written to bench/gameday-pumping.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seededRandom } from '../simulator/chaos';
import { connectToStack, type StackClients } from '../stack/clients';
import { startStack, type StackHandle } from '../stack/handle';
import { PumpingOperators } from '../pumping/operators';
import { findRepoRoot } from '../tools/temporal-cli';
import { sleep } from '../tools/service-process';
import { GAMEDAY_USE_CASE } from './options';
import { pumpingFigures, type PumpingFigures, type PumpingMessage } from './pumping-figures';

/** The guard as the game day runs it (docs/pumping.md explains each default; these are the documented ones). */
export const GAMEDAY_PUMPING = {
  enabled: true,
  prefixLength: 7,
  velocity: {
    otp: [
      { scope: 'number', limit: 3, window: '10m' },
      { scope: 'prefix', limit: 20, window: '60s' },
      { scope: 'country', limit: 1000, window: '60s' },
    ],
  },
  conversion: { useCases: ['otp'], threshold: 0.2, minVolume: 20, window: '10m', feedbackWait: '20s', blockFor: '30m' },
};

/** US premium-rate numbers (NPA 900, exchange 234: valid per libphonenumber); the prefix the attack aims at. */
export const ATTACK_PREFIX = '+1900234';
const AREA_CODES = ['206', '212', '303', '312', '404', '415', '425', '503', '617', '702', '713', '808', '917', '972'];

export interface PumpingGamedayOptions {
  attackRequests: number;
  durationMs: number;
  /** Normal one-time passwords per second. */
  normalRate: number;
  /** After the last start, how long records may take to settle before they are read. */
  settleMs: number;
  configPath?: string;
  out?: string;
  log?: (line: string) => void;
}

export const DEFAULT_PUMPING_GAMEDAY: PumpingGamedayOptions = {
  attackRequests: 300,
  durationMs: 60_000,
  normalRate: 5,
  settleMs: 15_000,
};

export interface PumpingGamedayReport {
  schema: 1;
  startedAt: string;
  options: Omit<PumpingGamedayOptions, 'log' | 'out' | 'configPath'>;
  guard: typeof GAMEDAY_PUMPING;
  spendLimitAt?: number;
  figures: PumpingFigures;
  machine: { cpus: number; loadAverage: number[] };
}

/** Puts the guard into the stack's effective config and restarts the children that read it. */
async function enableGuard(stack: StackHandle, log: (l: string) => void): Promise<void> {
  const file = stack.info.configPath;
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(file, JSON.stringify({ ...raw, pumping: GAMEDAY_PUMPING }, null, 2));
  for (const child of ['worker', 'api'] as const) {
    if (stack.readInfo().processes[child] === undefined) continue;
    const { ms } = await stack.kill(child, 'SIGTERM');
    log(`[gameday] pumping guard on: ${child} restarted (${(ms / 1000).toFixed(1)} s)`);
  }
}

function digits(random: () => number, n: number): string {
  return Array.from({ length: n }, () => String(Math.floor(random() * 10))).join('');
}

/** A valid US number: a real area code, an exchange 200–999, any line. */
function normalNumber(random: () => number): string {
  const area = AREA_CODES[Math.floor(random() * AREA_CODES.length)];
  return `+1${area}${200 + Math.floor(random() * 800)}${digits(random, 4)}`;
}

/** Starts `count` messages evenly over `durationMs`, each through `start` (in the background, at most 32 at once). */
async function paced(count: number, durationMs: number, start: (i: number) => Promise<void>): Promise<void> {
  const t0 = Date.now();
  const running = new Set<Promise<void>>();
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * durationMs) / count;
    if (due > Date.now()) await sleep(due - Date.now());
    while (running.size >= 32) await Promise.race(running);
    const p = start(i).finally(() => running.delete(p));
    running.add(p);
  }
  await Promise.all(running);
}

interface Traffic {
  clients: StackClients;
  runId: string;
  messages: (PumpingMessage & { key: string })[];
  random: () => number;
}

async function send(t: Traffic, kind: 'attack' | 'normal', i: number, destination: string): Promise<string> {
  const key = `pumping-${t.runId}-${kind}-${i}`;
  const m = { kind, key, startedAt: Date.now() };
  t.messages.push(m);
  await t.clients.client.sendMessage({
    destination,
    body: `Your code is ${100000 + i}`,
    useCase: GAMEDAY_USE_CASE,
    idempotencyKey: key,
  });
  return key;
}

/**
 * Waits until the message's first send was accepted (its status shows an attempt sent); false when it ended without
 * one or `timeoutMs` passed. A user confirms a code only once it was sent: confirmed from its start instead, a
 * message its worker had not got to yet ended CONFIRMED with nothing sent, and a loaded machine's normal traffic
 * never met the spend limit.
 */
async function firstSend(clients: StackClients, key: string, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const record = await clients.client.getStatus(key).catch(() => undefined);
    if (record?.attempts.some((a) => a.sentAt !== undefined)) return true;
    if (record && record.status !== 'IN_PROGRESS') return false;
    await sleep(500);
  }
  return false;
}

/** A normal user: a second after the code was sent, types it (feedback RECEIVED); nothing when it was never sent. */
async function confirmOnceSent(clients: StackClients, key: string, log: (l: string) => void): Promise<void> {
  if (!(await firstSend(clients, key, 60_000))) return;
  await sleep(1_000);
  await clients.client
    .recordFeedback(key, 'RECEIVED')
    .catch((err: Error) => log(`[gameday] feedback ${key}: ${err.message}`));
}

/** Polls the guard until the attack's prefix is held back (or `until`); resolves with when it was seen. */
async function guardTripped(
  ops: PumpingOperators,
  until: number,
  log: (l: string) => void,
): Promise<number | undefined> {
  let told = false;
  while (Date.now() < until) {
    const answer = await ops.list().catch((err: Error) => {
      if (!told) log(`[gameday] cannot read the pumping guard (tried again): ${err.message}`);
      told = true;
      return undefined;
    });
    if (answer?.view?.keys.some((k) => k.key === `prefix:${ATTACK_PREFIX}` && k.state)) return Date.now();
    await sleep(500);
  }
  return undefined;
}

async function play(
  stack: StackHandle,
  o: PumpingGamedayOptions,
  log: (l: string) => void,
): Promise<PumpingGamedayReport> {
  const startedAt = new Date().toISOString();
  await enableGuard(stack, log);
  const clients = await connectToStack(stack.readInfo());
  const primary = clients.config.routes[0];
  const secondary = clients.config.routes.find((r) => r.account !== primary.account)!.account;
  const t: Traffic = {
    clients,
    runId: String(Date.now() % 1e8),
    messages: [],
    random: seededRandom(Date.now() % 2 ** 31),
  };
  let faultId: string | undefined;
  let spendLimitAt: number | undefined;
  const confirmations: Promise<void>[] = [];
  try {
    const ops = new PumpingOperators({ client: clients.temporal, config: clients.config });
    const end = Date.now() + o.durationMs;
    // The attack drains the primary account: its spend limit from when the guard is seen tripped, or 10 s in at the
    // latest (the guard's view is a query, which a loaded machine may not answer in time).
    const spendLimit = guardTripped(ops, Math.min(end, Date.now() + 10_000), log).then(async () => {
      const fault = {
        match: { account: primary.account, region: primary.region },
        effect: { api: 'spend-limit' },
        forMs: o.durationMs + 120_000,
      };
      faultId = (await stack.sim<{ id: string }>('POST', '/_sim/faults', fault)).id;
      spendLimitAt = Date.now();
      log(`[gameday] spend limit on ${primary.account}/${primary.region} from now on`);
    });
    log(
      `[gameday] pumping: ${o.attackRequests} attack OTPs to ${ATTACK_PREFIX}… and ${o.normalRate}/s normal OTPs for ${o.durationMs / 1000} s`,
    );
    await Promise.all([
      paced(o.attackRequests, o.durationMs, (i) =>
        send(t, 'attack', i, `${ATTACK_PREFIX}${digits(t.random, 4)}`).then(() => undefined),
      ),
      paced(Math.round((o.normalRate * o.durationMs) / 1000), o.durationMs, async (i) => {
        const key = await send(t, 'normal', i, normalNumber(t.random));
        // The user types the code once it came: in the background, so that the starts keep their pace.
        confirmations.push(confirmOnceSent(clients, key, log));
      }),
      spendLimit,
    ]);
    await Promise.all(confirmations);
    log(`[gameday] traffic done; ${o.settleMs / 1000} s for the records to settle`);
    await sleep(o.settleMs);
    for (const m of t.messages) m.record = await clients.client.getStatus(m.key).catch(() => undefined);
    return {
      schema: 1,
      startedAt,
      options: {
        attackRequests: o.attackRequests,
        durationMs: o.durationMs,
        normalRate: o.normalRate,
        settleMs: o.settleMs,
      },
      guard: GAMEDAY_PUMPING,
      spendLimitAt,
      figures: pumpingFigures(t.messages, secondary),
      machine: { cpus: os.cpus().length, loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100) },
    };
  } finally {
    if (faultId) await stack.sim('DELETE', `/_sim/faults/${faultId}`).catch(() => undefined);
    await clients.close();
  }
}

/** Plays it on `given` (left running) or on a stack started here and stopped at the end. */
export async function runPumpingGameday(
  partial: Partial<PumpingGamedayOptions> = {},
  given?: StackHandle,
): Promise<PumpingGamedayReport> {
  const o = {
    ...DEFAULT_PUMPING_GAMEDAY,
    ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)),
  };
  const log = o.log ?? (() => {});
  const root = findRepoRoot(__dirname);
  const dataDir = given?.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-gameday-pumping-'));
  let stack = given;
  try {
    if (!stack) {
      log(`[gameday] starting the local stack (data: ${dataDir})`);
      const configPath = o.configPath ?? path.join(root, 'config', 'local.yaml');
      stack = await startStack({ configPath, dataDir, startTimeoutMs: 180_000, stopTimeoutMs: 30_000 });
    }
    const report = await play(stack, o, log);
    const out = o.out ?? path.join(root, 'bench', 'gameday-pumping.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    if (stack && !given) await stack.stop();
    if (!given) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
