/**
 * Stand-ins for integration tests of route health's process side, until the real routeHealth workflow
 * (src/workflows/route-health.ts) is in this branch:
 * - `routeHealth`: records its input and every `observations` / `awsHealthEvent` signal, and answers the `snapshot`
 *   query with whatever `setSnapshot` last set (empty at first); runs until terminated;
 * - `reporter`: a message's use of route health: reports observations through the `routeHealth` sink, then reads
 *   the health of some keys through the `readRouteHealth` local activity and returns it.
 */
import {
  condition,
  defineQuery,
  defineSignal,
  proxyLocalActivities,
  proxySinks,
  setHandler,
} from '@temporalio/workflow';
import type { RouteHealthSnapshot, RouteObservation } from '../../src/domain/route-health';
import {
  awsHealthEventSignal,
  healthSnapshotQuery,
  observationsSignal,
  type AwsHealthEventSignal,
  type ObservationBatch,
  type ReadRouteHealth,
  type RouteHealthSinks,
} from '../../src/workflows/route-health-definitions';

export interface Received {
  input: unknown;
  batches: ObservationBatch[];
  events: AwsHealthEventSignal[];
}

export const receivedQuery = defineQuery<Received>('received');
export const setSnapshotSignal = defineSignal<[RouteHealthSnapshot]>('setSnapshot');

export async function routeHealth(input: unknown): Promise<void> {
  const received: Received = { input, batches: [], events: [] };
  let snapshot: RouteHealthSnapshot = { at: 0, entries: [] };
  setHandler(observationsSignal, (batch) => {
    received.batches.push(batch);
  });
  setHandler(awsHealthEventSignal, (event) => {
    received.events.push(event);
  });
  setHandler(setSnapshotSignal, (s) => {
    snapshot = s;
  });
  setHandler(receivedQuery, () => received);
  setHandler(healthSnapshotQuery, () => snapshot);
  await condition(() => false);
}

export async function reporter(observations: RouteObservation[], keys: string[]): Promise<RouteHealthSnapshot> {
  const { routeHealth: sink } = proxySinks<RouteHealthSinks>();
  for (const o of observations) sink.observe(o);
  const { readRouteHealth } = proxyLocalActivities<{ readRouteHealth: ReadRouteHealth }>({
    startToCloseTimeout: '10s',
  });
  return await readRouteHealth({ keys });
}
