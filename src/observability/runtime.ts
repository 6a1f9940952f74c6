/**
 * Process-level observability: installs the Temporal Runtime once per process with
 * - the JSON-lines logger (src/observability/logger.ts), Core's own log lines forwarded to it;
 * - the Prometheus exporter on `METRICS_PORT` / `--metrics-port`: the SDK's metrics (`temporal_*`: task
 *   slots, poll latencies, activity/workflow task outcomes, ...) and ours (`rsms_*`, created on
 *   `Runtime.instance().metricMeter` or an activity's `metricMeter`) on one `/metrics` endpoint.
 *
 * Must run before the first Worker / NativeConnection of the process is created.
 */
import { makeTelemetryFilterString, Runtime, type LogLevel } from '@temporalio/worker';
import type { MetricMeter } from '@temporalio/common';
import { jsonLogger, logLevelFrom } from './logger';
import { HISTOGRAM_BUCKETS } from './metrics';

export interface ObservabilityOptions {
  /** Process name on every log line (`worker`, `ingester`, ...). */
  processName: string;
  /** Prometheus port; undefined = $METRICS_PORT; unset or empty = no metrics endpoint. 0 is not allowed. */
  metricsPort?: number;
  /** Listen address of the metrics endpoint. Default $METRICS_HOST, else 0.0.0.0 (scraped from outside). */
  metricsHost?: string;
  logLevel?: LogLevel;
  /**
   * Forward Core's (Rust) log lines to the JSON logger. Default true. Only for processes that run a Worker or a
   * NativeConnection: forwarding keeps the Runtime - and so the process - alive until its last native object is
   * closed, which never happens in a process without one (the ingester uses the pure-JS client).
   */
  forwardCoreLogs?: boolean;
}

export interface Observability {
  /** `http://host:port/metrics`, when metrics are on. */
  metricsUrl?: string;
  meter: MetricMeter;
}

export function parsePort(value: string | number | undefined, what = 'metrics port'): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${what} must be 1..65535, got "${value}"`);
  return port;
}

let installed: Observability | undefined;

export function installObservability(opts: ObservabilityOptions): Observability {
  if (installed) return installed;
  const port = opts.metricsPort ?? parsePort(process.env.METRICS_PORT, 'METRICS_PORT');
  const host = opts.metricsHost ?? process.env.METRICS_HOST ?? '0.0.0.0';
  const level = opts.logLevel ?? logLevelFrom(process.env.LOG_LEVEL);
  Runtime.install({
    logger: jsonLogger({ fields: { process: opts.processName, pid: process.pid }, level }),
    telemetryOptions: {
      logging: {
        ...(opts.forwardCoreLogs === false ? {} : { forward: {} }),
        filter: makeTelemetryFilterString({ core: level === 'TRACE' ? 'DEBUG' : 'WARN' }),
      },
      ...(port !== undefined
        ? {
            metrics: {
              prometheus: {
                bindAddress: `${host}:${port}`,
                countersTotalSuffix: true,
                unitSuffix: true,
                useSecondsForDurations: true,
                histogramBucketOverrides: HISTOGRAM_BUCKETS,
              },
            },
          }
        : {}),
    },
  });
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  installed = {
    metricsUrl: port !== undefined ? `http://${shownHost}:${port}/metrics` : undefined,
    meter: Runtime.instance().metricMeter,
  };
  if (installed.metricsUrl) Runtime.instance().logger.info('metrics endpoint', { metricsUrl: installed.metricsUrl });
  return installed;
}
