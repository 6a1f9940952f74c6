/** Who polls a task queue: how the launcher, chaos and bench know a worker is ready. */
import type { Client } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';

export type TaskQueueKind = 'workflow' | 'activity';

/** The identities polling `taskQueue` for workflow or activity tasks. */
export async function pollerIdentities(
  client: Client,
  namespace: string,
  taskQueue: string,
  kind: TaskQueueKind = 'workflow',
): Promise<string[]> {
  const { TaskQueueKind: Kind, TaskQueueType } = proto.api.enums.v1;
  const res = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: Kind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType:
      kind === 'workflow' ? TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW : TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  return (res.pollers ?? []).map((p) => p.identity ?? '');
}

/** Whether any worker polls `taskQueue` for workflow tasks (false while Temporal does not answer). */
export async function workerPolling(client: Client, namespace: string, taskQueue: string): Promise<boolean> {
  try {
    return (await pollerIdentities(client, namespace, taskQueue)).length > 0;
  } catch {
    return false;
  }
}
