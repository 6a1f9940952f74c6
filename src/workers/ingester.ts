/**
 * The DLR ingester: long-polls every configured DLR queue (one per account x Region) and signals
 * each delivery receipt into the workflow named in its `Context`. It never starts a workflow.
 *
 * Per message:
 * - signalled                    -> deleted
 * - workflow closed / unknown    -> deleted (counted in `closedWorkflow`): nowhere to deliver it
 * - body cannot be parsed        -> kept, visibility set short, so the redrive policy moves it to the DLQ
 * - Temporal unreachable         -> kept and retried in-process with backoff while its visibility is
 *                                   extended; the queue receives no new batch until Temporal answers
 * - any other signal failure     -> kept; SQS redelivers it and, past maxReceiveCount, dead-letters it
 *
 * Logs are JSON lines on stderr and never contain a body or a phone number.
 *
 *   node lib/src/workers/ingester.js --config config/local.yaml
 */
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
  type QueueAttributeName,
} from '@aws-sdk/client-sqs';
import { Client, Connection } from '@temporalio/client';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { dataConverterFor } from '../codec/data-converter';
import { configPathFrom, loadConfig } from '../config/load';
import type { Config } from '../domain/config';
import type { DlrSignal } from '../domain/delivery-event';
import { parseDlrMessageBody } from '../domain/dlr-parse';
import { dlrMetricsRecorder, type ReceiptRecorder } from '../observability/dlr-metrics';
import { startGaugePoller } from '../observability/gauges';
import { createGaugeMetrics } from '../observability/metrics';
import { installObservability } from '../observability/runtime';
import { dlrSignal } from '../workflows/definitions';
import { classifySignalError, errorSummary } from './ingester-signal-errors';
import { credentialsFor } from './sms-client-registry';

export type DlrQueueConfig = Config['dlrQueues'][number];
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type IngesterLog = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

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
}

export interface Ingester {
  start(): void;
  /** Stops receiving, lets in-flight batches finish (deleting what they processed), then resolves. */
  stop(): Promise<void>;
  readonly stats: IngesterStats;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** JSON lines on stderr, from LOG_LEVEL (debug | info | warn | error; default info) up. */
export const defaultLog: IngesterLog = (level, msg, fields = {}) => {
  const min = LEVELS[(process.env.LOG_LEVEL ?? 'info').toLowerCase() as LogLevel] ?? LEVELS.info;
  if (LEVELS[level] < min) return;
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
};

export function queueLabel(q: DlrQueueConfig): string {
  const name = q.queueUrl.split('/').filter(Boolean).pop() ?? q.queueUrl;
  return `${q.account}/${q.region}/${name}`;
}

export function createSqsClient(config: Config, q: DlrQueueConfig, waitTimeSeconds: number): SQSClient {
  return new SQSClient({
    region: q.region,
    ...(q.endpoint !== undefined ? { endpoint: q.endpoint } : {}),
    ...(config.accounts[q.account] ? { credentials: credentialsFor(config.accounts[q.account], q.region) } : {}),
    requestHandler: new NodeHttpHandler({
      // A long poll answers within WaitTimeSeconds; past this margin the connection is hung.
      requestTimeout: (waitTimeSeconds + 15) * 1000,
      throwOnRequestTimeout: true,
      connectionTimeout: 5_000,
    }),
  });
}

/** Receives a poison message gets with the short visibility; after that it backs off (no redrive policy?). */
const POISON_FAST_RECEIVES = 5;
const POISON_MAX_VISIBILITY_SECONDS = 900;

type Outcome = 'pending' | 'delete' | 'keep' | 'release';
interface Entry {
  message: Message;
  outcome: Outcome;
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'RequestAbortedError');
}

