/**
 * DLR metrics of the ingester: `rsms_dlrs_total{status,final,route,result}` and the latency histogram
 * `rsms_dlr_latency_seconds{status,final}` (receipt's `eventTimestamp` -> signalled into its workflow).
 * Only final receipts and receipts actually signalled feed the histogram: a receipt for a closed workflow
 * says nothing about our latency.
 */
import type { MetricMeter } from '@temporalio/common';
import type { DlrSignal } from '../domain/delivery-event';
import { createDlrMetrics, createRejectionCounter, tags } from './metrics';

export interface ReceiptHandled {
  /** The DLR queue's account and Region. */
  queue: { account: string; region: string };
  signal: DlrSignal;
  /**
   * `signalled` into its workflow, acknowledged because the workflow is `closed` / unknown, or an intermediate
   * event acknowledged unsignalled (`skipped`, the ingester's `intermediateEvents: final-only`).
   */
  result: 'signalled' | 'closed' | 'skipped' | 'duplicate';
}

export type ReceiptRecorder = (r: ReceiptHandled) => void;

/** A receipt the ingester rejected (left for the dead-letter queue), with a short reason code. */
export interface ReceiptRejected {
  queue: { account: string; region: string };
  reason: string;
}
export type RejectionRecorder = (r: ReceiptRejected) => void;

/** `rsms_receipts_rejected_total{stage="ingester",reason,route}`. */
export function rejectionMetricsRecorder(meter: MetricMeter): RejectionRecorder {
  const counter = createRejectionCounter(meter);
  return ({ queue, reason }) => {
    try {
      counter.add(1, tags({ stage: 'ingester', reason, route: `${queue.account}/${queue.region}` }));
    } catch {
      // metrics never break ingestion
    }
  };
}

export function dlrMetricsRecorder(meter: MetricMeter, now: () => number = Date.now): ReceiptRecorder {
  const m = createDlrMetrics(meter);
  return ({ queue, signal, result }) => {
    try {
      const final = signal.isFinal ? 'true' : 'false';
      m.dlrs.add(1, tags({ status: signal.status, final, route: `${queue.account}/${queue.region}`, result }));
      if (result === 'signalled' && signal.eventTimestamp > 0) {
        m.dlrLatency.record(
          Math.max(0, (now() - signal.eventTimestamp) / 1000),
          tags({ status: signal.status, final }),
        );
      }
    } catch {
      // metrics never break ingestion
    }
  };
}
