/**
 * How route health reorders a message's ladder (pure; the planner calls it). Among the rungs the planner still
 * allows, healthy ones come first in plan order; rungs whose Region, account or originator is open, half-open or
 * drained come after them (policy `last`) or are left out (`skip`). Health only ever reorders or skips what the
 * planner allows: an opt-out or any compliance rule has already excluded its rungs. When no healthy rung is left,
 * the message still goes out on the best unhealthy one (half-open before open before drained) rather than failing.
 */
import type { RoutingPlan, Rung } from '../domain/plan';
import {
  keysOfRung,
  rungHealth,
  type RouteHealthEntry,
  type UnhealthyRungAction,
  type RouteCondition,
} from '../domain/route-health';

/** A rung the message passed over because of route health, and why (shown in the status record). */
export interface PassedRung {
  rungIndex: number;
  action: 'moved' | 'skipped';
  key: string;
  condition: RouteCondition;
  why: string;
}

export interface HealthView {
  entries: readonly RouteHealthEntry[];
  action: UnhealthyRungAction;
}

const RANK: Record<RouteCondition, number> = { 'half-open': 1, open: 2, drained: 3 };

/** `primary/us-east-1 pool-x: region:us-east-1 open since 10:42:07 (14 of 15 sends failed)`. */
export function describeHealth(rung: Rung, entry: RouteHealthEntry): string {
  const since = new Date(entry.since).toISOString().slice(11, 19);
  return `${rung.account}/${rung.region} ${rung.originator}: ${entry.key} ${entry.condition} since ${since} UTC (${entry.why})`;
}

/** The health entry that makes rung `i` unhealthy, if any. */
export function unhealthy(plan: RoutingPlan, i: number, health: HealthView): RouteHealthEntry | undefined {
  return rungHealth(health.entries, keysOfRung(plan.rungs[i], plan.country));
}

/**
 * The order in which to try `candidates` (rung indexes in plan order): healthy first in plan order, then the
 * unhealthy ones by how bad they are. The unhealthy ones are in the order when the policy says `last`, or, with
 * `skip`, only when the message has sent nothing yet (every route it has is unhealthy: it still goes out).
 */
export function healthOrder(
  plan: RoutingPlan,
  candidates: readonly number[],
  health: HealthView,
  sentSoFar: number,
): { order: number[]; entries: Map<number, RouteHealthEntry> } {
  const entries = new Map<number, RouteHealthEntry>();
  const healthy: number[] = [];
  const sick: number[] = [];
  for (const i of candidates) {
    const entry = unhealthy(plan, i, health);
    if (entry) {
      entries.set(i, entry);
      sick.push(i);
    } else healthy.push(i);
  }
  sick.sort((a, b) => RANK[entries.get(a)!.condition] - RANK[entries.get(b)!.condition] || a - b);
  const fallback = health.action === 'last' || sentSoFar === 0;
  return { order: fallback ? [...healthy, ...sick] : healthy, entries };
}

/** The unhealthy rungs before `chosen` in plan order that the message passed over. */
export function passedOver(
  plan: RoutingPlan,
  chosen: number,
  entries: Map<number, RouteHealthEntry>,
  action: UnhealthyRungAction,
): PassedRung[] {
  const passed: PassedRung[] = [];
  for (const [i, entry] of entries) {
    if (i >= chosen) continue;
    passed.push({
      rungIndex: i,
      action: action === 'skip' ? 'skipped' : 'moved',
      key: entry.key,
      condition: entry.condition,
      why: describeHealth(plan.rungs[i], entry),
    });
  }
  return passed.sort((a, b) => a.rungIndex - b.rungIndex);
}
