/**
 * The workflows test/workflows/route-health.test.ts bundles: the real routeHealth workflow, and a stand-in for an
 * in-flight message that records the `routeChanged` signals it gets.
 */
import { condition, defineQuery, setHandler } from '@temporalio/workflow';
import { routeChangedSignal, type RouteChangedSignal } from '../../src/workflows/route-health-definitions';

export { routeHealth } from '../../src/workflows/route-health';

export const routeChangesQuery = defineQuery<RouteChangedSignal[]>('routeChanges');

/** Waits (at most 2 minutes) while answering which routeChanged signals it got. */
export async function routeChangedListener(): Promise<void> {
  const seen: RouteChangedSignal[] = [];
  setHandler(routeChangedSignal, (s) => {
    seen.push(s);
  });
  setHandler(routeChangesQuery, () => seen);
  await condition(() => false, '2m');
}
