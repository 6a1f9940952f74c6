/**
 * The `routeHealth` workflow's input: the serialisable part of the config's `routeHealth` section it needs, plus
 * the state carried over by continue-as-new. Processes build it with `routeHealthWorkflowInput(config)` for
 * `signalWithStart`; a running workflow keeps the input it started with (see docs/route-health.md, "Changing the
 * thresholds"). No Temporal import: safe for any process and for workflow code.
 */
import type { BreakerConfig } from '../domain/breaker';
import type { Config } from '../domain/config';
import { routeHealthSettings } from '../domain/route-health-config';

export interface RouteHealthWorkflowConfig extends BreakerConfig {
  /** Signal `routeChanged` to in-flight messages of a key that opens or is drained. */
  wakeWaiting: boolean;
  /** Limit the wake-up to messages of this task queue (the deployment's); every task queue when absent. */
  taskQueue?: string;
  /** The config's routes as `account/Region` (the `SmsRoute` values): a Region key wakes the messages of each. */
  routes?: string[];
  /** Continue-as-new once the history has this many events (default 4,000; Temporal suggests it itself later). */
  maxHistoryEvents?: number;
  /** At most this many messages signalled per wake-up (default 1,000). */
  maxWake?: number;
}

export interface RouteHealthWorkflowInput {
  config: RouteHealthWorkflowConfig;
  /** State carried over by continue-as-new; absent on a fresh start. Unknown or malformed parts are dropped. */
  carried?: unknown;
}

/**
 * The input `signalWithStart` passes: the thresholds, the silent-filtering detector and the wake-up settings of
 * `config.routeHealth` (its defaults when the section is absent), the routes, and the task queue (default the
 * config's).
 */
export function routeHealthWorkflowInput(
  full: Pick<Config, 'routeHealth' | 'routes' | 'temporal'>,
  taskQueue: string = full.temporal.taskQueue,
): RouteHealthWorkflowInput {
  const config = routeHealthSettings(full);
  const routes = [...new Set(full.routes.map((r) => `${r.account}/${r.region}`))];
  return {
    config: {
      breakers: {
        'send-error': { ...config.breakers['send-error'] },
        'receipt-failure': { ...config.breakers['receipt-failure'] },
        'no-receipt': { ...config.breakers['no-receipt'] },
      },
      overdueAfter: config.overdueAfter,
      latencyFactor: config.latencyFactor,
      wakeWaiting: config.wakeWaiting,
      taskQueue,
      routes,
    },
  };
}
