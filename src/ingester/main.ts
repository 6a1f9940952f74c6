/**
 * The ingester process: loads the config, connects to Temporal (lazily), runs the ingester and the gauge poller
 * with their metrics, and ingests until SIGTERM/SIGINT.
 *
 *   resilient-sms --config config/local.yaml ingest   (src/cli/processes.ts)
 */
import { Client, Connection } from '@temporalio/client';
import { createSqsClient } from '../aws/clients';
import { dataConverterFor } from '../codec/data-converter';
import { readEnvironment, type ProcessOptions } from '../config/environment';
import { configPathFrom, loadConfig } from '../config/load';
import { awsHealthEventsRecorder } from '../health/metrics';
import { dlrMetricsRecorder, rejectionMetricsRecorder } from '../observability/dlr-metrics';
import { startGaugePoller } from '../observability/gauges';
import { createGaugeMetrics } from '../observability/metrics';
import { installObservability } from '../observability/runtime';
import { createIngester, type Ingester } from './ingester';
import { jsonLinesLog, type IngesterLog } from './log';

export async function runIngester(configPath?: string, opts: ProcessOptions = {}): Promise<void> {
  const env = opts.environment ?? readEnvironment();
  const config = loadConfig(configPathFrom(configPath, env));
  const log = jsonLinesLog(env.logLevel);
  // JSON logs and the Prometheus endpoint ($METRICS_PORT / --metrics-port): DLRs by status, DLR latency,
  // messages in flight and dead-lettered DLRs (refreshed every 15 s).
  const { meter } = installObservability({
    processName: 'ingester',
    metricsPort: opts.metricsPort,
    environment: env,
    forwardCoreLogs: false, // no native Worker/connection here: forwarding would keep the process alive
  });
  // Lazy: the ingester starts (and holds its DLRs) even while Temporal is still down.
  const connection = Connection.lazy({ address: opts.address ?? env.temporalAddress ?? config.temporal.address });
  const client = new Client({
    connection,
    namespace: opts.namespace ?? config.temporal.namespace,
    dataConverter: dataConverterFor(config),
  });
  const ingester = createIngester({
    config,
    client,
    log,
    onReceipt: dlrMetricsRecorder(meter),
    onRejected: rejectionMetricsRecorder(meter),
    // AWS Health events (routeHealth.healthEvents): rsms_aws_health_events_total{result}.
    onHealthEvent: awsHealthEventsRecorder(meter),
    ...config.ingester,
  });
  const gauges = startGaugePoller({
    config,
    client,
    gauges: createGaugeMetrics(meter),
    sqsClientFor: (q) => createSqsClient(config, q, 0),
    log,
  });
  const done = stoppedOnSignal(ingester, log);
  ingester.start();
  try {
    await done;
  } finally {
    await gauges.stop();
    await connection.close();
  }
}

/** Resolves once SIGTERM or SIGINT has stopped the ingester. */
function stoppedOnSignal(ingester: Ingester, log: IngesterLog): Promise<void> {
  let stopped: Promise<void> | undefined;
  return new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals): void => {
      log('info', `received ${sig}`);
      stopped ??= ingester.stop().then(resolve, resolve);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}
