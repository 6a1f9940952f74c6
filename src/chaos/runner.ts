/**
 * The chaos suite (`npm run chaos`): drives N messages through the full local stack (Temporal dev server with
 * file persistence, SQS/SNS emulator, carrier simulator, worker, DLR ingester, each a real process) while it
 *
 * - SIGKILLs the worker (twice by default) and the ingester (once): the launcher restarts them;
 * - stops the Temporal dev server (once): the launcher restarts it on the same port and database file;
 * - makes the simulator answer 10 % of sends ambiguously (accepted, answer lost) and, through its DLR chaos,
 *   duplicate 5 % of receipts, reorder 5 %, hold 2 % until after the workflow has escalated, drop 2 %;
 * - puts 1 % poison messages on the DLR queues;
 *
 * then reads every message's status record and the simulator's message log and reports (see ./analyze.ts).
 * Disruptions are spread over the start phase; each must have recovered before starts pass the next one's mark,
 * so every disruption hits messages in flight and new starts arrive during it.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { parse as parseYaml } from 'yaml';
import { ResilientSmsClient } from '../client';
import { dataConverterFor } from '../codec/data-converter';
import { loadConfig, parseConfigText } from '../config/load';
import type { Config } from '../domain/config';
import { InvalidInputError } from '../domain/errors';
import { resolveMessage } from '../domain/resolve';
import type { StatusRecord } from '../domain/status';
import { seededRandom, type DlrChaosStats } from '../simulator/chaos';
import { sleep } from '../tools/service-process';
import { findRepoRoot } from '../tools/temporal-cli';
import type { StackInfo } from '../workers/local-stack';
import { statusQuery, workflowIdFor } from '../workflows/definitions';
import type { deliverMessage } from '../workflows/deliver-message';
import { analyze, type Analysis, type ChaosMessage, type MessageOutcome, type SimSend } from './analyze';
import { startChaosStack, type ChaosStack, type StackChild } from './stack';

export const CHAOS_USE_CASE = 'chaos';

export interface ChaosOptions {
  /** Messages to send. Default 500. */
  messages: number;
  /** Seeds the DLR chaos, the destinations and the poison. Default: random (printed). */
  seed?: number;
  /** Data folder of the stack (Temporal database, logs, stack.json); kept. Default: a temporary one, removed. */
  dataDir?: string;
  /** Keep the temporary data folder. */
  keepData?: boolean;
  /** Base config (routes, originators, DLR queues); a `chaos` policy is added. Default config/local.yaml. */
  configPath?: string;
  stepWaitMs: number;
  ambiguousWaitMs: number;
  /** Per-message deadline (policy). */
  deadlineMs: number;
  /** How much later than usual a `late` receipt is published. Default stepWait + 2 s: after the escalation. */
  lateDelayMs?: number;
  /** Start calls in flight at once. */
  concurrency: number;
  /** Starts per second (0: as fast as the concurrency allows). */
  rate: number;
  /** Backpressure: no new start while this many messages are in progress (0: none). */
  maxInFlight: number;
  workerKills: number;
  ingesterKills: number;
  temporalRestarts: number;
  /** How the dev server is stopped. Default SIGTERM. */
  temporalSignal: NodeJS.Signals;
  /** Before it is stopped, the dev server hangs (SIGSTOP) this long: calls neither fail nor answer. Default 0. */
  temporalFreezeMs: number;
  ambiguous: number;
  duplicate: number;
  reorder: number;
  late: number;
  drop: number;
  /** Fraction of N put on the DLR queues as poison (at least one when > 0). */
  poison: number;
  /** After the last start, how long messages may take to finish. Default deadline + 60 s. */
  drainTimeoutMs?: number;
  /** Local stack start-up. Default 180 s. */
  stackStartTimeoutMs: number;
  /** How long one disruption may take to recover (the launcher restarting the process). Default 120 s. */
  recoveryTimeoutMs: number;
  /** Progress lines. Default: none. */
  log?: (line: string) => void;
}

