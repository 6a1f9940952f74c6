/**
 * What the ingester is given (`IngesterOptions`), the settings it runs with once defaults are applied, the counters
 * it keeps, and the context every part of it shares.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../domain/config';
import type { DlrSignal } from '../domain/delivery-event';
import type { RouteHealthClient } from '../health/signal';
import type { ReceiptRecorder, RejectionRecorder } from '../observability/dlr-metrics';
import type { dlrSignal } from '../workflows/definitions';
import type { IngesterLog } from './log';
import type { Shutdown } from './shutdown';
import type { CertificateFetcher, SnsSignatureMode, SnsSignatureVerifier } from './sns-signature';

export type DlrQueueConfig = Config['dlrQueues'][number];

/**
 * What the ingester needs from a Temporal client. `Client` from `@temporalio/client` satisfies it;
 * tests wrap one to simulate an outage.
 */
export interface DlrSignalClient {
  workflow: {
    getHandle(workflowId: string): { signal(def: typeof dlrSignal, arg: DlrSignal): Promise<void> };
  };
  /** Used, when present, to bound each signal call (a hung connection must not hold a batch forever). */
  withDeadline?<R>(deadline: number | Date, fn: () => Promise<R>): Promise<R>;
}

export interface IngesterOptions {
  config: Config;
  client: DlrSignalClient;
  /** The SQS client for a queue; default: one built per queue from its Region, endpoint and account credentials. */
  sqsClientFor?: (queue: DlrQueueConfig) => SQSClient;
  log?: IngesterLog;
  /** Long-poll wait of each ReceiveMessage, seconds (0-20). Default 20. */
  waitTimeSeconds?: number;
  /** Visibility given to a message that cannot be parsed: it comes back quickly and soon reaches the DLQ. Default 1. */
  poisonVisibilitySeconds?: number;
  /** Visibility a held message gets each time it is extended (Temporal outage, slow batch). Default 60. */
  leaseSeconds?: number;
  /** Messages of one batch signalled at once. Default 10. */
  concurrency?: number;
  /**
   * ReceiveMessage loops per queue (default 1): with 2, one loop receives while the other signals its batch.
   * During a Temporal outage each loop holds at most one batch.
   */
  receiversPerQueue?: number;
  /**
   * `final-only` (default): intermediate events (TEXT_PENDING, VOICE_RINGING, ...) are acknowledged and counted
   * (`intermediateSkipped`, `rsms_dlrs_total{result="skipped"}`) but not signalled: the workflow decides on final events
   * only, and each skipped one saves a signal, a workflow task and four history events. `signal`: every event is
   * signalled and listed in the message's status.
   */
  intermediateEvents?: 'signal' | 'final-only';
  /** Deadline of one signal call, ms. Default 10 000. */
  signalTimeoutMs?: number;
  /** Backoff of signal retries while Temporal is unreachable. Default 200 ms doubling to 5 s. */
  signalBackoff?: { initialMs: number; maxMs: number };
  /** Backoff after a failed ReceiveMessage. Default 1 s doubling to 30 s. */
  receiveBackoff?: { initialMs: number; maxMs: number };
  /** Told about every receipt signalled or acknowledged (metrics: src/observability/dlr-metrics.ts). */
  onReceipt?: ReceiptRecorder;
  /** Told about every receipt rejected (bad signature, oversized, malformed): `rsms_receipts_rejected_total`. */
  onRejected?: RejectionRecorder;
  /**
   * SNS signature verification (./sns-signature.ts): `verify` (default), `emulator` (certificates from the queue's
   * emulator endpoint), `off`.
   */
  snsSignatures?: SnsSignatureMode;
  /** How signing certificates are fetched (tests); default `fetch` over https. */
  fetchCertificate?: CertificateFetcher;
  /**
   * The client AWS Health events are signalled (with start) through (`routeHealth.healthEvents`,
   * ./health-events.ts); default `client` when it can `signalWithStart` (a `Client` can).
   */
  routeHealthClient?: RouteHealthClient;
  /** Told about every AWS Health event read: `rsms_aws_health_events_total{result}`. */
  onHealthEvent?: (result: 'signalled' | 'ignored' | 'malformed') => void;
}

