/**
 * Route health on the process's Prometheus endpoint (created on the Temporal Runtime's meter, like every rsms_
 * metric, see src/observability/metrics.ts):
 * - `rsms_route_state{key,kind}` (worker): 0 closed, 1 half-open, 2 open, 3 drained, for every key of the config's
 *   routes and every key a snapshot listed (a key that leaves the snapshot goes back to 0);
 * - `rsms_route_observations_total{kind,outcome,probe}` (worker): what the messages of this process reported;
 * - `rsms_route_health_flushes_total{result}` (worker): batches sent to the routeHealth workflow (`sent`) or kept
 *   for the next flush (`failed`);
 * - `rsms_aws_health_events_total{result}` (ingester): AWS Health events signalled, ignored or malformed.
 *
 * The `key` label is a health key built from the config (account, Region, originator identity, country): the
 * originator identities are the sender's own numbers and pools, never a recipient's, and their number is bounded by
 * the config. Anything else in a key becomes `other`.
 */
import type { MetricCounter, MetricGauge, MetricMeter } from '@temporalio/common';
import type { Config } from '../domain/config';
import { regionKey, routeKey, type RouteCondition } from '../domain/route-health';
import { METRIC_NAMES, tags } from '../observability/metrics';

export const ROUTE_STATE_VALUES: Record<RouteCondition | 'closed', number> = {
  closed: 0,
  'half-open': 1,
  open: 2,
  drained: 3,
};

const KEY_LABEL = /^(region|route|originator):[A-Za-z0-9_./:@*+-]{1,200}$/;

/** A health key as a label value: the key itself when it has a key's shape, else `other`. */
export function routeKeyLabel(key: string): string {
  return KEY_LABEL.test(key) ? key : 'other';
}

export function keyKind(key: string): string {
  const kind = key.slice(0, key.indexOf(':'));
  return kind === 'region' || kind === 'route' || kind === 'originator' ? kind : 'other';
}

/** The region and route keys of the config's SMS routes: shown as closed before any snapshot names them. */
export function configuredRouteKeys(config: Config): string[] {
  const keys = new Set<string>();
  for (const r of config.routes) {
    keys.add(regionKey(r.region));
    keys.add(routeKey(r.account, r.region));
  }
  return [...keys];
}

export interface RouteHealthMetrics {
  /** Sets `rsms_route_state` of every key: those in `conditions`, and 0 for every other key ever shown. */
  showStates(conditions: ReadonlyMap<string, RouteCondition>): void;
  observation(kind: string, outcome: string, probe: boolean): void;
  flush(result: 'sent' | 'failed'): void;
}

export function createRouteHealthMetrics(meter: MetricMeter, initialKeys: readonly string[]): RouteHealthMetrics {
  const state: MetricGauge = meter.createGauge(
    METRIC_NAMES.routeState,
    'int',
    undefined,
    'Route health of each key as this process sees it: 0 closed, 1 half-open, 2 open, 3 drained',
  );
  const observations: MetricCounter = meter.createCounter(
    METRIC_NAMES.routeObservations,
    undefined,
    'What the messages of this process reported to route health, by kind (send, receipt, no-receipt, invalid), outcome and probe',
  );
  const flushes: MetricCounter = meter.createCounter(
    METRIC_NAMES.routeHealthFlushes,
    undefined,
    'Observation batches sent to the routeHealth workflow (sent) or kept for the next flush (failed)',
  );
  const shown = new Set<string>(initialKeys);
  const safely = (fn: () => void) => {
    try {
      fn();
    } catch {
      // metrics never break route health
    }
  };
  const api: RouteHealthMetrics = {
    showStates(conditions) {
      for (const key of conditions.keys()) shown.add(key);
      for (const key of shown) {
        const value = ROUTE_STATE_VALUES[conditions.get(key) ?? 'closed'];
        safely(() => state.set(value, { key: routeKeyLabel(key), kind: keyKind(key) }));
      }
    },
    observation(kind, outcome, probe) {
      safely(() => observations.add(1, tags({ kind, outcome, probe })));
    },
    flush(result) {
      safely(() => flushes.add(1, tags({ result })));
    },
  };
  api.showStates(new Map());
  return api;
}

/** `rsms_aws_health_events_total{result}`: the ingester's AWS Health events. */
export function awsHealthEventsRecorder(meter: MetricMeter): (result: string) => void {
  const counter = meter.createCounter(
    METRIC_NAMES.awsHealthEvents,
    undefined,
    'AWS Health events read from the routeHealth.healthEvents queue, by result (signalled, ignored, malformed)',
  );
  return (result) => {
    try {
      counter.add(1, tags({ result }));
    } catch {
      // metrics never break ingestion
    }
  };
}
