/**
 * 9. Pacing (docs/pacing.md): a burst of notices plus a trickle of one-time passwords through originators with a low
 *    MPS, on the benchmark's stack switched to pacing (its effective config gets a `pacing` section and the MPS below;
 *    the worker, a second worker process, the simulator, the ingester and the API run with it; restored at the end).
 *    From the simulator's send log: per originator, the most sends in any 5 s window against its MPS, and every
 *    ThrottlingException it answered; per OTP, the time from the request to its send. Run only when named
 *    (`--only pacing`): it restarts processes.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ResilientSmsClient } from '../../src/client';
import { loadConfig } from '../../src/config/load';
import { dispatchRate, maxInWindow } from '../../src/domain/pacing';
import type { StackChild } from '../../src/stack/handle';
import { waitForExit } from '../../src/tools/service-process';
import { WORKFLOW_TYPE } from '../../src/workflows/definitions';
import { messageTimeline } from './timeline';
import { RUN_ID, usNumber } from '../lib/drive';
import { CLI, type BenchStack } from '../lib/stack';
import { mapLimit, sleep, summarize, type Summary } from '../lib/stats';

/** The originators the phase paces, by country: the first of each country's list, with a low MPS. */
export const PACED = { US: 5, GB: 3 } as const;
type Country = keyof typeof PACED;

export interface PacingOptions {
  notices: number;
  /** One OTP every `otpEveryMs` while the notices are being sent. */
  otpEveryMs: number;
  timeoutMs: number;
}

export interface OriginatorPace {
  originator: string;
  mps: number;
  /** The dispatch rate the workers asked the server for. */
  rate: number;
  sends: number;
  /** The most sends in any 5 s window, per second. */
  max5sPerS: number;
  ratio: number;
}

export interface PacingResult {
  notices: number;
  otps: number;
  workers: number;
  originators: OriginatorPace[];
  throttled: number;
  /** OTP request → send accepted by the simulator. */
  otpTimeToSendMs?: Summary;
  durationS: number;
}

/** A sent message, as the simulator logged it. */
export interface SendLogEntry {
  originator?: string;
  destination?: string;
  receivedAt: string;
  outcome: string;
  error?: { type: string };
}

/** Per originator: its accepted sends' most in any 5 s window against its MPS. */
export function paceOf(log: readonly SendLogEntry[], mpsByOriginator: Record<string, number>): OriginatorPace[] {
  return Object.entries(mpsByOriginator).map(([originator, mps]) => {
    const times = log
      .filter((m) => m.originator === originator && m.outcome === 'accepted')
      .map((m) => Date.parse(m.receivedAt));
    const max5sPerS = maxInWindow(times, 5_000) / 5;
    return { originator, mps, rate: dispatchRate(mps), sends: times.length, max5sPerS, ratio: max5sPerS / mps };
  });
}

const gbNumber = (i: number) => `+4474001${String(10000 + (i % 90000)).padStart(5, '0')}`;

/** The effective config with pacing on and the low MPS; returns the paced originators' identities by country. */
function pacedConfigText(text: string): { text: string; originators: Record<string, number> } {
  const raw = JSON.parse(text) as {
    originators: Record<string, { identity: string; mps?: number }[]>;
    pacing?: unknown;
  };
  const originators: Record<string, number> = {};
  for (const country of Object.keys(PACED) as Country[]) {
    const first = raw.originators[country][0];
    first.mps = PACED[country];
    originators[first.identity] = PACED[country];
  }
  raw.pacing = { enabled: true };
  return { text: JSON.stringify(raw, null, 2), originators };
}

const READERS: StackChild[] = ['simulator', 'worker', 'ingester', 'api'];

async function restartReaders(stack: BenchStack, log: (line: string) => void): Promise<void> {
  for (const child of READERS) {
    if (stack.handle.readInfo().processes[child] === undefined) continue;
    const { ms } = await stack.handle.kill(child, 'SIGTERM');
    log(`  restarted ${child} (${(ms / 1000).toFixed(1)} s)`);
  }
}

/** Sends the notices as fast as the client starts them, and an OTP every `otpEveryMs` until they are all started. */
async function drive(client: ResilientSmsClient, opts: PacingOptions) {
  const otpStarts = new Map<string, number>();
  const otpIds = new Map<string, string>();
  let started = false;
  const notices = mapLimit([...Array(opts.notices).keys()], 40, async (i) => {
    const destination = i % 2 === 0 ? usNumber(i, '425') : gbNumber(i);
    await client.sendMessage({
      destination,
      body: `Your parcel ${i} is on its way`,
      useCase: 'notice',
      idempotencyKey: `bench-${RUN_ID}-pacing-notice-${i}`,
    });
  }).finally(() => (started = true));
  let n = 0;
  while (!started || n < 4) {
    await sleep(opts.otpEveryMs);
    const destination = n % 2 === 0 ? usNumber(n, '312') : `+4474002${String(10000 + n).padStart(5, '0')}`;
    otpStarts.set(destination, Date.now());
    otpIds.set(destination, `sms:bench-${RUN_ID}-pacing-otp-${n}`);
    void client
      .sendMessage({
        destination,
        body: `Your code is ${100000 + n}`,
        useCase: 'otp',
        idempotencyKey: `bench-${RUN_ID}-pacing-otp-${n}`,
      })
      .catch(() => otpStarts.delete(destination)); // not started: not measured
    n++;
  }
  await notices;
  return { otpStarts, otpIds };
}

