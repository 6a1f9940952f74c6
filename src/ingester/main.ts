/**
 * The ingester process: loads the config, connects to Temporal (lazily), runs the ingester and the gauge poller
 * with their metrics, and ingests until SIGTERM/SIGINT.
 *
 *   resilient-sms --config config/local.yaml ingest   (src/cli/processes.ts)
 */
import { Client } from '@temporalio/client';
import { createSqsClient } from '../aws/clients';
import { dataConverterFor } from '../codec/data-converter';
import { readEnvironment, type ProcessOptions } from '../config/environment';
import { configPathFrom, loadConfig } from '../config/load';
import { awsHealthEventsRecorder } from '../health/metrics';
import { dlrMetricsRecorder, rejectionMetricsRecorder } from '../observability/dlr-metrics';
import { startGaugePoller } from '../observability/gauges';
import { createGaugeMetrics } from '../observability/metrics';
import { installObservability } from '../observability/runtime';
import { lazyClient, watchSettings } from '../temporal/connect';
import type { TemporalSettingsError } from '../temporal/errors';
import { describeSettings, temporalSettings } from '../temporal/settings';
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
  // Lazy: the ingester starts (and holds its DLRs) even while Temporal is still down. Unreadable, expired or
  // mismatched certificates fail here; a CA, server name or key the server refuses stops it once tried (src/temporal).
  const settings = temporalSettings(config, {
    address: opts.address ?? env.temporalAddress,
    namespace: opts.namespace,
  });
  const connection = lazyClient(settings);
  log('info', `Temporal at ${describeSettings(settings)}`);
  const client = new Client({ connection, namespace: settings.namespace, dataConverter: dataConverterFor(config) });
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
  const { done, stop } = stoppedOnSignal(ingester, log);
  let badSettings: TemporalSettingsError | undefined;
  const watch = watchSettings(settings, connection, (err) => {
    badSettings = err;
    log('error', `stopping: ${err.message}`);
    stop(); // the same orderly stop as a signal; the error below is the exit's reason
  });
  ingester.start();
  try {
    await done;
  } finally {
    watch.stop();
    await gauges.stop();
    await connection.close();
  }
  if (badSettings) throw badSettings;
}

/** `done` resolves once SIGTERM, SIGINT or `stop()` has stopped the ingester. */
function stoppedOnSignal(ingester: Ingester, log: IngesterLog): { done: Promise<void>; stop: () => void } {
  let stopped: Promise<void> | undefined;
  let stop: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    stop = () => {
      stopped ??= ingester.stop().then(resolve, resolve);
    };
    const onSignal = (sig: NodeJS.Signals): void => {
      log('info', `received ${sig}`);
      stop();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  return { done, stop };
}
