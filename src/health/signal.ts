/**
 * How processes reach the `routeHealth` workflow: `signalWithStart` to `route-health:<taskQueue>`, so the first
 * signal of a deployment starts it and every later one finds it (also after a continue-as-new). Its input is
 * `routeHealthWorkflowInput(config)`: the config's thresholds, as the workflow should run them.
 */
import type { Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import type { Config } from '../domain/config';
import { routeHealthSchema, type RouteHealthConfig } from '../domain/route-health-config';
import { ROUTE_HEALTH_WORKFLOW_TYPE, routeHealthWorkflowId } from '../workflows/route-health-definitions';

/**
 * The routeHealth workflow's input: the thresholds, the silent-filtering detector and the wake-up settings of
 * `config.routeHealth` (its defaults when absent), the routes as `account/Region` and the task queue. The same shape
 * and builder as `routeHealthWorkflowInput` of src/workflows/route-health-input.ts (the workflow's side, written
 * with the workflow); when both are in one tree this one should simply re-export that one.
 */
export interface RouteHealthWorkflowInput {
  config: {
    breakers: RouteHealthConfig['breakers'];
    /** Milliseconds. */
    overdueAfter: number;
    latencyFactor: number;
    /** Signal `routeChanged` to in-flight messages of a key that opens or is drained. */
    wakeWaiting: boolean;
    taskQueue?: string;
    /** The config's routes as `account/Region` (the `SmsRoute` values). */
    routes?: string[];
  };
  /** State carried over by continue-as-new; absent on a fresh start. */
  carried?: unknown;
}

const DEFAULTS: RouteHealthConfig = routeHealthSchema.parse({});

/** The section with its defaults applied (an absent section: every default, `enabled: false`). */
export function routeHealthSettings(config: Pick<Config, 'routeHealth'>): RouteHealthConfig {
  return config.routeHealth ?? DEFAULTS;
}

export function routeHealthWorkflowInput(
  full: Pick<Config, 'routeHealth' | 'routes' | 'temporal'>,
  taskQueue: string = full.temporal.taskQueue,
): RouteHealthWorkflowInput {
  const rh = routeHealthSettings(full);
  return {
    config: {
      breakers: {
        'send-error': { ...rh.breakers['send-error'] },
        'receipt-failure': { ...rh.breakers['receipt-failure'] },
        'no-receipt': { ...rh.breakers['no-receipt'] },
      },
      overdueAfter: rh.overdueAfter,
      latencyFactor: rh.latencyFactor,
      wakeWaiting: rh.wakeWaiting,
      taskQueue,
      routes: [...new Set(full.routes.map((r) => `${r.account}/${r.region}`))],
    },
  };
}

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
        taskQueue,
        args: [routeHealthWorkflowInput(config)],
        signal,
        signalArgs: [arg],
      },
    );
  const deadline = Date.now() + timeoutMs;
  await (client.withDeadline ? client.withDeadline(deadline, call) : call());
}
