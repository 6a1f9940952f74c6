/**
 * Reads the delivery report from Temporal visibility, by what happened to the user: a message counts as
 * delivered when its receipt arrived (`SmsStatus` DELIVERED or CONFIRMED), whether its workflow has closed or
 * still listens for feedback; cancelled messages are counted apart and are not in the delivery rate.
 * 1. exact counts from `count` queries on the search attributes (by `SmsStatus`, by `SmsLevel`, running);
 * 2. one paginated `list` of the window's executions (search attributes only - no history);
 * 3. the status record of each *completed* one (its result) and of each running one that is delivered and
 *    listening for feedback (the `status` query), fetched with bounded concurrency, for the rates by route and
 *    channel and the time to delivery. Messages still in progress are described from their search attributes
 *    alone (current level, route, attempt count).
 */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import {
  SMS_ATTEMPTS,
  SMS_CHANNEL,
  SMS_COUNTRY,
  SMS_LEVEL,
  SMS_ROUTE,
  SMS_STATUS,
  SMS_USE_CASE,
} from '../domain/search-attributes';
import { ESCALATION_LEVELS } from '../domain/plan';
import { MESSAGE_STATUSES, type StatusRecord } from '../domain/status';
import { statusQuery, WORKFLOW_TYPE } from '../workflows/definitions';
import { percentiles, summarize } from './compute';
import { protectionSummary } from './protection';
import type { ClosedMessage, DeliveryReport, ReadError, WaitingMessage } from './model';

export interface CollectOptions {
  client: Client;
  /** Messages started after this instant. */
  since: Date;
  /** Only this task queue (default: every deliverMessage of the namespace). */
  taskQueue?: string;
  /** Results fetched at once. Default 8. */
  concurrency?: number;
  /** At most this many closed messages' results are read (the counts stay exact). Default 5000. */
  limit?: number;
  now?: () => Date;
}

