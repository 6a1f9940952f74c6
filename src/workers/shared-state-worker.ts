/**
 * The shared-state Worker of a worker process: a second, small Worker on the deployment's shared-state task queue
 * (`<taskQueue>-shared-state`, src/domain/shared-state.ts), where the routeHealth and pumpingGuard workflows run.
 * A burst of messages fills the main Worker's workflow task slots and its queue; the signals, updates and queries of
 * those two workflows (every process's batches and snapshot refreshes, `resilient-sms routes`, the pumping listing)
 * are answered here instead, by slots no message task takes (docs/route-health.md, "Bursts").
 *
 * It runs the same workflow bundle on the same connection, namespace and data converter as the main Worker, and the
 * one activity those workflows schedule: routeHealth's `wakeMessagesOnRoute` (an activity runs on its workflow's task
 * queue unless told otherwise; pumpingGuard schedules none). The main Worker keeps every workflow type registered, so
 * a routeHealth or pumpingGuard run still on the main queue (started by an older release) keeps running there until
 * its next continue-as-new moves it here (src/workflows/shared-state-queue.ts).
 */
import { Worker, type WorkerOptions } from '@temporalio/worker';
import type { RouteHealthActivities } from '../activities/route-health';
import { sharedStateTaskQueue } from '../domain/shared-state';

/**
 * Its limits: two shared-state workflows per deployment, so two workflow task slots and a small cache; a few wake-ups
 * at once (each signals its messages 16 at a time). One workflow thread: the bundle is loaded into one more V8
 * context in the process, not two.
 */
export const SHARED_STATE_WORKER_LIMITS = {
  maxConcurrentWorkflowTaskExecutions: 2,
  maxCachedWorkflows: 10,
  maxConcurrentActivityTaskExecutions: 4,
  maxConcurrentLocalActivityExecutions: 2,
  workflowThreadPoolSize: 1,
  workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 2 },
  activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 1 },
} as const satisfies Partial<WorkerOptions>;

/** What it shares with the process's main Worker. */
export type SharedStateWorkerBase = Pick<
  WorkerOptions,
  'connection' | 'namespace' | 'dataConverter' | 'interceptors' | 'workflowBundle' | 'workflowsPath' | 'reuseV8Context'
>;

/** The activities the shared-state workflows schedule. */
export type SharedStateActivities = Pick<RouteHealthActivities, 'wakeMessagesOnRoute'>;

/** The options of the shared-state Worker of the deployment whose main task queue is `taskQueue`. */
export function sharedStateWorkerOptions(
  taskQueue: string,
  base: SharedStateWorkerBase,
  activities: SharedStateActivities,
): WorkerOptions {
  return {
    ...base,
    taskQueue: sharedStateTaskQueue(taskQueue),
    activities,
    ...SHARED_STATE_WORKER_LIMITS,
  };
}

/** Creates the shared-state Worker (see the module's comment). */
export function createSharedStateWorker(
  taskQueue: string,
  base: SharedStateWorkerBase,
  activities: SharedStateActivities,
): Promise<Worker> {
  return Worker.create(sharedStateWorkerOptions(taskQueue, base, activities));
}