export interface IngesterStats {
  /** Messages received (a redelivered message counts again). */
  received: number;
  signalled: number;
  /** DLRs for a workflow that is closed or never existed: acknowledged. */
  closedWorkflow: number;
  /** Bodies that could not be parsed (left for the DLQ). */
  poison: number;
  /** Signal calls that failed because Temporal was unreachable (each retry counts). */
  transientErrors: number;
  /** Signal calls that failed for another reason (left on the queue). */
  signalFailures: number;
  receiveErrors: number;
  deleted: number;
  deleteFailures: number;
  /** Intermediate events acknowledged without a signal (`intermediateEvents: 'final-only'`). */
  intermediateSkipped: number;
  /** Receipts whose SNS envelope failed verification (left for the DLQ; ./sns-signature.ts). */
  rejected: number;
  /** Receipts acknowledged without a signal because the same or a settling one was already signalled. */
  duplicatesDropped: number;
  /**
   * Well-formed channel events that settle nothing of ours (an incoming WhatsApp message, an SES Click, another
   * sender's mail, a status or event type not known): acknowledged without a signal, logged.
   */
  receiptsIgnored: number;
  /** AWS Health events (./health-events.ts): signalled to the routeHealth workflow, acknowledged, dead-lettered. */
  healthEventsSignalled: number;
  healthEventsIgnored: number;
  healthEventsMalformed: number;
  /** Two-way SMS (./inbound-sms.ts): keywords signalled to propagation, other messages acknowledged, dead-lettered. */
  inboundSignalled: number;
  inboundIgnored: number;
  inboundMalformed: number;
}

export function emptyStats(): IngesterStats {
  return {
    received: 0,
    signalled: 0,
    closedWorkflow: 0,
    poison: 0,
    transientErrors: 0,
    signalFailures: 0,
    receiveErrors: 0,
    deleted: 0,
    deleteFailures: 0,
    intermediateSkipped: 0,
    rejected: 0,
    duplicatesDropped: 0,
    receiptsIgnored: 0,
    healthEventsSignalled: 0,
    healthEventsIgnored: 0,
    healthEventsMalformed: 0,
    inboundSignalled: 0,
    inboundIgnored: 0,
    inboundMalformed: 0,
  };
}

/** The tuning options with their defaults applied. */
export type IngesterSettings = Required<
  Pick<
    IngesterOptions,
    | 'waitTimeSeconds'
    | 'poisonVisibilitySeconds'
    | 'leaseSeconds'
    | 'concurrency'
    | 'receiversPerQueue'
    | 'intermediateEvents'
    | 'signalTimeoutMs'
    | 'signalBackoff'
    | 'receiveBackoff'
    | 'snsSignatures'
  >
>;

export function ingesterSettings(opts: IngesterOptions): IngesterSettings {
  return {
    waitTimeSeconds: opts.waitTimeSeconds ?? 20,
    poisonVisibilitySeconds: opts.poisonVisibilitySeconds ?? 1,
    leaseSeconds: opts.leaseSeconds ?? 60,
    concurrency: Math.max(1, opts.concurrency ?? 10),
    receiversPerQueue: Math.max(1, opts.receiversPerQueue ?? 1),
    intermediateEvents: opts.intermediateEvents ?? 'final-only',
    signalTimeoutMs: opts.signalTimeoutMs ?? 10_000,
    signalBackoff: opts.signalBackoff ?? { initialMs: 200, maxMs: 5_000 },
    receiveBackoff: opts.receiveBackoff ?? { initialMs: 1_000, maxMs: 30_000 },
    snsSignatures: opts.snsSignatures ?? 'verify',
  };
}

/** What the queue loops, the leases and the receipt handling share. */
export interface IngesterContext {
  config: Config;
  settings: IngesterSettings;
  stats: IngesterStats;
  log: IngesterLog;
  shutdown: Shutdown;
  client: DlrSignalClient;
  onReceipt?: ReceiptRecorder;
  onRejected?: RejectionRecorder;
  signatures: SnsSignatureVerifier;
  sqsClientFor: (queue: DlrQueueConfig) => SQSClient;
  /** Undefined when the client given cannot signal with start (then AWS Health events are not read). */
  routeHealthClient?: RouteHealthClient;
  onHealthEvent?: IngesterOptions['onHealthEvent'];
}
