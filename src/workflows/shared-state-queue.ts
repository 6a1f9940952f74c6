/**
 * Continue-as-new for the shared-state workflows (routeHealth, pumpingGuard): onto the deployment's shared-state task
 * queue (src/domain/shared-state.ts), so a run started on the main queue by an older release moves there at its next
 * continue-as-new, and a run already there stays. The queue comes from `workflowInfo().taskQueue` (the run's start
 * event: the same on replay). No `patched()`: the command is the same continue-as-new with another task queue, and
 * replay matches it by its type; the runs recorded before this change continuing on the main queue
 * (test/workflows/histories/*-continued-before-shared-state-queue.json) replay with this code. Deterministic code only.
 */
import { makeContinueAsNewFunc, workflowInfo, type Workflow } from '@temporalio/workflow';
import { continuationTaskQueue } from '../domain/shared-state';

/** Continues as new with `args`, on the shared-state task queue. */
export async function continueOnSharedStateQueue<F extends Workflow>(...args: Parameters<F>): Promise<never> {
  return await makeContinueAsNewFunc<F>({ taskQueue: continuationTaskQueue(workflowInfo().taskQueue) })(...args);
}
