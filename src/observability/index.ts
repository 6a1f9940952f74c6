export { activityMetricsInterceptor, sendFacts, outcomeOf, recordSend } from './activity-metrics';
export { dlrMetricsRecorder, type ReceiptHandled, type ReceiptRecorder } from './dlr-metrics';
export { startGaugePoller, IN_FLIGHT_QUERY, type GaugePoller } from './gauges';
export { jsonLogger, formatLogLine, maskPhones } from './logger';
export { METRIC_NAMES, PROMETHEUS_NAMES, createGaugeMetrics, safeLabel } from './metrics';
export { installObservability, metricsPortFrom, type Observability } from './runtime';
export { ensureSearchAttributes, type SetupResult } from './setup';