export const DEFAULT_CHAOS_OPTIONS: ChaosOptions = {
  messages: 500,
  stepWaitMs: 3_000,
  ambiguousWaitMs: 2_000,
  deadlineMs: 180_000,
  concurrency: 16,
  rate: 8,
  maxInFlight: 40,
  workerKills: 2,
  ingesterKills: 1,
  temporalRestarts: 1,
  temporalSignal: 'SIGTERM',
  temporalFreezeMs: 0,
  ambiguous: 0.1,
  duplicate: 0.05,
  reorder: 0.05,
  late: 0.02,
  drop: 0.02,
  poison: 0.01,
  stackStartTimeoutMs: 180_000,
  recoveryTimeoutMs: 120_000,
};

export type DisruptionKind = 'worker' | 'ingester' | 'temporal';

export interface Disruption {
  kind: DisruptionKind;
  signal: NodeJS.Signals;
  /** Messages started when it happened. */
  afterStarts: number;
  /** Seconds since the first start. */
  atS: number;
  pid?: number;
  newPid?: number;
  /** Until the launcher had the replacement up (ms). */
  recoveredMs?: number;
  error?: string;
}

export interface ChaosResult {
  analysis: Analysis;
  seed: number;
  options: Omit<ChaosOptions, 'log'>;
  disruptions: Disruption[];
  chaosStats?: DlrChaosStats;
  timings: {
    stackStartMs: number;
    /** First start -> last start. */
    startPhaseMs: number;
    /** About how long starts waited for in-flight messages to drop below maxInFlight. */
    heldBackMs: number;
    /** Last start -> every message final (or the drain deadline), wall clock. */
    drainWallMs: number;
    /** Last start -> last message finished, from the status records. */
    drainMs?: number;
    totalMs: number;
  };
  /** Where the stack's data and logs are (when kept). */
  dataDir?: string;
}

/** US destinations spread over area codes, all valid numbers (555-01xx: fictional, valid per libphonenumber). */
const AREA_CODES = ['206', '212', '303', '312', '404', '415', '425', '503', '617', '702', '713', '808'];

export function destinations(n: number, random: () => number): string[] {
  return Array.from({ length: n }, () => {
    const area = AREA_CODES[Math.floor(random() * AREA_CODES.length)];
    const line = String(Math.floor(random() * 100)).padStart(2, '0');
    return `+1${area}55501${line}`;
  });
}

/** Order and marks (fraction of starts) of the disruptions: kinds interleaved, spread over 0.9 of the start phase. */
export function disruptionPlan(o: Pick<ChaosOptions, 'workerKills' | 'ingesterKills' | 'temporalRestarts'>) {
  const left: Record<DisruptionKind, number> = {
    worker: o.workerKills,
    ingester: o.ingesterKills,
    temporal: o.temporalRestarts,
  };
  const kinds: DisruptionKind[] = [];
  while (left.worker + left.ingester + left.temporal > 0) {
    for (const k of ['worker', 'ingester', 'temporal'] as const) {
      if (left[k] > 0) {
        kinds.push(k);
        left[k]--;
      }
    }
  }
  return kinds.map((kind, i) => ({ kind, mark: ((i + 1) / (kinds.length + 1)) * 0.9 }));
}

/** Garbage of several kinds: not JSON, a broken SNS envelope, a receipt without its context, binary-ish text. */
export function poisonBodies(n: number, random: () => number): string[] {
  const kinds = [
    () => 'not json at all',
    () => '{"Type":"Notification","Message":"{oops"}',
    () => JSON.stringify({ eventType: 'TEXT_DELIVERED', messageId: randomUUID() }),
    () => JSON.stringify({ Type: 'Notification', Message: JSON.stringify({ isFinal: 'yes' }) }),
    () => Array.from({ length: 64 }, () => String.fromCharCode(0x20 + Math.floor(random() * 0x5e))).join('') + '\u0000',
  ];
  return Array.from({ length: n }, (_, i) => kinds[i % kinds.length]());
}