/** A visibility string literal. */
function lit(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function reportQuery(since: Date, taskQueue?: string): string {
  return (
    `WorkflowType=${lit(WORKFLOW_TYPE)} AND StartTime > ${lit(since.toISOString())}` +
    (taskQueue ? ` AND TaskQueue=${lit(taskQueue)}` : '')
  );
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

const DELIVERED_STATUSES = `${SMS_STATUS.name} IN ("DELIVERED", "CONFIRMED")`;

/** Exact counts from the visibility store (cheap: it counts, nothing is read). */
async function countMessages(client: Client, query: string) {
  const count = async (extra?: string): Promise<number> =>
    (await client.workflow.count(extra ? `${query} AND ${extra}` : query)).count;
  const [messages, running, delivered, runningDelivered, statusCounts, levelCounts] = await Promise.all([
    count(),
    count('ExecutionStatus="Running"'),
    count(DELIVERED_STATUSES),
    count(`ExecutionStatus="Running" AND ${DELIVERED_STATUSES}`),
    Promise.all(MESSAGE_STATUSES.map((s) => count(`${SMS_STATUS.name}=${lit(s)}`))),
    Promise.all(ESCALATION_LEVELS.map((l) => count(`${SMS_LEVEL.name}=${lit(l)}`))),
  ]);
  const byStatus: Record<string, number> = {};
  MESSAGE_STATUSES.forEach((s, i) => {
    if (statusCounts[i] > 0) byStatus[s] = statusCounts[i];
  });
  const byLevel: Record<string, number> = {};
  ESCALATION_LEVELS.forEach((l, i) => (byLevel[l] = levelCounts[i]));
  const leveled = levelCounts.reduce((a, b) => a + b, 0);
  if (messages > leveled) byLevel.none = messages - leveled;
  const cancelled = byStatus.CANCELLED ?? 0;
  const inProgress = Math.max(0, running - runningDelivered);
  const outcomes = {
    delivered,
    listening: runningDelivered,
    // Closed without a delivery and not cancelled: FAILED, STOPPED, or a workflow that ended abnormally.
    notDelivered: Math.max(0, messages - delivered - cancelled - inProgress),
    cancelled,
    inProgress,
  };
  return { messages, running, byStatus, byLevel, outcomes };
}

interface ClosedInfo {
  workflowId: string;
  runId: string;
  executionStatus: string;
  level?: string;
}

/** The executions themselves, from their search attributes only: the running ones, and up to `limit` closed. */
async function listExecutions(client: Client, query: string, limit: number, now: Date) {
  const waiting: WaitingMessage[] = [];
  const closedInfos: ClosedInfo[] = [];
  let truncated = false;
  const listening: WaitingMessage[] = [];
  for await (const wf of client.workflow.list({ query, pageSize: 1000 })) {
    const sa = wf.typedSearchAttributes;
    if (wf.status.name === 'RUNNING') {
      const status = sa.get(SMS_STATUS);
      // Delivered and only listening for feedback: not waiting for anything the user needs.
      (status === 'DELIVERED' || status === 'CONFIRMED' ? listening : waiting).push({
        workflowId: wf.workflowId,
        startedAt: wf.startTime.toISOString(),
        ageSeconds: Math.max(0, Math.round((now.getTime() - wf.startTime.getTime()) / 1000)),
        status,
        level: sa.get(SMS_LEVEL),
        route: sa.get(SMS_ROUTE),
        channel: sa.get(SMS_CHANNEL),
        attempts: sa.get(SMS_ATTEMPTS),
        country: sa.get(SMS_COUNTRY),
        useCase: sa.get(SMS_USE_CASE),
      });
    } else if (closedInfos.length < limit) {
      closedInfos.push({
        workflowId: wf.workflowId,
        runId: wf.runId,
        executionStatus: wf.status.name,
        level: sa.get(SMS_LEVEL),
      });
    } else {
      truncated = true;
    }
  }
  const byAge = (a: WaitingMessage, b: WaitingMessage) =>
    b.ageSeconds - a.ageSeconds || a.workflowId.localeCompare(b.workflowId);
  waiting.sort(byAge);
  listening.sort(byAge);
  return { waiting, listening, closedInfos, truncated };
}

/** The live status record of a delivered message still listening for feedback (answered by a worker). */
async function readListening(client: Client, w: WaitingMessage): Promise<StatusRecord | ReadError> {
  try {
    return await client.workflow.getHandle(w.workflowId).query(statusQuery);
  } catch (err) {
    return { workflowId: w.workflowId, error: (err as Error).message };
  }
}

/** The status record of a completed message (one history read); the others as visibility saw them. */
async function readClosed(client: Client, c: ClosedInfo): Promise<ClosedMessage> {
  if (c.executionStatus !== 'COMPLETED')
    return { workflowId: c.workflowId, executionStatus: c.executionStatus, level: c.level };
  try {
    const record = (await client.workflow.getHandle(c.workflowId, c.runId).result()) as StatusRecord;
    return { workflowId: c.workflowId, executionStatus: c.executionStatus, record };
  } catch (err) {
    if (err instanceof WorkflowFailedError)
      return { workflowId: c.workflowId, executionStatus: 'FAILED', level: c.level };
    throw err;
  }
}

export async function collectReport(opts: CollectOptions): Promise<DeliveryReport> {
  const { client } = opts;
  const now = (opts.now ?? (() => new Date()))();
  const query = reportQuery(opts.since, opts.taskQueue);

  const { messages, running, byStatus, byLevel, outcomes } = await countMessages(client, query);
  const { waiting, listening, closedInfos, truncated } = await listExecutions(client, query, opts.limit ?? 5000, now);
  const concurrency = opts.concurrency ?? 8;
  const closed = await mapLimit(closedInfos, concurrency, (c) => readClosed(client, c));
  const live = await mapLimit(listening, concurrency, (w) => readListening(client, w));
  const listeningRecords = live.filter((r): r is StatusRecord => !('error' in r));

  const summary = summarize(closed, listeningRecords);
  const byLevelTtd: Record<string, ReturnType<typeof percentiles>> = {};
  const sampledLevels = new Set(summary.samples.map((s) => s.level));
  for (const level of [...ESCALATION_LEVELS, 'none'].filter((l) => sampledLevels.has(l))) {
    byLevelTtd[level] = percentiles(summary.samples.filter((s) => s.level === level).map((s) => s.seconds));
  }
  const samplesSeconds = summary.samples.map((s) => s.seconds);
  const withOutcome = outcomes.delivered + outcomes.notDelivered;

  return {
    generatedAt: now.toISOString(),
    since: opts.since.toISOString(),
    namespace: client.options.namespace,
    query,
    totals: { messages, byStatus, byLevel, running },
    outcomes,
    deliveryRate: withOutcome > 0 ? outcomes.delivered / withOutcome : undefined,
    examined: closed.length + listeningRecords.length,
    truncated,
    byRoute: summary.byRoute,
    byChannel: summary.byChannel,
    timeToDelivery: { ...percentiles(samplesSeconds), byLevel: byLevelTtd, samplesSeconds },
    abnormal: summary.abnormal,
    protection: protectionSummary([
      ...closed.map((c) => c.record).filter((r): r is StatusRecord => r !== undefined),
      ...listeningRecords,
    ]),
    unread: live.filter((r): r is ReadError => 'error' in r),
    waiting,
    listening,
  };
}
