/**
 * The canaries' Temporal Schedules (`route-canary:<routeId>`, one per route; see ./plan.ts for what each sends),
 * brought in line with the config by every worker at start (`syncCanarySchedules`; the worker is the one process
 * every deployment runs): each planned schedule is created, or updated when it exists (two workers starting at once:
 * one creates, the other updates to the same thing); a `route-canary:` schedule of this task queue whose route left
 * the config, or every one of them when canaries or route health are off, is deleted. Schedules of other task
 * queues in the namespace are left alone (each carries its task queue in its memo).
 *
 * Each run starts deliverMessage with the id `route-canary:<routeId>-<scheduled time>` (Temporal appends the time
 * to a schedule action's workflow id, so runs never collide) on this task queue. Overlap ALLOW_ALL: a probe stuck
 * in an outage (waiting out its ambiguous wait) does not hold back the next one, which is the probe that sees the
 * recovery; the catch-up window of one interval keeps a server that was down from starting a burst of them.
 */
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
} from '@temporalio/client';
import type { Config } from '../domain/config';
import { progressAttributes } from '../domain/search-attributes';
import { WORKFLOW_TYPE } from '../workflows/definitions';
import type { deliverMessage } from '../workflows/deliver-message';
import { CANARY_SCHEDULE_PREFIX, canaryPlans, type CanaryPlan } from './plan';

/** The memo key naming the task queue a canary schedule belongs to. */
export const TASK_QUEUE_MEMO = 'rsmsTaskQueue';

export interface CanarySyncResult {
  created: string[];
  updated: string[];
  deleted: string[];
  /** Routes that get no canary, and why (logged as warnings). */
  skipped: { routeId: string; reason: string }[];
}

function specOf(plan: CanaryPlan): ScheduleSpec {
  return { intervals: [{ every: plan.everyMs }] };
}

function actionOf(plan: CanaryPlan, taskQueue: string): ScheduleOptionsStartWorkflowAction<typeof deliverMessage> {
  const first = plan.input.plan.rungs[0];
  return {
    type: 'startWorkflow',
    workflowType: WORKFLOW_TYPE,
    workflowId: plan.scheduleId,
    taskQueue,
    args: [plan.input],
    // As the typed client sets them at start (src/client/index.ts): the workflow then skips its first upsert.
    typedSearchAttributes: progressAttributes({
      country: plan.country,
      useCase: plan.input.plan.policy.useCase,
      channel: first.channel,
      route: `${first.account}/${first.region}`,
      level: 'initial',
      attempts: 1,
    }),
    staticSummary: `canary · ${plan.routeId} · ${plan.country}`,
  };
}

function policiesOf(plan: CanaryPlan) {
  return { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: plan.everyMs };
}

/** Creates the schedule, or updates it when it exists. */
async function upsert(client: Client, plan: CanaryPlan, taskQueue: string): Promise<'created' | 'updated'> {
  const spec = specOf(plan);
  const action = actionOf(plan, taskQueue);
  try {
    await client.schedule.create({
      scheduleId: plan.scheduleId,
      spec,
      action,
      policies: policiesOf(plan),
      memo: { [TASK_QUEUE_MEMO]: taskQueue },
    });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule
    .getHandle(plan.scheduleId)
    .update((previous) => ({ spec, action, policies: policiesOf(plan), state: previous.state }));
  return 'updated';
}

/** The `route-canary:` schedules of this task queue that exist now (visibility: eventually consistent). */
async function existingCanaries(client: Client, taskQueue: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const s of client.schedule.list()) {
    if (s.scheduleId.startsWith(CANARY_SCHEDULE_PREFIX) && s.memo?.[TASK_QUEUE_MEMO] === taskQueue) {
      ids.push(s.scheduleId);
    }
  }
  return ids;
}

/** Brings this task queue's canary schedules in line with the config (idempotent). */
export async function syncCanarySchedules(
  client: Client,
  config: Config,
  taskQueue: string = config.temporal.taskQueue,
): Promise<CanarySyncResult> {
  const { plans, skipped } = canaryPlans(config);
  const result: CanarySyncResult = { created: [], updated: [], deleted: [], skipped };
  for (const plan of plans) result[await upsert(client, plan, taskQueue)].push(plan.scheduleId);
  const wanted = new Set(plans.map((p) => p.scheduleId));
  for (const id of await existingCanaries(client, taskQueue)) {
    if (wanted.has(id)) continue;
    try {
      await client.schedule.getHandle(id).delete();
      result.deleted.push(id);
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
  }
  return result;
}

/** Where syncCanariesLogged reports (the worker passes the Runtime's logger). */
export interface CanaryLog {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

/**
 * syncCanarySchedules for a process that must not stop on it (the worker at start): what changed is logged at info,
 * routes without a canary and a failed sync at warn (the worker goes on; the next start tries again).
 */
export async function syncCanariesLogged(
  client: Client,
  config: Config,
  taskQueue: string,
  log: CanaryLog,
): Promise<CanarySyncResult | undefined> {
  try {
    const r = await syncCanarySchedules(client, config, taskQueue);
    for (const s of r.skipped) log.warn(`route ${s.routeId} gets no canary: ${s.reason}`, { routeId: s.routeId });
    if (r.created.length + r.updated.length + r.deleted.length > 0) {
      log.info('canary schedules in line with the config', {
        created: r.created,
        updated: r.updated,
        deleted: r.deleted,
      });
    }
    return r;
  } catch (err) {
    log.warn(`canary schedules not synced: ${(err as Error).message}`, { taskQueue });
    return undefined;
  }
}
