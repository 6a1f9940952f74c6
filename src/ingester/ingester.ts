/**
 * The DLR ingester: long-polls every configured DLR queue (one per account x Region) and signals each delivery
 * receipt into the workflow named in its `Context`. It never starts a workflow. What becomes of each message:
 * ./receipt.ts; the queue loops: ./queue-loop.ts; the process: ./main.ts.
 *
 * Logs are JSON lines on stderr and never contain a body or a phone number.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { ClientCache } from '../aws/client-cache';
import type { RouteHealthClient } from '../health/signal';
import { createSqsClient } from '../aws/clients';
import { queueLabelOf } from '../observability/gauges';
import { HealthEventHandler, healthEventQueueConfig } from './health-events';
import { InboundSmsHandler } from './inbound-sms';
import { defaultLog } from './log';
import {
  emptyStats,
  ingesterSettings,
  type IngesterContext,
  type IngesterOptions,
  type IngesterStats,
} from './options';
import { pollQueue } from './queue-loop';
import { Shutdown } from './shutdown';
import { SnsSignatureVerifier } from './sns-signature';

export interface Ingester {
  start(): void;
  /** Stops receiving, lets in-flight batches finish (deleting what they processed), then resolves. */
  stop(): Promise<void>;
  readonly stats: IngesterStats;
}

export function createIngester(opts: IngesterOptions): Ingester {
  const settings = ingesterSettings(opts);
  const log = opts.log ?? defaultLog;
  const shutdown = new Shutdown();
  /** The SQS clients built here (none when `opts.sqsClientFor` is given): one per queue, destroyed on stop. */
  const owned = new ClientCache<SQSClient>();
  const routeHealthClient =
    opts.routeHealthClient ??
    (typeof (opts.client as Partial<RouteHealthClient>).workflow?.signalWithStart === 'function'
      ? (opts.client as RouteHealthClient)
      : undefined);
  const ctx: IngesterContext = {
    config: opts.config,
    settings,
    stats: emptyStats(),
    log,
    shutdown,
    client: opts.client,
    onReceipt: opts.onReceipt,
    onRejected: opts.onRejected,
    routeHealthClient,
    onHealthEvent: opts.onHealthEvent,
    signatures: new SnsSignatureVerifier(settings.snsSignatures, opts.fetchCertificate),
    sqsClientFor:
      opts.sqsClientFor ??
      ((q) =>
        owned.get(`${q.account}|${q.region}|${q.endpoint ?? ''}|${q.queueUrl}`, () =>
          createSqsClient(opts.config, q, settings.waitTimeSeconds),
        )),
  };
  const queues = opts.config.dlrQueues;
  let loops: Promise<void>[] | undefined;
  return {
    stats: ctx.stats,
    start(): void {
      if (loops || shutdown.stopping) return;
      if (queues.length === 0) log('warn', 'no dlrQueues configured: nothing to ingest');
      loops = queues.map((q) => pollQueue(q, ctx));
      const healthQueue = healthEventQueueConfig(ctx);
      if (!healthQueue && opts.config.routeHealth?.healthEvents) {
        log('info', 'routeHealth.healthEvents is not read: route health is not enabled (its events stay on the queue)');
      } else if (healthQueue && !ctx.routeHealthClient) {
        log('error', 'routeHealth.healthEvents is not read: the Temporal client given cannot signalWithStart');
      } else if (healthQueue) {
        loops.push(pollQueue(healthQueue, ctx, (q) => new HealthEventHandler(q, ctx)));
      }
      const inbound = opts.config.optOuts?.inbound ?? [];
      const signaller = ctx.routeHealthClient; // any client that can signalWithStart
      if (inbound.length > 0 && !signaller)
        log('error', 'optOuts.inbound is not read: the Temporal client given cannot signalWithStart');
      else if (signaller)
        for (const q of inbound) loops.push(pollQueue(q, ctx, (dq) => new InboundSmsHandler(dq, ctx, signaller)));
      log('info', 'DLR ingester started', {
        queues: queues.map(queueLabelOf),
        awsHealthEvents: healthQueue ? queueLabelOf(healthQueue) : 'off',
        inboundSms: (opts.config.optOuts?.inbound ?? []).map(queueLabelOf),
        waitTimeSeconds: settings.waitTimeSeconds,
        snsSignatures: settings.snsSignatures,
      });
      if (settings.snsSignatures === 'off') {
        log(
          'warn',
          'SNS signatures are not verified (ingester.snsSignatures: off): whoever can write to a DLR queue can forge receipts',
        );
      }
    },
    async stop(): Promise<void> {
      if (shutdown.stop()) log('info', 'DLR ingester stopping: finishing in-flight batches');
      await Promise.all(loops ?? []);
      owned.destroyAll();
      log('info', 'DLR ingester stopped', { ...ctx.stats });
    },
  };
}
