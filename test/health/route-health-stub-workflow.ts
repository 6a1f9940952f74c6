/**
 * A stand-in for the routeHealth workflow in the operators' tests: it implements the contract's drain/undrain
 * updates and routes query (src/workflows/route-health-definitions.ts) with a plain map, and tells what it was
 * started with, so that those tests check the client side (src/health/operators.ts) on the real server.
 */
import { condition, defineQuery, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  drainUpdate,
  routesQuery,
  undrainUpdate,
  type DrainRequest,
  type RouteView,
  type UndrainRequest,
} from '../../src/workflows/route-health-definitions';

export const startArgsQuery = defineQuery<unknown[]>('startArgs');

export async function routeHealth(...args: unknown[]): Promise<void> {
  const views = new Map<string, RouteView>();
  const now = () => workflowInfo().runStartTime.getTime();
  setHandler(startArgsQuery, () => args);
  setHandler(routesQuery, () => [...views.values()]);
  const drain = (req: DrainRequest): RouteView => {
    const since = now();
    const view: RouteView = {
      key: req.key,
      state: 'closed',
      condition: 'drained',
      since,
      why: `drained by ${req.by}: ${req.reason}`,
      recent: { ok: 0, failures: {}, probes: 0 },
      drain: { reason: req.reason, by: req.by, since, ...(req.forMs ? { until: since + req.forMs } : {}) },
    };
    views.set(req.key, view);
    return view;
  };
  const undrain = (req: UndrainRequest): RouteView => {
    views.delete(req.key);
    return {
      key: req.key,
      state: 'closed',
      condition: 'closed',
      since: now(),
      why: `undrained by ${req.by}`,
      recent: { ok: 0, failures: {}, probes: 0 },
    };
  };
  // Validators as the real workflow has them: it refuses what it cannot take (here, a reason the test chooses) and
  // the undrain of a key that is not drained.
  setHandler(drainUpdate, drain, {
    validator: (req: DrainRequest) => {
      if (req.reason === 'refuse me') throw new Error(`drain ${req.key}: refused by the stand-in`);
    },
  });
  setHandler(undrainUpdate, undrain, {
    validator: (req: UndrainRequest) => {
      if (!views.has(req.key)) throw new Error(`undrain: ${req.key} is not drained`);
    },
  });
  await condition(() => false);
}
