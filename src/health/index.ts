/**
 * The process side of route health, put together for a worker: the `routeHealth.observe` sink (aggregated per key
 * per second, ./aggregator.ts), the flusher that sends one batch per `flushInterval` (./flusher.ts), the snapshot
 * cache refreshed every `refreshInterval` (./snapshot-cache.ts), the `readRouteHealth` local activity served from it
 * (./read-route-health.ts) and the metrics (./metrics.ts). The design, its limits and figures: docs/route-health.md.
 */
import { canaryRouteIds } from '../canaries/plan';
import { hostname } from 'node:os';
import type { MetricMeter } from '@temporalio/common';
import type { InjectedSinks } from '@temporalio/worker';
import type { Config } from '../domain/config';
import type { RouteObservation } from '../domain/route-health';
import type { ReadRouteHealth, RouteHealthSinks } from '../workflows/route-health-definitions';
import { ObservationAggregator } from './aggregator';
import type { BacklogAgeProbe } from './backlog';
import { ObservationFlusher } from './flusher';
import type { HealthLog } from './log';
import { configuredRouteKeys, createRouteHealthMetrics, type RouteHealthMetrics } from './metrics';
import { ProbeGate, READ_ROUTE_HEALTH_ACTIVITY, readRouteHealthActivity } from './read-route-health';
import { routeHealthSettings, type RouteHealthClient } from './signal';
import { SnapshotCache } from './snapshot-cache';

export { routeHealthWorkflowInput, signalRouteHealth, type RouteHealthWorkflowInput } from './signal';

export interface RouteHealthProcessOptions {
  config: Config;
  client: RouteHealthClient;
  log: HealthLog;
  meter?: MetricMeter;
  /** Default `worker@<host>:<pid>`. */
  source?: string;
  /** The message workflows' task backlog age (./backlog.ts), sent as the batches' processing lag when larger. */
  backlogAge?: BacklogAgeProbe;
}

export interface RouteHealthProcess {
  sinks: InjectedSinks<RouteHealthSinks>;
  activities: { [READ_ROUTE_HEALTH_ACTIVITY]: ReadRouteHealth };
  aggregator: ObservationAggregator;
  flusher: ObservationFlusher;
  cache: SnapshotCache;
  /** Starts the flush and refresh timers. */
  start(): void;
  /** Stops them, after a last flush. */
  stop(): Promise<void>;
}

/** Why an observation cannot be counted, or undefined when it can. */
export function observationProblem(o: unknown): string | undefined {
  const v = o as Partial<Record<string, unknown>> | null;
  if (!v || typeof v !== 'object') return 'not an object';
  if (typeof v.at !== 'number' || !Number.isFinite(v.at)) return '`at` must be a finite number';
  if (typeof v.probe !== 'boolean') return '`probe` must be a boolean';
  switch (v.kind) {
    case 'send':
      if (!Array.isArray(v.keys) || !v.keys.every((k) => typeof k === 'string')) return '`keys` must be strings';
      if (v.outcome !== 'ok' && v.outcome !== 'failure' && v.outcome !== 'ambiguous') {
        return '`outcome` must be ok, failure or ambiguous';
      }
      return v.blamed === undefined || typeof v.blamed === 'string' ? undefined : '`blamed` must be a string';
    case 'receipt':
    case 'no-receipt':
      if (typeof v.key !== 'string') return '`key` must be a string';
      if (typeof v.sentAt !== 'number') return '`sentAt` must be a number';
      return v.kind === 'receipt' && typeof v.ok !== 'boolean' ? '`ok` must be a boolean' : undefined;
    default:
      return `unknown kind ${JSON.stringify(v.kind)}`;
  }
}

function outcomeOf(o: RouteObservation): string {
  if (o.kind === 'send') return o.outcome;
  if (o.kind === 'receipt') return o.ok ? 'ok' : 'failure';
  return 'step-ended';
}

function observeSink(aggregator: ObservationAggregator, log: HealthLog, metrics?: RouteHealthMetrics) {
  return (info: { workflowId: string }, observation: RouteObservation): void => {
    const problem = observationProblem(observation);
    if (problem) {
      metrics?.observation('invalid', 'invalid', false);
      log('warn', 'route health: observation not counted', { workflowId: info.workflowId, problem });
      return;
    }
    aggregator.observe(observation);
    metrics?.observation(observation.kind, outcomeOf(observation), observation.probe);
  };
}

export function createRouteHealthProcess(opts: RouteHealthProcessOptions): RouteHealthProcess {
  const { config, client, log } = opts;
  const rh = routeHealthSettings(config);
  const metrics = opts.meter ? createRouteHealthMetrics(opts.meter, configuredRouteKeys(config)) : undefined;
  const aggregator = new ObservationAggregator();
  const source = opts.source ?? `worker@${hostname()}:${process.pid}`;
  const flusher = new ObservationFlusher({
    config,
    client,
    aggregator,
    source,
    intervalMs: rh.flushInterval,
    log,
    metrics,
    backlogAge: opts.backlogAge,
  });
  const cache = new SnapshotCache({ config, client, intervalMs: rh.refreshInterval, log, metrics });
  const perPeriod = Math.max(...Object.values(rh.breakers).map((b) => b.halfOpenProbes));
  const canaryRoutes = new Set(
    canaryRouteIds(config).flatMap((id) =>
      config.routes.filter((r) => r.id === id).map((r) => `${r.account}/${r.region}`),
    ),
  );
  const readRouteHealth = readRouteHealthActivity({ cache, gate: new ProbeGate(perPeriod), canaryRoutes });
  return {
    sinks: { routeHealth: { observe: { fn: observeSink(aggregator, log, metrics), callDuringReplay: false } } },
    activities: { [READ_ROUTE_HEALTH_ACTIVITY]: readRouteHealth },
    aggregator,
    flusher,
    cache,
    start() {
      flusher.start();
      cache.start();
    },
    async stop() {
      await cache.stop();
      await flusher.stop();
    },
  };
}