export function createIngester(opts: IngesterOptions): Ingester {
  const log = opts.log ?? defaultLog;
  const waitTimeSeconds = opts.waitTimeSeconds ?? 20;
  const poisonVisibilitySeconds = opts.poisonVisibilitySeconds ?? 1;
  const leaseSeconds = opts.leaseSeconds ?? 60;
  const concurrency = Math.max(1, opts.concurrency ?? 10);
  const signalTimeoutMs = opts.signalTimeoutMs ?? 10_000;
  const signalBackoff = opts.signalBackoff ?? { initialMs: 200, maxMs: 5_000 };
  const receiveBackoff = opts.receiveBackoff ?? { initialMs: 1_000, maxMs: 30_000 };
  const stats: IngesterStats = {
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
  };

  let stopping = false;
  const abort = new AbortController();
  let loops: Promise<void>[] | undefined;
  const ownedClients: SQSClient[] = [];

  /** Short at first, so the redrive policy dead-letters it quickly; backing off if it keeps coming back. */
  const poisonVisibilityFor = (receiveCount: number | undefined): number =>
    receiveCount === undefined || receiveCount <= POISON_FAST_RECEIVES
      ? poisonVisibilitySeconds
      : Math.min(
          Math.max(1, poisonVisibilitySeconds) * 2 ** (receiveCount - POISON_FAST_RECEIVES),
          POISON_MAX_VISIBILITY_SECONDS,
        );

  const wakers = new Set<() => void>();
  /** Resolves after `ms`, or as soon as stop() is called. */
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (stopping) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
    });

  const signal = (workflowId: string, payload: DlrSignal): Promise<void> => {
    const call = () => opts.client.workflow.getHandle(workflowId).signal(dlrSignal, payload);
    return opts.client.withDeadline ? opts.client.withDeadline(Date.now() + signalTimeoutMs, call) : call();
  };

  function pollQueue(q: DlrQueueConfig): Promise<void> {
    const queue = queueLabel(q);
    const queueUrl = q.queueUrl;
    let sqs: SQSClient | undefined;
    /** Set while Temporal does not answer signals for this queue's batch (logged once per outage). */
    let outageSince: number | undefined;
    /** The queue's own visibility timeout, once known: the first lease extension must come before it ends. */
    let queueVisibilitySeconds: number | undefined;
    let inspected = false;

    /** Once per queue: warn about a missing redrive policy, learn the visibility timeout. Never fatal. */
    const inspect = async (client: SQSClient): Promise<void> => {
      inspected = true;
      try {
        const out = await client.send(
          new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy', 'VisibilityTimeout'] }),
          { abortSignal: abort.signal },
        );
        const visibility = Number(out.Attributes?.VisibilityTimeout);
        if (Number.isFinite(visibility) && visibility > 0) queueVisibilitySeconds = visibility;
        if (!out.Attributes?.RedrivePolicy) {
          log('warn', 'DLR queue has no redrive policy: unparseable messages cannot reach a dead-letter queue', {
            queue,
          });
        }
      } catch (err) {
        log('debug', 'cannot read the DLR queue attributes (sqs:GetQueueAttributes)', {
          queue,
          error: errorSummary(err),
        });
      }
    };

    const changeVisibility = async (entries: Entry[], seconds: number, why: string): Promise<void> => {
      if (entries.length === 0 || !sqs) return;
      try {
        const out = await sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: entries.map((e, i) => ({
              Id: String(i),
              ReceiptHandle: e.message.ReceiptHandle,
              VisibilityTimeout: seconds,
            })),
          }),
        );
        for (const f of out.Failed ?? []) {
          const messageId = entries[Number(f.Id)]?.message.MessageId;
          log('warn', 'cannot change message visibility', { queue, messageId, why, code: f.Code, reason: f.Message });
        }
      } catch (err) {
        log('warn', 'cannot change message visibility', {
          queue,
          why,
          count: entries.length,
          error: errorSummary(err),
        });
      }
    };

    /** Keeps the batch's held messages invisible while it is processed for a long time (outage, slow Temporal). */
    const startLease = (entries: Entry[]) => {
      let timer: NodeJS.Timeout | undefined;
      let stopped = false;
      const held = () => entries.filter((e) => e.outcome === 'pending' || e.outcome === 'delete');
      const extend = async (): Promise<void> => {
        if (stopped) return;
        await changeVisibility(held(), leaseSeconds, 'lease');
      };
      const schedule = (ms: number): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          void extend().finally(() => {
            if (!stopped) schedule((leaseSeconds * 1000) / 3);
          });
        }, ms);
      };
      // The first extension comes early (a queue's visibility timeout may be short), then every lease/3.
      schedule(Math.min((leaseSeconds * 1000) / 3, 5_000, ((queueVisibilitySeconds ?? 30) * 1000) / 2));
      let activated = false;
      return {
        /** On the first sign of an outage: extend right away, then keep extending. */
        async activate(): Promise<void> {
          if (activated || stopped) return;
          activated = true;
          await extend();
          schedule((leaseSeconds * 1000) / 3);
        },
        stop(): void {
          stopped = true;
          clearTimeout(timer);
        },
      };
    };

    const handle = async (entry: Entry, lease: ReturnType<typeof startLease>): Promise<void> => {
      const m = entry.message;
      const messageId = m.MessageId;
      const receiveCount = Number(m.Attributes?.ApproximateReceiveCount ?? NaN) || undefined;
      const parsed = parseDlrMessageBody(m.Body ?? '');
      if (!parsed.ok) {
        stats.poison++;
        entry.outcome = 'keep';
        log('warn', 'unparseable DLR message left for the dead-letter queue', {
          queue,
          messageId,
          receiveCount,
          error: parsed.error,
          ...(receiveCount !== undefined && receiveCount > POISON_FAST_RECEIVES
            ? { hint: 'received many times: does the queue have a redrive policy to a dead-letter queue?' }
            : {}),
        });
        if (sqs) {
          try {
            await sqs.send(
              new ChangeMessageVisibilityCommand({
                QueueUrl: queueUrl,
                ReceiptHandle: m.ReceiptHandle,
                VisibilityTimeout: poisonVisibilityFor(receiveCount),
              }),
            );
          } catch (err) {
            log('warn', 'cannot shorten the visibility of an unparseable message', {
              queue,
              messageId,
              error: errorSummary(err),
            });
          }
        }
        return;
      }
      const { workflowId, signal: payload } = parsed;
      if (!payload.isFinal && (opts.intermediateEvents ?? 'final-only') === 'final-only') {
        stats.intermediateSkipped++;
        opts.onReceipt?.({ queue: q, signal: payload, result: 'skipped' });
        entry.outcome = 'delete';
        return;
      }
      const fields = { queue, messageId, workflowId, attempt: payload.attempt, eventType: payload.eventType };
      let delay = signalBackoff.initialMs;
      for (;;) {
        try {
          await signal(workflowId, payload);
          stats.signalled++;
          opts.onReceipt?.({ queue: q, signal: payload, result: 'signalled' });
          entry.outcome = 'delete';
          if (outageSince !== undefined) {
            log('info', 'Temporal answers again: resuming', { queue, outageMs: Date.now() - outageSince });
            outageSince = undefined;
          }
          log('debug', 'DLR signalled', fields);
          return;
        } catch (err) {
          const kind = classifySignalError(err);
          if (kind === 'closed') {
            stats.closedWorkflow++;
            opts.onReceipt?.({ queue: q, signal: payload, result: 'closed' });
            entry.outcome = 'delete';
            log('info', 'DLR for a workflow that is closed or unknown: acknowledged', fields);
            return;
          }
          if (kind === 'failed') {
            stats.signalFailures++;
            entry.outcome = 'keep';
            log('error', 'cannot signal DLR; left on the queue for redelivery', {
              ...fields,
              receiveCount,
              error: errorSummary(err),
            });
            return;
          }
          stats.transientErrors++;
          if (outageSince === undefined) {
            outageSince = Date.now();
            log('warn', 'Temporal unavailable: holding the batch and retrying', {
              ...fields,
              error: errorSummary(err),
            });
          } else {
            log('debug', 'signal retry failed', { ...fields, error: errorSummary(err) });
          }
          if (stopping) {
            // Shutting down: hand the message back to the queue for the next ingester.
            entry.outcome = 'release';
            log('info', 'stopping during a Temporal outage: message released to the queue', fields);
            return;
          }
          await lease.activate();
          await sleep(delay);
          delay = Math.min(delay * 2, signalBackoff.maxMs);
        }
      }
    };

    const deleteAll = async (entries: Entry[]): Promise<void> => {
      if (entries.length === 0 || !sqs) return;
      try {
        const out = await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: entries.map((e, i) => ({ Id: String(i), ReceiptHandle: e.message.ReceiptHandle })),
          }),
        );
        stats.deleted += out.Successful?.length ?? 0;
        for (const f of out.Failed ?? []) {
          stats.deleteFailures++;
          // Not fatal: the message is redelivered and the workflow drops the duplicate.
          log('warn', 'cannot delete message; it will be redelivered', {
            queue,
            messageId: entries[Number(f.Id)]?.message.MessageId,
            code: f.Code,
            reason: f.Message,
            senderFault: f.SenderFault,
          });
        }
      } catch (err) {
        stats.deleteFailures += entries.length;
        log('warn', 'cannot delete messages; they will be redelivered', {
          queue,
          count: entries.length,
          error: errorSummary(err),
        });
      }
    };

    /** Deletes (and releases) of processed batches still under way; awaited before the queue's loops end. */
    const acks = new Set<Promise<void>>();
    const processBatch = async (messages: Message[]): Promise<void> => {
      const entries: Entry[] = messages.map((message) => ({ message, outcome: 'pending' }));
      const lease = startLease(entries);
      try {
        let next = 0;
        const worker = async (): Promise<void> => {
          while (next < entries.length) {
            const entry = entries[next++];
            try {
              await handle(entry, lease);
            } catch (err) {
              entry.outcome = 'keep';
              log('error', 'unexpected error handling a message', {
                queue,
                messageId: entry.message.MessageId,
                error: errorSummary(err),
              });
            }
          }
        };
        await Promise.allSettled(Array.from({ length: Math.min(concurrency, entries.length) }, worker));
      } finally {
        lease.stop();
      }
      // Acknowledged in the background: the next ReceiveMessage does not wait for the delete's round trip.
      const ack = (async () => {
        await deleteAll(entries.filter((e) => e.outcome === 'delete'));
        await changeVisibility(
          entries.filter((e) => e.outcome === 'release'),
          0,
          'release',
        );
      })().catch(() => undefined);
      acks.add(ack);
      void ack.finally(() => acks.delete(ack));
    };

    const loop = async (): Promise<void> => {
      let backoff = 0;
      const backOff = async (): Promise<number> => {
        backoff = backoff === 0 ? receiveBackoff.initialMs : Math.min(backoff * 2, receiveBackoff.maxMs);
        const ms = backoff;
        await sleep(ms);
        return ms;
      };
      while (!stopping) {
        let messages: Message[];
        try {
          sqs ??= opts.sqsClientFor ? opts.sqsClientFor(q) : createSqsClient(opts.config, q, waitTimeSeconds);
          if (!opts.sqsClientFor && !ownedClients.includes(sqs)) ownedClients.push(sqs);
          if (!inspected) await inspect(sqs);
          if (stopping) break;
          const out = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: queueUrl,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: waitTimeSeconds,
              // The legacy name, for older endpoints (the SDK's type omits message attributes from it).
              AttributeNames: ['ApproximateReceiveCount' as QueueAttributeName],
              MessageSystemAttributeNames: ['ApproximateReceiveCount'],
            }),
            { abortSignal: abort.signal },
          );
          messages = out.Messages ?? [];
        } catch (err) {
          if (stopping && isAbort(err)) break;
          stats.receiveErrors++;
          log('warn', 'cannot receive from the DLR queue; backing off', {
            queue,
            backoffMs: backoff === 0 ? receiveBackoff.initialMs : Math.min(backoff * 2, receiveBackoff.maxMs),
            error: errorSummary(err),
          });
          await backOff();
          continue;
        }
        backoff = 0;
        if (messages.length === 0) continue;
        stats.received += messages.length;
        try {
          await processBatch(messages);
        } catch (err) {
          log('error', 'unexpected error processing a batch', { queue, error: errorSummary(err) });
          await backOff();
        }
      }
    };

    const run = (): Promise<void> =>
      loop().catch((err: unknown) => {
        log('error', 'DLR queue loop ended unexpectedly', { queue, error: errorSummary(err) });
      });
    const receivers = Math.max(1, opts.receiversPerQueue ?? 1);
    return Promise.all(Array.from({ length: receivers }, run))
      .then(() => Promise.all([...acks]))
      .then(() => undefined);
  }

  return {
    stats,
    start(): void {
      if (loops || stopping) return;
      if (opts.config.dlrQueues.length === 0) log('warn', 'no dlrQueues configured: nothing to ingest');
      loops = opts.config.dlrQueues.map((q) => pollQueue(q));
      log('info', 'DLR ingester started', {
        queues: opts.config.dlrQueues.map(queueLabel),
        waitTimeSeconds,
      });
    },
    async stop(): Promise<void> {
      if (!stopping) {
        stopping = true;
        abort.abort();
        for (const wake of [...wakers]) wake();
        log('info', 'DLR ingester stopping: finishing in-flight batches');
      }
      await Promise.all(loops ?? []);
      for (const c of ownedClients.splice(0)) c.destroy();
      log('info', 'DLR ingester stopped', { ...stats });
    },
  };
}

