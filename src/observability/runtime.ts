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
import { parsePort } from '../cli/options';
import { readEnvironment, type Environment } from '../config/environment';
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
  /** LOG_LEVEL, METRICS_PORT, METRICS_HOST as the process entry read them; default the process environment. */
  environment?: Environment;
}

export interface Observability {
  /** `http://host:port/metrics`, when metrics are on. */
  metricsUrl?: string;
  meter: MetricMeter;
}

/** $METRICS_PORT: unset is no metrics endpoint; otherwise a port 1..65535. */
export function metricsPortFrom(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    return parsePort(value);
  } catch (err) {
    throw new Error(`METRICS_PORT ${(err as Error).message}`);
  }
}

let installed: Observability | undefined;

export function installObservability(opts: ObservabilityOptions): Observability {
  if (installed) return installed;
  const env = opts.environment ?? readEnvironment();
  const port = opts.metricsPort ?? metricsPortFrom(env.metricsPort);
  const host = opts.metricsHost ?? env.metricsHost ?? '0.0.0.0';
  const level = opts.logLevel ?? logLevelFrom(env.logLevel);
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
