/**
 * Gauges refreshed on a timer (every 15 s by default) by a long-running process (the DLR ingester):
 * - `rsms_messages_in_flight`: running deliverMessage workflows, from Temporal visibility (one count query);
 * - `rsms_dlr_dead_lettered{queue}`: `ApproximateNumberOfMessages` of each DLR queue's dead-letter queue.
 *
 * The DLQ of a queue is found from its redrive policy (`deadLetterTargetArn`; a DLQ is always in the same
 * account and Region, so its URL is the queue's URL with the DLQ's name) and, when the policy cannot be read,
 * by the `<queue>-dlq` naming convention that `src/tools/provision-emulator.ts` and the runbook use.
 * A failed refresh keeps the previous value and logs at debug level; it never stops the process.
 */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { MetricGauge } from '@temporalio/common';
import type { Config } from '../domain/config';
import { WORKFLOW_TYPE } from '../workflows/definitions';
import { tags } from './metrics';

type DlrQueue = Config['dlrQueues'][number];

export const IN_FLIGHT_QUERY = `WorkflowType="${WORKFLOW_TYPE}" AND ExecutionStatus="Running"`;

export interface CountingClient {
  workflow: { count(query?: string): Promise<{ count: number }> };
  /** Bounds each count (`Client` has it): a hung call must not hold the next refresh or the shutdown. */
  withDeadline?<R>(deadline: number | Date, fn: () => Promise<R>): Promise<R>;
}

export interface GaugePollerOptions {
  config: Config;
  gauges: { inFlight: MetricGauge; deadLettered: MetricGauge };
  /** Temporal client for the in-flight count; omit to skip that gauge. */
  client?: CountingClient;
  /** SQS client for a DLR queue (account credentials, Region, endpoint); omit to skip the DLQ gauge. */
  sqsClientFor?: (queue: DlrQueue) => SQSClient;
  /** DLQ URL of a queue, overriding the lookup (redrive policy, then `<queueUrl>-dlq`). */
  dlqUrlFor?: (queue: DlrQueue) => string | undefined;
  intervalMs?: number;
  /** Deadline of one visibility count, ms. Default 5 000. */
  countTimeoutMs?: number;
  log?: (level: 'debug' | 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;
}

export interface GaugePoller {
  /** One refresh of every gauge (also run by the timer). */
  refresh(): Promise<void>;
  /** Stops the timer and waits for a refresh in progress (call it before closing the Temporal connection). */
  stop(): Promise<void>;
  /** Last values read (for tests and logs). */
  readonly last: { inFlight?: number; deadLettered: Record<string, number> };
}

export function queueName(url: string): string {
  return url.split('/').filter(Boolean).pop() ?? url;
}

/** `account/Region/name`: the same label the ingester logs use. */
export function queueLabelOf(q: DlrQueue): string {
  return `${q.account}/${q.region}/${queueName(q.queueUrl)}`;
}

/** The DLQ URL by convention: the queue's URL with `-dlq` appended to its name. */
export function conventionalDlqUrl(queueUrl: string): string {
  return `${queueUrl.replace(/\/+$/, '')}-dlq`;
}

/** The DLQ URL named by a redrive policy (same account and Region as the queue, so only the name differs). */
export function dlqUrlFromRedrivePolicy(queueUrl: string, redrivePolicy: string | undefined): string | undefined {
  if (!redrivePolicy) return undefined;
  try {
    const arn = (JSON.parse(redrivePolicy) as { deadLetterTargetArn?: string }).deadLetterTargetArn;
    const name = arn?.split(':').pop();
    if (!name) return undefined;
    const base = queueUrl.replace(/\/+$/, '');
    return `${base.slice(0, base.lastIndexOf('/'))}/${name}`;
  } catch {
    return undefined;
  }
}

export function startGaugePoller(opts: GaugePollerOptions): GaugePoller {
  const log = opts.log ?? (() => undefined);
  const last: GaugePoller['last'] = { deadLettered: {} };
  const dlqUrls = new Map<DlrQueue, string>();
  const clients = new Map<DlrQueue, SQSClient>();
  let running: Promise<void> | undefined;

  const clientFor = (q: DlrQueue): SQSClient | undefined => {
    if (!opts.sqsClientFor) return undefined;
    let c = clients.get(q);
    if (!c) {
      c = opts.sqsClientFor(q);
      clients.set(q, c);
    }
    return c;
  };

  const dlqUrlOf = async (q: DlrQueue, sqs: SQSClient): Promise<string> => {
    const known = dlqUrls.get(q) ?? opts.dlqUrlFor?.(q);
    if (known) return known;
    let url: string | undefined;
    try {
      const out = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: q.queueUrl, AttributeNames: ['RedrivePolicy'] }),
      );
      url = dlqUrlFromRedrivePolicy(q.queueUrl, out.Attributes?.RedrivePolicy);
    } catch (err) {
      log('debug', 'cannot read the redrive policy; assuming the <queue>-dlq convention', {
        queue: queueLabelOf(q),
        error: (err as Error).name,
      });
    }
    url ??= conventionalDlqUrl(q.queueUrl);
    dlqUrls.set(q, url);
    return url;
  };

  const refreshInFlight = async (): Promise<void> => {
    if (!opts.client) return;
    try {
      const client = opts.client;
      const call = () => client.workflow.count(IN_FLIGHT_QUERY);
      const { count } = client.withDeadline
        ? await client.withDeadline(Date.now() + (opts.countTimeoutMs ?? 5_000), call)
        : await call();
      last.inFlight = count;
      opts.gauges.inFlight.set(count);
    } catch (err) {
      log('debug', 'cannot count messages in flight', { error: (err as Error).message });
    }
  };

  const refreshDlq = async (q: DlrQueue): Promise<void> => {
    const sqs = clientFor(q);
    if (!sqs) return;
    const queue = queueLabelOf(q);
    try {
      const dlqUrl = await dlqUrlOf(q, sqs);
      const out = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      const n = Number(out.Attributes?.ApproximateNumberOfMessages ?? NaN);
      if (!Number.isFinite(n)) return;
      last.deadLettered[queue] = n;
      opts.gauges.deadLettered.set(n, tags({ queue }));
      if (n > 0) log('debug', 'dead-lettered DLRs waiting', { queue, count: n });
    } catch (err) {
      log('debug', 'cannot read the dead-letter queue depth', { queue, error: (err as Error).name });
    }
  };

  let stopped = false;
  const refresh = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    running ??= Promise.all([refreshInFlight(), ...opts.config.dlrQueues.map(refreshDlq)]).then(
      () => {
        running = undefined;
      },
      () => {
        running = undefined;
      },
    );
    return running;
  };

  const timer = setInterval(() => void refresh(), opts.intervalMs ?? 15_000);
  timer.unref();
  void refresh();

  return {
    refresh,
    last,
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await running;
      for (const c of clients.values()) c.destroy();
      clients.clear();
    },
  };
}
