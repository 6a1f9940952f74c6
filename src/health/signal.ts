/**
 * How processes reach the `routeHealth` workflow: `signalWithStart` to `route-health:<taskQueue>`, so the first
 * signal of a deployment starts it and every later one finds it (also after a continue-as-new). It starts on the
 * deployment's shared-state task queue (`<taskQueue>-shared-state`, src/domain/shared-state.ts), which a small Worker
 * of every worker process polls. Its input is `routeHealthWorkflowInput(config)`: the config's thresholds, as the
 * workflow should run them.
 */
import type { Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import type { Config } from '../domain/config';
import { SHARED_STATE_PRIORITY } from '../domain/pacing';
import { sharedStateTaskQueue } from '../domain/shared-state';
import { ROUTE_HEALTH_WORKFLOW_TYPE, routeHealthWorkflowId } from '../workflows/route-health-definitions';
import { routeHealthWorkflowInput, type RouteHealthWorkflowInput } from '../workflows/route-health-input';

export { routeHealthWorkflowInput, type RouteHealthWorkflowInput };

export { routeHealthSettings } from '../domain/route-health-config';

/**
 * What route health needs of a Temporal client: `signalWithStart`, `getHandle(...).query` and, when present,
 * `withDeadline` to bound each call (a hung connection must not hold a flush or a refresh forever).
 */
export type RouteHealthClient = Pick<Client, 'workflow'> & Partial<Pick<Client, 'withDeadline'>>;

/** Signals the routeHealth workflow of `config`'s task queue, starting it when it is not running. */
export async function signalRouteHealth<A>(
  client: RouteHealthClient,
  config: Config,
  signal: SignalDefinition<[A]>,
  arg: A,
  timeoutMs = 10_000,
): Promise<void> {
  const { taskQueue } = config.temporal;
  const call = () =>
    client.workflow.signalWithStart<(input: RouteHealthWorkflowInput) => Promise<void>, [A]>(
      ROUTE_HEALTH_WORKFLOW_TYPE,
      {
        workflowId: routeHealthWorkflowId(taskQueue),
        taskQueue: sharedStateTaskQueue(taskQueue),
        priority: SHARED_STATE_PRIORITY,
        args: [routeHealthWorkflowInput(config)],
        signal,
        signalArgs: [arg],
      },
    );
  const deadline = Date.now() + timeoutMs;
  await (client.withDeadline ? client.withDeadline(deadline, call) : call());
}
