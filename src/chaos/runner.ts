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
 * Disruptions are spread over the start phase (./director.ts); each must have recovered before starts pass the
 * next one's mark, so every disruption hits messages in flight and new starts arrive during it.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { queueDepth } from '../aws/queue-depth';
import type { Config } from '../domain/config';
import type { MessageRequestInput } from '../domain/message';
import { resolveMessage } from '../domain/resolve';
import { seededRandom, type DlrChaosStats } from '../simulator/chaos';
import { connectToStack, type StackClients } from '../stack/clients';
import { startStack, type StackHandle } from '../stack/handle';
import { loadConfig } from '../config/load';
import { sleep } from '../tools/service-process';
import { findRepoRoot } from '../tools/temporal-cli';
import { workflowIdFor } from '../workflows/definitions';
import { analyze, type Analysis, type ChaosMessage, type SimSend } from './analyze';
import { fmtS, type ChaosContext, type QueueRef } from './context';
import { Director, type Disruption } from './director';
import { collectOutcomes, drain } from './drain';
import { CHAOS_USE_CASE, chaosConfigText, DEFAULT_CHAOS_OPTIONS, type ChaosOptions } from './options';
import { destinations, disruptionPlan, poisonBodies } from './schedule';
import { logStartPhase, startMessages } from './starts';

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

/** Everything decided before the stack starts: the dice, the data folder, the config, the messages (validated). */
interface Prepared {
  seed: number;
  random: () => number;
  runId: string;
  dataDir: string;
  /** Remove the data folder at the end. */
  removeData: boolean;
  configPath: string;
  requests: (MessageRequestInput & { idempotencyKey: string })[];
}

