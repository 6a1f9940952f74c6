/**
 * The task queue of a deployment's shared-state workflows (routeHealth, pumpingGuard): `<taskQueue>-shared-state`,
 * polled by a small Worker in every worker process (src/workers/shared-state-worker.ts) whose slots no message task
 * takes, so their signals and queries are answered during a burst of messages on the main queue
 * (docs/route-health.md, "Bursts"). Their workflow ids still name the main queue (`route-health:<taskQueue>`,
 * `pumping-guard:<taskQueue>`). Pure: used by processes and by the workflows themselves (continue-as-new).
 */

export const SHARED_STATE_QUEUE_SUFFIX = '-shared-state';

/** The shared-state task queue of the deployment whose main task queue is `taskQueue`. */
export function sharedStateTaskQueue(taskQueue: string): string {
  return `${taskQueue}${SHARED_STATE_QUEUE_SUFFIX}`;
}

/** Whether `taskQueue` is a shared-state queue (a main task queue may not end like one: see the config schema). */
export function isSharedStateTaskQueue(taskQueue: string): boolean {
  return taskQueue.endsWith(SHARED_STATE_QUEUE_SUFFIX);
}

/**
 * Where a shared-state workflow running on `current` continues as new: where it is when that is a shared-state
 * queue already, else the shared-state queue of the main queue it was started on (a run started by an older
 * release, which used the main queue).
 */
export function continuationTaskQueue(current: string): string {
  return isSharedStateTaskQueue(current) ? current : sharedStateTaskQueue(current);
}

/** Why a main task queue name is refused, or undefined when it is fine. */
export function mainTaskQueueProblem(taskQueue: string): string | undefined {
  return isSharedStateTaskQueue(taskQueue)
    ? `must not end with "${SHARED_STATE_QUEUE_SUFFIX}": that suffix names the queue of the shared-state ` +
        `workflows (route health, the pumping guard) of a deployment`
    : undefined;
}