async function sendLog(stack: BenchStack): Promise<SendLogEntry[]> {
  const r = await stack.sim<{ messages: SendLogEntry[] }>(
    'GET',
    '/_sim/messages?operation=SendTextMessage&limit=100000',
  );
  return r.messages;
}

/**
 * Waits until every message has been sent (the simulator accepted it), or none is running any more (a message whose
 * sends were all ambiguous or refused ends without one), or the timeout passes; then reads the log. The wait asks for
 * counts only: serializing the whole log every two seconds would stall the simulator's event loop, and the sends
 * queued meanwhile would reach its MPS bucket together (throttles of the benchmark's own making).
 */
async function settle(stack: BenchStack, expected: number, timeoutMs: number): Promise<SendLogEntry[]> {
  const until = Date.now() + timeoutMs;
  for (let round = 0; ; round++) {
    const { total } = await stack.sim<{ total: number }>(
      'GET',
      '/_sim/messages?operation=SendTextMessage&outcome=accepted&limit=1',
    );
    if (total >= expected || Date.now() > until) return sendLog(stack);
    if (round % 5 === 4 && (await runningMessages(stack)) === 0) return sendLog(stack);
    await sleep(2_000);
  }
}

/** Message workflows still running on the benchmark's own stack. */
async function runningMessages(stack: BenchStack): Promise<number> {
  const { count } = await stack.temporal.workflow.count(
    `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`,
  );
  return count;
}

/**
 * How route health's snapshot refreshes fared in the first worker's log since `since`: the warnings of a failed
 * refresh and the longest outage ("refreshed again" after failing for so long). The queries behind them waited
 * behind the burst's tasks while route health shared the main task queue.
 */
function snapshotRefreshes(logFile: string, since: number): string {
  let failed = 0;
  let longestMs = 0;
  const lines = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n') : [];
  for (const line of lines) {
    if (!line.includes('route health: ') || !line.includes('snapshot')) continue;
    let entry: { time?: string; msg?: string; failedForMs?: number };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (!entry.time || Date.parse(entry.time) < since) continue;
    if (entry.msg?.startsWith('route health: cannot refresh the snapshot')) failed++;
    if (typeof entry.failedForMs === 'number') longestMs = Math.max(longestMs, entry.failedForMs);
  }
  return `route health snapshot (worker 1): ${failed} failed refreshes, longest outage ${(longestMs / 1000).toFixed(1)} s`;
}

/** A second worker process on the stack's config: the sends of both are paced together. */
function secondWorker(configPath: string) {
  const child = spawn(process.execPath, [CLI, 'worker', '--config', configPath], {
    stdio: 'ignore',
    env: { ...process.env, METRICS_PORT: '' },
  });
  return {
    stop: async () => {
      child.kill('SIGTERM');
      await waitForExit(child, 15_000);
    },
  };
}

export async function measurePacing(
  stack: BenchStack,
  opts: PacingOptions,
  log: (line: string) => void,
): Promise<PacingResult> {
  const configPath = stack.handle.info.configPath;
  const original = fs.readFileSync(configPath, 'utf8');
  const paced = pacedConfigText(original);
  fs.writeFileSync(configPath, paced.text);
  const worker2 = secondWorker(configPath);
  try {
    await restartReaders(stack, log);
    await sleep(3_000); // the second worker's pollers
    const client = new ResilientSmsClient(loadConfig(configPath), stack.temporal);
    const t0 = Date.now();
    const { otpStarts, otpIds } = await drive(client, opts);
    log(`  started ${opts.notices} notices and ${otpStarts.size} OTPs in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const entries = await settle(stack, opts.notices + otpStarts.size, opts.timeoutMs);
    const otpSends = entries
      .filter((m) => m.outcome === 'accepted' && m.destination && otpStarts.has(m.destination))
      .map((m) => ({ destination: m.destination!, ms: Date.parse(m.receivedAt) - otpStarts.get(m.destination!)! }));
    const otpMs = otpSends.map((o) => o.ms);
    for (const slow of otpSends.sort((a, b) => b.ms - a.ms).slice(0, 3)) {
      const id = otpIds.get(slow.destination) ?? '?';
      log(
        `  slow OTP ${id}: sent after ${(slow.ms / 1000).toFixed(1)} s; ${await messageTimeline(stack.temporal, id)}`,
      );
    }
    const result: PacingResult = {
      notices: opts.notices,
      otps: otpStarts.size,
      workers: 2,
      originators: paceOf(entries, paced.originators),
      throttled: entries.filter((m) => m.error?.type === 'ThrottlingException').length,
      otpTimeToSendMs: summarize(otpMs),
      durationS: Math.round((Date.now() - t0) / 1000),
    };
    for (const o of result.originators) {
      log(`  ${o.originator}: ${o.sends} sends, max ${o.max5sPerS}/s over 5 s vs ${o.mps} MPS (rate ${o.rate}/s)`);
    }
    log(`  throttled ${result.throttled}; OTP time to send p99 ${result.otpTimeToSendMs?.p99 ?? '—'} ms`);
    const byOriginator = new Map<string, number>();
    for (const m of entries) {
      if (m.outcome === 'accepted')
        byOriginator.set(m.originator ?? '?', (byOriginator.get(m.originator ?? '?') ?? 0) + 1);
    }
    log(`  accepted sends by originator: ${[...byOriginator].map(([o, n]) => `${o} ${n}`).join(', ')}`);
    log(`  ${snapshotRefreshes(path.join(stack.info.logsDir, 'worker.log'), t0)}`);
    return result;
  } finally {
    await worker2.stop();
    fs.writeFileSync(configPath, original);
    await restartReaders(stack, log);
  }
}
