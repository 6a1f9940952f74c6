/**
 * How long the oldest workflow task of the message workflows' task queue has waited for a worker: Temporal's
 * `DescribeTaskQueue` with `report_stats` answers `stats.approximate_backlog_age` (temporalio/api,
 * temporal/api/workflowservice/v1/request_response.proto, `DescribeTaskQueueRequest.report_stats`, and
 * temporal/api/taskqueue/v1/message.proto, `TaskQueueStats`).
 *
 * Why route health needs it: a receipt signalled to a message workflow is counted only when a worker runs that
 * workflow's next task. While a burst's backlog grows, receipts wait in it longer than any lag the messages already
 * processed could report, and the no-receipt breaker took them for receipts that never came (it opened the short
 * code a minute into the pacing benchmark's burst). The backlog's age is what they wait *now*, so the flusher
 * (./flusher.ts) sends it as the batch's processing lag when it is the larger.
 *
 * Not seen: tasks on a worker's sticky queue. Temporal moves one to the normal queue once it waited
 * `stickyQueueScheduleToStartTimeout` (the SDK's default: 10 s), where this age counts it.
 */
import type { Client } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';

/** A backlog age longer than this is not believed (a server answering nonsense): capped. */
const MAX_AGE_MS = 3_600_000;

/** A protobuf Duration as the client decodes it: seconds (a Long, number or string) and nanos. */
interface DurationLike {
  seconds?: { toNumber(): number } | number | string | null;
  nanos?: number | null;
}

/** Milliseconds of a Duration; undefined when it is absent or not a finite, non-negative figure. */
export function durationMs(d: DurationLike | null | undefined): number | undefined {
  if (!d) return undefined;
  const raw = d.seconds;
  const seconds = raw === null || raw === undefined ? 0 : typeof raw === 'object' ? raw.toNumber() : Number(raw);
  const ms = seconds * 1000 + Math.floor((d.nanos ?? 0) / 1e6);
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(ms, MAX_AGE_MS);
}

export type BacklogAgeProbe = () => Promise<number | undefined>;

/**
 * A probe of `taskQueue`'s workflow-task backlog age (ms; 0 when nothing waits). It resolves undefined when
 * Temporal does not answer within `timeoutMs` or answers without stats (an older server): the flusher then sends
 * what the messages reported, as before.
 */
export function workflowBacklogAge(
  client: Pick<Client, 'workflowService'> & Partial<Pick<Client, 'withDeadline'>>,
  namespace: string,
  taskQueue: string,
  timeoutMs = 2000,
): BacklogAgeProbe {
  const { TaskQueueKind, TaskQueueType } = proto.api.enums.v1;
  return async () => {
    const call = () =>
      client.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        reportStats: true,
      });
    try {
      const deadline = Date.now() + timeoutMs;
      const res = await (client.withDeadline ? client.withDeadline(deadline, call) : call());
      if (!res.stats) return undefined;
      return durationMs(res.stats.approximateBacklogAge) ?? 0;
    } catch {
      return undefined;
    }
  };
}