/** The process: loads the config, connects to Temporal, ingests until SIGTERM/SIGINT. */
export async function runIngester(
  configPath?: string,
  opts: { metricsPort?: number; address?: string; namespace?: string } = {},
): Promise<void> {
  const config = loadConfig(configPathFrom(configPath));
  // JSON logs and the Prometheus endpoint ($METRICS_PORT / --metrics-port): DLRs by status, DLR latency,
  // messages in flight and dead-lettered DLRs (refreshed every 15 s).
  const { meter } = installObservability({
    processName: 'ingester',
    metricsPort: opts.metricsPort,
    forwardCoreLogs: false, // no native Worker/connection here: forwarding would keep the process alive
  });
  const address = opts.address ?? process.env.TEMPORAL_ADDRESS ?? config.temporal.address;
  // Lazy: the ingester starts (and holds its DLRs) even while Temporal is still down.
  const connection = Connection.lazy({ address });
  const client = new Client({
    connection,
    namespace: opts.namespace ?? config.temporal.namespace,
    dataConverter: dataConverterFor(config),
  });
  const ingester = createIngester({ config, client, onReceipt: dlrMetricsRecorder(meter), ...config.ingester });
  const gauges = startGaugePoller({
    config,
    client,
    gauges: createGaugeMetrics(meter),
    sqsClientFor: (q) => createSqsClient(config, q, 0),
    log: defaultLog,
  });
  let stopped: Promise<void> | undefined;
  const done = new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals): void => {
      defaultLog('info', `received ${sig}`);
      stopped ??= ingester.stop().then(resolve, resolve);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  ingester.start();
  try {
    await done;
  } finally {
    await gauges.stop();
    await connection.close();
  }
}

if (require.main === module) {
  const i = process.argv.indexOf('--config');
  runIngester(i >= 0 ? process.argv[i + 1] : undefined).then(
    () => process.exit(0),
    (err: unknown) => {
      defaultLog('error', `ingester: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
