/**
 * Our metrics, created on a Temporal `MetricMeter` so that they are exported by the Temporal Runtime's
 * Prometheus exporter next to the SDK's own metrics (one `/metrics` endpoint per process).
 *
 * Labels never carry personal data: only channel, route (`account/Region`), outcome, failure scope and
 * reason code, escalation level, DLR status and queue names - all bounded sets coming from the config or
 * from AWS's documented codes.
 */
import type { MetricCounter, MetricGauge, MetricHistogram, MetricMeter, MetricTags } from '@temporalio/common';

export const METRIC_NAMES = {
  /** Send activities by channel, route, outcome, failure scope and reason, escalation level. */
  sends: 'rsms_sends',
  /** Duration of one send activity. */
  sendDuration: 'rsms_send_duration',
  /** Sends that were not the message's first attempt, by the level of the rung they moved to. */
  failovers: 'rsms_failovers',
  /** Delivery receipts handled by the ingester, by status, final flag, route and result. */
  dlrs: 'rsms_dlrs',
  /** Delay from the receipt's event timestamp to the moment it was signalled into its workflow. */
  dlrLatency: 'rsms_dlr_latency',
  /** Running deliverMessage workflows (Temporal visibility count). */
  inFlight: 'rsms_messages_in_flight',
  /** Messages waiting in each DLR queue's dead-letter queue (ApproximateNumberOfMessages). */
  deadLettered: 'rsms_dlr_dead_lettered',
  /**
   * Delivery receipts rejected, by stage (`ingester`: bad signature, oversized or malformed, left for the dead-letter
   * queue; `workflow`: refused by the trust rules of src/workflows/receipt-rules.ts), reason code and route.
   */
  receiptsRejected: 'rsms_receipts_rejected',
  /** Route health (src/health/metrics.ts): each key's state as this process's snapshot shows it. */
  routeState: 'rsms_route_state',
  /** Route health: what the messages of this process reported, by kind and outcome. */
  routeObservations: 'rsms_route_observations',
  /** Route health: observation batches sent to the routeHealth workflow (or not), by result. */
  routeHealthFlushes: 'rsms_route_health_flushes',
  /** AWS Health events read by the ingester, by result (signalled, ignored, malformed). */
  awsHealthEvents: 'rsms_aws_health_events',
} as const;

/** What the Prometheus endpoint shows, given the exporter options of `src/observability/runtime.ts`. */
export const PROMETHEUS_NAMES = {
  sends: 'rsms_sends_total',
  sendDuration: 'rsms_send_duration_seconds',
  failovers: 'rsms_failovers_total',
  dlrs: 'rsms_dlrs_total',
  dlrLatency: 'rsms_dlr_latency_seconds',
  inFlight: 'rsms_messages_in_flight',
  deadLettered: 'rsms_dlr_dead_lettered',
  receiptsRejected: 'rsms_receipts_rejected_total',
  routeState: 'rsms_route_state',
  routeObservations: 'rsms_route_observations_total',
  routeHealthFlushes: 'rsms_route_health_flushes_total',
  awsHealthEvents: 'rsms_aws_health_events_total',
} as const;

/** Histogram buckets (seconds). Receipts take from under a second to hours (the 72 h wait). */
export const HISTOGRAM_BUCKETS: Record<string, number[]> = {
  [METRIC_NAMES.dlrLatency]: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600],
  [METRIC_NAMES.sendDuration]: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
};

const SAFE_LABEL = /^[A-Za-z0-9_./:-]{1,80}$/;

/**
 * A label value safe to export: a short code made of letters, digits and `_ . / : -`. Anything else (free
 * text, something that looks like a phone number) becomes `other`, so that a bug can neither leak personal
 * data into a label nor explode the label cardinality.
 */
export type LabelValue = string | number | boolean | undefined | null;

export function safeLabel(value: LabelValue, fallback = 'unknown'): string {
  if (value === undefined || value === null || value === '') return fallback;
  const s = String(value);
  if (!SAFE_LABEL.test(s)) return 'other';
  // A run of 7+ digits is a phone number (or an id we do not want as a label).
  if (/\+?\d{7,}/.test(s)) return 'other';
  return s;
}

export interface SendMetrics {
  sends: MetricCounter;
  sendDuration: MetricHistogram;
  failovers: MetricCounter;
}

export function createSendMetrics(meter: MetricMeter): SendMetrics {
  return {
    sends: meter.createCounter(
      METRIC_NAMES.sends,
      undefined,
      'Send activities by channel, route (account/Region), outcome (accepted, failed, ambiguous, error), failure scope and reason, escalation level',
    ),
    sendDuration: meter.createHistogram(
      METRIC_NAMES.sendDuration,
      'float',
      'seconds',
      'Duration of one send activity (one call to the messaging service)',
    ),
    failovers: meter.createCounter(
      METRIC_NAMES.failovers,
      undefined,
      'Sends after the first attempt of a message, by the escalation level of the rung (originator, account, region, channel)',
    ),
  };
}

export interface DlrMetrics {
  dlrs: MetricCounter;
  dlrLatency: MetricHistogram;
}

export function createDlrMetrics(meter: MetricMeter): DlrMetrics {
  return {
    dlrs: meter.createCounter(
      METRIC_NAMES.dlrs,
      undefined,
      'Delivery receipts handled by the DLR ingester, by status, final flag, route and result (signalled, closed, skipped, duplicate)',
    ),
    dlrLatency: meter.createHistogram(
      METRIC_NAMES.dlrLatency,
      'float',
      'seconds',
      "Delay from a delivery receipt's event timestamp to its signal into the workflow",
    ),
  };
}

/** `rsms_receipts_rejected_total{stage,reason,route}`: the ingester's and the workflow's rejections. */
export function createRejectionCounter(meter: MetricMeter): MetricCounter {
  return meter.createCounter(METRIC_NAMES.receiptsRejected, undefined, RECEIPTS_REJECTED_HELP);
}

export const RECEIPTS_REJECTED_HELP =
  'Delivery receipts rejected, by stage (ingester: bad signature, oversized or malformed, left for the dead-letter queue; workflow: refused by the trust rules), reason and route';

export interface GaugeMetrics {
  inFlight: MetricGauge;
  deadLettered: MetricGauge;
}

export function createGaugeMetrics(meter: MetricMeter): GaugeMetrics {
  return {
    inFlight: meter.createGauge(METRIC_NAMES.inFlight, 'int', undefined, 'Running deliverMessage workflows'),
    deadLettered: meter.createGauge(
      METRIC_NAMES.deadLettered,
      'int',
      undefined,
      "Messages in each DLR queue's dead-letter queue (receipts that could not be processed)",
    ),
  };
}

/** Tags helper: drops undefined values and sanitises the rest. */
export function tags(values: Record<string, LabelValue>): MetricTags {
  const out: MetricTags = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) out[k] = safeLabel(v);
  return out;
}
