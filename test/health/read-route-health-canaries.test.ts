/**
 * Where canaries probe a route, they are its half-open probes: the readRouteHealth local activity gives no user
 * message a probe permit on that route's keys, and still does on routes without canaries.
 */
import type { RouteHealthSnapshot } from '../../src/domain/route-health';
import type { SnapshotCache } from '../../src/health/snapshot-cache';
import { ProbeGate, probedByCanary, readRouteHealthActivity } from '../../src/health/read-route-health';

const halfOpen = (key: string) => ({ key, condition: 'half-open' as const, since: 1, why: 'cooldown over' });

function cacheOf(snapshot: RouteHealthSnapshot): SnapshotCache {
  return { ready: () => Promise.resolve(), current: () => ({ snapshot, ageMs: 0 }) } as unknown as SnapshotCache;
}

describe('half-open probes and canaries', () => {
  it('knows which keys a canary route covers', () => {
    const routes = new Set(['primary/us-east-1']);
    expect(probedByCanary('route:primary/us-east-1', routes)).toBe(true);
    expect(probedByCanary('originator:primary/us-east-1/pool-x@US', routes)).toBe(true);
    expect(probedByCanary('region:us-east-1', routes)).toBe(true);
    expect(probedByCanary('route:secondary/us-east-1', routes)).toBe(false);
    expect(probedByCanary('region:us-west-2', routes)).toBe(false);
    expect(probedByCanary('region:us-east-1', undefined)).toBe(false);
  });

  it('gives user messages no probe permit on a route its canaries probe, and does elsewhere', async () => {
    const snapshot = { at: 1, entries: [halfOpen('route:primary/us-east-1'), halfOpen('route:primary/us-west-2')] };
    const read = readRouteHealthActivity({
      cache: cacheOf(snapshot),
      gate: new ProbeGate(3),
      canaryRoutes: new Set(['primary/us-east-1']),
    });
    const answer = await read({ keys: ['route:primary/us-east-1', 'route:primary/us-west-2'] });
    expect(answer.entries.map((e) => [e.key, e.probe === true])).toEqual([
      ['route:primary/us-east-1', false],
      ['route:primary/us-west-2', true],
    ]);
  });
});