function prepare(o: ChaosOptions): Prepared {
  if (!Number.isInteger(o.messages) || o.messages < 1) throw new Error('messages: must be a positive integer');
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = seededRandom(seed);
  const dataDir = path.resolve(o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-chaos-')));
  fs.mkdirSync(dataDir, { recursive: true });
  const basePath = o.configPath ?? path.join(findRepoRoot(__dirname), 'config', 'local.yaml');
  const configPath = path.join(dataDir, 'chaos-config.json');
  fs.writeFileSync(configPath, chaosConfigText(fs.readFileSync(basePath, 'utf8'), basePath, o));

  const runId = randomUUID().slice(0, 8);
  const baseConfig: Config = loadConfig(configPath);
  const requests = destinations(o.messages, random).map((destination, i) => ({
    destination,
    body: `Your code is ${String(100000 + Math.floor(random() * 900000))}`,
    useCase: CHAOS_USE_CASE,
    idempotencyKey: `chaos-${runId}-${i}`,
  }));
  for (const r of requests) resolveMessage(baseConfig, r);
  return { seed, random, runId, dataDir, removeData: o.dataDir === undefined && !o.keepData, configPath, requests };
}

/** Ambiguous answers and the DLR chaos on the simulator. */
async function configureSimulator(stack: StackHandle, o: ChaosOptions, seed: number): Promise<void> {
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
}

/** Messages on these queues, visible or in flight. */
async function messagesOn(stack: StackHandle, queues: QueueRef[]): Promise<number> {
  const depths = await Promise.all(queues.map((q) => queueDepth(stack.sqs(q.region), q.queueUrl)));
  return depths.reduce((sum, d) => sum + d.total, 0);
}

export async function runChaos(partial: Partial<ChaosOptions> = {}): Promise<ChaosResult> {
  const o: ChaosOptions = { ...DEFAULT_CHAOS_OPTIONS, ...partial };
  const runStarted = Date.now();
  const out = o.log ?? (() => {});
  const log = (line: string) => out(`${((Date.now() - runStarted) / 1000).toFixed(1).padStart(6)}s ${line}`);
  const p = prepare(o);

  log(`[chaos] seed ${p.seed}; starting the local stack (data: ${p.dataDir})`);
  let stack: StackHandle | undefined;
  let clients: StackClients | undefined;
  try {
    stack = await startStack({
      configPath: p.configPath,
      dataDir: p.dataDir,
      startTimeoutMs: o.stackStartTimeoutMs,
      stopTimeoutMs: 30_000,
      onLine: (line) => log(line),
    });
    const stackStartMs = Date.now() - runStarted;
    log(`[chaos] stack up in ${fmtS(stackStartMs)}: Temporal ${stack.info.temporalAddress}`);
    clients = await connectToStack(stack.info);
    const runningQuery = `WorkflowId STARTS_WITH "${workflowIdFor(`chaos-${p.runId}-`)}" AND ExecutionStatus = "Running"`;
    const ctx: ChaosContext = { o, log, stack, temporal: clients.temporal, runningQuery };
    const result = await chaosOn(ctx, clients, p);
    return {
      ...result,
      timings: { stackStartMs, ...result.timings, totalMs: Date.now() - runStarted },
      ...(p.removeData ? {} : { dataDir: p.dataDir }),
    };
  } finally {
    await clients?.close();
    await stack?.stop();
    if (p.removeData) fs.rmSync(p.dataDir, { recursive: true, force: true });
  }
}

type RunOutcome = Omit<ChaosResult, 'timings' | 'dataDir'> & {
  timings: Omit<ChaosResult['timings'], 'stackStartMs' | 'totalMs'>;
};

/** The run proper, on a stack that is up: faults on, starts under disruption, drain, analysis. */
async function chaosOn(ctx: ChaosContext, clients: StackClients, p: Prepared): Promise<RunOutcome> {
  const { o, stack } = ctx;
  await configureSimulator(stack, o, p.seed);
  const queues = clients.config.dlrQueues.map((q) => ({ queueUrl: q.queueUrl, region: q.region }));
  const dlqs = queues.map((q) => ({ ...q, queueUrl: `${q.queueUrl}-dlq` }));
  const dlqBefore = await messagesOn(stack, dlqs);

  const poisonCount = o.poison > 0 ? Math.max(1, Math.round(o.messages * o.poison)) : 0;
  const poison = poisonBodies(poisonCount, p.random).map((body, j) => ({
    body,
    queue: queues[j % queues.length],
    mark: (j + 0.5) / poisonCount,
  }));
  const messages: ChaosMessage[] = p.requests.map((r) => ({
    key: r.idempotencyKey,
    workflowId: workflowIdFor(r.idempotencyKey),
    outcome: { kind: 'lost', why: 'never started' },
  }));
  const progress = { started: 0, firstStartAt: undefined as number | undefined };
  const director = new Director(ctx, progress, disruptionPlan(o), poison);
  const directing = director.run();
  const work = { requests: p.requests, messages, gate: (i: number) => director.gate(i) };
  const { lastStartAt, heldBackMs } = await startMessages(ctx, clients.client, work, progress);
  await directing;
  const startPhaseMs = lastStartAt - (progress.firstStartAt ?? lastStartAt);
  logStartPhase(ctx, startPhaseMs, heldBackMs);

  const drained = await drain(ctx, messages, lastStartAt);
  await collectOutcomes(ctx.temporal, messages, drained);
  const evidence = await gatherEvidence(ctx, { queues, dlqs, dlqBefore, poisonCount });
  if (!p.removeData) {
    // For a post-mortem: every status record, the simulator's log and its chaos decisions.
    fs.writeFileSync(
      path.join(p.dataDir, 'chaos-raw.json'),
      JSON.stringify({
        seed: p.seed,
        messages,
        sends: evidence.sends,
        chaos: evidence.chaos,
        disruptions: director.disruptions,
      }),
    );
  }
  const analysis = analyzeRun(messages, evidence, director.disruptions, poisonCount);
  const { log: _log, ...options } = o;
  return {
    analysis,
    seed: p.seed,
    options,
    disruptions: director.disruptions,
    chaosStats: evidence.chaos.stats,
    timings: {
      startPhaseMs,
      heldBackMs,
      drainWallMs: drained.drainWallMs,
      ...(analysis.drainMs !== undefined ? { drainMs: analysis.drainMs } : {}),
    },
  };
}

interface Evidence {
  sends: SimSend[];
  chaos: { stats: DlrChaosStats; messages: { messageId: string; actions: string[] }[] };
  deadLettered: number;
  dlrBacklog: number;
}

/** The simulator's account of the sends and its chaos, and the dead-letter queues once the poison has arrived. */
async function gatherEvidence(
  ctx: ChaosContext,
  q: { queues: QueueRef[]; dlqs: QueueRef[]; dlqBefore: number; poisonCount: number },
): Promise<Evidence> {
  const { stack, log } = ctx;
  const { messages: sends } = await stack.sim<{ messages: SimSend[] }>(
    'GET',
    '/_sim/messages?operation=SendTextMessage',
  );
  const chaos = await stack.sim<Evidence['chaos']>('GET', '/_sim/chaos');
  log(`[chaos] waiting for the ${q.poisonCount} poison message(s) to reach the dead-letter queues`);
  const dlqUntil = Date.now() + 60_000;
  while ((await messagesOn(stack, q.dlqs)) - q.dlqBefore < q.poisonCount && Date.now() < dlqUntil) await sleep(500);
  await sleep(2_000); // anything else on its way to the DLQ
  const deadLettered = (await messagesOn(stack, q.dlqs)) - q.dlqBefore;
  const dlrBacklog = await messagesOn(stack, q.queues);
  return { sends, chaos, deadLettered, dlrBacklog };
}

function analyzeRun(messages: ChaosMessage[], e: Evidence, disruptions: Disruption[], poison: number): Analysis {
  const succeeded = (kind: string) => disruptions.filter((d) => d.kind === kind && !d.error).length;
  return analyze({
    messages,
    sends: e.sends,
    chaosByMessageId: new Map(e.chaos.messages.map((c) => [c.messageId, c.actions])),
    injected: {
      duplicate: e.chaos.stats.duplicate,
      reorder: e.chaos.stats.reorder,
      late: e.chaos.stats.late,
      drop: e.chaos.stats.drop,
      poison,
      workerKills: succeeded('worker'),
      ingesterKills: succeeded('ingester'),
      temporalRestarts: succeeded('temporal'),
    },
    deadLettered: e.deadLettered,
    dlrBacklog: e.dlrBacklog,
  });
}
