/**
 * A stand-in for the routeHealth workflow in the operators' tests: it implements the contract's drain/undrain
 * updates and routes query (src/workflows/route-health-definitions.ts) with a plain map, and tells what it was
 * started with, so that those tests check the client side (src/health/operators.ts) on the real server.
 */
import { condition, defineQuery, setHandler, workflowInfo } from '@temporalio/workflow';
import { drainUpdate, routesQuery, undrainUpdate, type RouteView } from '../../src/workflows/route-health-definitions';

export const startArgsQuery = defineQuery<unknown[]>('startArgs');

export async function routeHealth(...args: unknown[]): Promise<void> {
  const views = new Map<string, RouteView>();
  const now = () => workflowInfo().runStartTime.getTime();
  setHandler(startArgsQuery, () => args);
  setHandler(routesQuery, () => [...views.values()]);
  setHandler(drainUpdate, (req) => {
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
  });
  setHandler(undrainUpdate, (req) => {
    const previous = views.get(req.key);
    views.delete(req.key);
    return {
      key: req.key,
      state: 'closed',
      condition: 'closed',
      since: now(),
      why: previous ? `undrained by ${req.by}` : 'was not drained',
      recent: { ok: 0, failures: {}, probes: 0 },
    };
  });
  await condition(() => false);
}