/** The base config with a `chaos` policy: short waits, US only, SMS only. Raw YAML/JSON in, JSON text out. */
export function chaosConfigText(baseText: string, source: string, o: ChaosOptions): string {
  const raw = parseYaml(baseText) as Record<string, unknown>;
  const policies = { ...((raw.policies as Record<string, unknown>) ?? {}) };
  policies[CHAOS_USE_CASE] = {
    success: 'dlr',
    stepWait: o.stepWaitMs,
    ambiguousWait: o.ambiguousWaitMs,
    deadline: o.deadlineMs,
    ttl: '10m',
    allowedCountries: ['US'],
    channels: ['sms'],
    messageFeedback: false,
    throttleBackoff: 200,
    unreachableBackoff: 200,
  };
  // Every event signalled (and so published by the simulator): the chaos reorders final and intermediate receipts,
  // which only matters when both reach the workflow.
  const ingester = { ...((raw.ingester as Record<string, unknown>) ?? {}), intermediateEvents: 'signal' };
  const text = JSON.stringify({ ...raw, ingester, policies }, null, 2);
  parseConfigText(text, `${source} + chaos policy`); // fails fast, naming the field
  return text;
}

const fmtS = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function runChaos(partial: Partial<ChaosOptions> = {}): Promise<ChaosResult> {
  const o: ChaosOptions = { ...DEFAULT_CHAOS_OPTIONS, ...partial };
  if (!Number.isInteger(o.messages) || o.messages < 1) throw new Error('messages: must be a positive integer');
  const runStarted = Date.now();
  const out = o.log ?? (() => {});
  const log = (line: string) => out(`${((Date.now() - runStarted) / 1000).toFixed(1).padStart(6)}s ${line}`);
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = seededRandom(seed);
  const root = findRepoRoot(__dirname);
  const tempData = o.dataDir === undefined;
  const dataDir = path.resolve(o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-chaos-')));
  fs.mkdirSync(dataDir, { recursive: true });

  const basePath = o.configPath ?? path.join(root, 'config', 'local.yaml');
  const configPath = path.join(dataDir, 'chaos-config.json');
  fs.writeFileSync(configPath, chaosConfigText(fs.readFileSync(basePath, 'utf8'), basePath, o));

  // The messages, validated before anything starts.
  const runId = randomUUID().slice(0, 8);
  const dests = destinations(o.messages, random);
  const baseConfig: Config = loadConfig(configPath);
  const requests = dests.map((destination, i) => ({
    destination,
    body: `Your code is ${String(100000 + Math.floor(random() * 900000))}`,
    useCase: CHAOS_USE_CASE,
    idempotencyKey: `chaos-${runId}-${i}`,
  }));
  for (const r of requests) resolveMessage(baseConfig, r);

  log(`[chaos] seed ${seed}; starting the local stack (data: ${dataDir})`);
  let stack: ChaosStack | undefined;
  let connection: Connection | undefined;
  try {
    stack = await startChaosStack({
      configPath,
      dataDir,
      startTimeoutMs: o.stackStartTimeoutMs,
      onLine: (line) => log(line),
    });
    const stackStartMs = Date.now() - runStarted;
    log(`[chaos] stack up in ${fmtS(stackStartMs)}: Temporal ${stack.info.temporalAddress}`);
    const config = loadConfig(stack.info.configPath);
    connection = await Connection.connect({ address: stack.info.temporalAddress });
    const temporal = new Client({
      connection,
      namespace: stack.info.namespace,
      dataConverter: dataConverterFor(config),
    });
    const sms = new ResilientSmsClient(config, temporal);

    // ---- faults and DLR chaos on the simulator ----
    await stack.sim('DELETE', '/_sim/faults');
    if (o.ambiguous > 0) {
      await stack.sim('POST', '/_sim/faults', {
        match: { operation: 'SendTextMessage' },
        effect: { api: 'ambiguous' },
        probability: o.ambiguous,
      });
    }
    await stack.sim('POST', '/_sim/chaos', {
      duplicate: o.duplicate,
      reorder: o.reorder,
      late: { probability: o.late, delayMs: o.lateDelayMs ?? o.stepWaitMs + 2_000 },
      drop: o.drop,
      seed,
    });

    const queues = config.dlrQueues.map((q) => ({ queueUrl: q.queueUrl, region: q.region }));
    const dlqs = queues.map((q) => ({ ...q, queueUrl: `${q.queueUrl}-dlq` }));
    const dlqDepth = async () => (await Promise.all(dlqs.map((q) => stack!.queueDepth(q)))).reduce((a, b) => a + b, 0);
    const dlqBefore = await dlqDepth();

    // ---- the schedule ----
    const plan = disruptionPlan(o);
    const poisonCount = o.poison > 0 ? Math.max(1, Math.round(o.messages * o.poison)) : 0;
    const poison = poisonBodies(poisonCount, random).map((body, j) => ({
      body,
      queue: queues[j % queues.length],
      mark: (j + 0.5) / poisonCount,
    }));

    const messages: ChaosMessage[] = requests.map((r) => ({
      key: r.idempotencyKey,
      workflowId: workflowIdFor(r.idempotencyKey),
      outcome: { kind: 'lost', why: 'never started' },
    }));
    let started = 0;
    let firstStartAt: number | undefined;
    const disruptions: Disruption[] = [];
    const done: Promise<void>[] = [];
    const resolvers: (() => void)[] = [];
    for (let k = 0; k < plan.length; k++) done.push(new Promise<void>((r) => resolvers.push(r)));

    const disrupt = async (kind: DisruptionKind): Promise<void> => {
      const child: StackChild = kind;
      const signal: NodeJS.Signals = kind === 'temporal' ? o.temporalSignal : 'SIGKILL';
      const d: Disruption = {
        kind,
        signal,
        afterStarts: started,
        atS: (Date.now() - (firstStartAt ?? Date.now())) / 1000,
      };
      disruptions.push(d);
      try {
        const killedAt = Date.now();
        if (kind === 'temporal' && o.temporalFreezeMs > 0) await stack!.freeze('temporal', o.temporalFreezeMs);
        const r = await stack!.kill(child, signal, o.recoveryTimeoutMs);
        // The launcher's readiness check can see the dead worker's pollers: wait for the new one's own.
        if (kind === 'worker') await workerPolls(temporal, stack!.info, r.newPid, killedAt + o.recoveryTimeoutMs);
        Object.assign(d, { pid: r.pid, newPid: r.newPid, recoveredMs: Date.now() - killedAt });
        log(
          `[chaos] ${kind} ${signal} (pid ${r.pid}) after ${d.afterStarts} starts: back as pid ${r.newPid} in ${fmtS(d.recoveredMs!)}`,
        );
      } catch (err) {
        d.error = (err as Error).message.split('\n')[0];
        log(`[chaos] ${kind} ${signal} failed: ${d.error}`);
      }
    };

    // The director: fires each disruption and each poison message when starts pass its mark.
    const director = (async () => {
      let p = 0;
      for (let k = 0; k < plan.length || p < poison.length;) {
        while (p < poison.length && started >= poison[p].mark * o.messages) {
          const { queue, body } = poison[p++];
          await stack.sendRaw(queue, body).catch((err: unknown) => log(`[chaos] poison not sent: ${String(err)}`));
        }
        if (k < plan.length && started >= plan[k].mark * o.messages) {
          await disrupt(plan[k].kind);
          resolvers[k]();
          k++;
          continue;
        }
        await sleep(50);
      }
    })();

    // ---- starts: bounded concurrency, paced, gated so that each disruption recovers before the next mark ----
    // Backpressure, as an app with a bounded queue would apply it: at most maxInFlight messages in progress
    // (the visibility count of this run's running workflows, refreshed twice a second).
    const runningQuery = `WorkflowId STARTS_WITH "${workflowIdFor(`chaos-${runId}-`)}" AND ExecutionStatus = "Running"`;
    let inFlight = 0;
    let startsDone = false;
    let heldBackMs = 0;
    const watcher = (async () => {
      let at = Date.now();
      while (!startsDone) {
        try {
          inFlight = (await temporal.workflow.count(runningQuery)).count;
        } catch {
          // Temporal restarting: keep the last figure
        }
        await sleep(500);
        if (o.maxInFlight > 0 && inFlight >= o.maxInFlight) heldBackMs += Date.now() - at;
        at = Date.now();
      }
    })();
    const admit = async () => {
      while (o.maxInFlight > 0 && inFlight >= o.maxInFlight) await sleep(100);
    };
    let next = 0;
    let nextSlot = Date.now();
    const gate = async (i: number) => {
      for (let k = 0; k + 1 < plan.length; k++) if (i >= plan[k + 1].mark * o.messages) await done[k];
    };
    const startOne = async (i: number) => {
      const req = requests[i];
      let delay = 250;
      const until = Date.now() + o.recoveryTimeoutMs + 60_000;
      for (;;) {
        try {
          await temporal.withDeadline(Date.now() + 10_000, () => sms.sendMessage(req));
          messages[i].startedAt = Date.now();
          return;
        } catch (err) {
          if (err instanceof InvalidInputError) throw err;
          if (Date.now() > until) {
            messages[i].outcome = { kind: 'lost', why: `start failed: ${(err as Error).message}` };
            return;
          }
          await sleep(delay);
          delay = Math.min(delay * 2, 2_000);
        }
      }
    };
    const starter = async () => {
      while (next < requests.length) {
        const i = next++;
        await gate(i);
        await admit();
        if (o.rate > 0) {
          const slot = Math.max(nextSlot, Date.now());
          nextSlot = slot + 1000 / o.rate;
          await sleep(slot - Date.now());
        }
        firstStartAt ??= Date.now();
        await startOne(i);
        inFlight++;
        started++;
        if (started % 100 === 0) log(`[chaos] started ${started}/${o.messages}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency, requests.length) }, starter));
    const lastStartAt = Date.now();
    startsDone = true;
    await watcher;
    await director;
    const startPhaseMs = lastStartAt - (firstStartAt ?? lastStartAt);
    log(
      `[chaos] all ${o.messages} started in ${fmtS(startPhaseMs)}` +
        (heldBackMs > 0 ? ` (starts held back ${fmtS(heldBackMs)} in all by backpressure)` : '') +
        '; draining',
    );

    // ---- drain: until every message has a final state or the drain deadline passes ----
    const drainDeadline = lastStartAt + (o.drainTimeoutMs ?? o.deadlineMs + 60_000);
    const pending = new Set(messages.filter((m) => m.startedAt !== undefined).map((m) => m.workflowId));
    const closedStatus = new Map<string, string>();
    let lastProgress = 0;
    // Cheap first: the visibility count of this run's running workflows; then each message, authoritative.
    while (pending.size > 0 && Date.now() < drainDeadline) {
      let visible: number | undefined;
      try {
        visible = (await temporal.workflow.count(runningQuery)).count;
      } catch {
        visible = undefined; // Temporal busy or restarting: ask each message instead
      }
      if (visible !== undefined && visible > 0) {
        if (Date.now() - lastProgress > 10_000) {
          lastProgress = Date.now();
          log(`[chaos] draining: ${visible} in progress`);
        }
        await sleep(1_000);
        continue;
      }
      const ids = [...pending];
      await mapLimit(ids, 8, async (id) => {
        try {
          const d = await temporal.workflow.getHandle(id).describe();
          if (d.status.name !== 'RUNNING') {
            pending.delete(id);
            closedStatus.set(id, d.status.name);
          }
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) {
            pending.delete(id);
            closedStatus.set(id, 'NOT_FOUND');
          } // else: Temporal busy or restarting; ask again
        }
      });
      if (pending.size > 0) await sleep(1_000);
    }
    const drainWallMs = Date.now() - lastStartAt;
    log(`[chaos] drained in ${fmtS(drainWallMs)} (${pending.size} still in progress); reading every outcome`);

    // ---- collect every message's outcome ----
    const byId = new Map(messages.map((m) => [m.workflowId, m]));
    await mapLimit(
      messages.filter((m) => m.startedAt !== undefined),
      8,
      async (m) => {
        m.outcome = await outcomeOf(temporal, m.workflowId, pending.has(m.workflowId), closedStatus.get(m.workflowId));
      },
    );

    // ---- the simulator's account, the dead-letter queues ----
    const { messages: simLog } = await stack.sim<{ messages: SimSend[] }>(
      'GET',
      '/_sim/messages?operation=SendTextMessage',
    );
    const chaosState = await stack.sim<{ stats: DlrChaosStats; messages: { messageId: string; actions: string[] }[] }>(
      'GET',
      '/_sim/chaos',
    );
    log(`[chaos] waiting for the ${poisonCount} poison message(s) to reach the dead-letter queues`);
    const dlqUntil = Date.now() + 60_000;
    while ((await dlqDepth()) - dlqBefore < poisonCount && Date.now() < dlqUntil) await sleep(500);
    await sleep(2_000); // anything else on its way to the DLQ
    const deadLettered = (await dlqDepth()) - dlqBefore;
    const dlrBacklog = (await Promise.all(queues.map((q) => stack!.queueDepth(q)))).reduce((a, b) => a + b, 0);

    if (!tempData || o.keepData) {
      // For a post-mortem: every status record, the simulator's log and its chaos decisions.
      fs.writeFileSync(
        path.join(dataDir, 'chaos-raw.json'),
        JSON.stringify({ seed, messages: [...byId.values()], sends: simLog, chaos: chaosState, disruptions }),
      );
    }
    const analysis = analyze({
      messages: [...byId.values()],
      sends: simLog,
      chaosByMessageId: new Map(chaosState.messages.map((c) => [c.messageId, c.actions])),
      injected: {
        duplicate: chaosState.stats.duplicate,
        reorder: chaosState.stats.reorder,
        late: chaosState.stats.late,
        drop: chaosState.stats.drop,
        poison: poisonCount,
        workerKills: disruptions.filter((d) => d.kind === 'worker' && !d.error).length,
        ingesterKills: disruptions.filter((d) => d.kind === 'ingester' && !d.error).length,
        temporalRestarts: disruptions.filter((d) => d.kind === 'temporal' && !d.error).length,
      },
      deadLettered,
      dlrBacklog,
    });
    const { log: _log, ...options } = o;
    return {
      analysis,
      seed,
      options,
      disruptions,
      chaosStats: chaosState.stats,
      timings: {
        stackStartMs,
        startPhaseMs,
        heldBackMs,
        drainWallMs,
        ...(analysis.drainMs !== undefined ? { drainMs: analysis.drainMs } : {}),
        totalMs: Date.now() - runStarted,
      },
      ...(tempData && !o.keepData ? {} : { dataDir }),
    };
  } finally {
    await connection?.close().catch(() => undefined);
    await stack?.stop();
    if (tempData && !o.keepData) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Resolves once a worker with this pid polls both the workflow and the activity task queue (default identity). */
async function workerPolls(temporal: Client, info: StackInfo, pid: number, until: number): Promise<void> {
  const { TaskQueueKind, TaskQueueType } = proto.api.enums.v1;
  const polls = async (taskQueueType: proto.api.enums.v1.TaskQueueType) => {
    const res = await temporal.workflowService.describeTaskQueue({
      namespace: info.namespace,
      taskQueue: { name: info.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType,
    });
    return (res.pollers ?? []).some((p) => p.identity?.startsWith(`${pid}@`));
  };
  while (Date.now() < until) {
    try {
      if (
        (await polls(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW)) &&
        (await polls(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY))
      )
        return;
    } catch {
      // Temporal busy: ask again
    }
    await sleep(200);
  }
  throw new Error(`the restarted worker (pid ${pid}) is not polling`);
}

/** Final record, or why there is none. */
async function outcomeOf(
  temporal: Client,
  workflowId: string,
  running: boolean,
  closedAs: string | undefined,
): Promise<MessageOutcome> {
  const handle = temporal.workflow.getHandle<typeof deliverMessage>(workflowId);
  for (let tries = 0; ; tries++) {
    try {
      if (running) {
        // No worker may be answering queries: do not wait long.
        const record = await temporal
          .withDeadline(Date.now() + 5_000, () => handle.query(statusQuery))
          .catch(() => undefined);
        return { kind: 'running', ...(record ? { record } : {}) };
      }
      if (closedAs === 'NOT_FOUND') return { kind: 'lost', why: 'workflow not found' };
      if (closedAs !== 'COMPLETED') return { kind: 'lost', why: `workflow ${closedAs ?? 'state unknown'}` };
      const record: StatusRecord = await handle.result();
      return { kind: 'final', record };
    } catch (err) {
      if (tries >= 5) return { kind: 'lost', why: `cannot read the result: ${(err as Error).message}` };
      await sleep(1_000);
    }
  }
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (i < items.length) await fn(items[i++]);
    }),
  );
}
