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
import { queueDepth } from '../aws/queue-depth';
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

type GaugeLog = NonNullable<GaugePollerOptions['log']>;

/** The dead-letter queue of each DLR queue (found once per queue) and an SQS client per queue, kept for reuse. */
class DeadLetterQueues {
  private readonly urls = new Map<DlrQueue, string>();
  private readonly clients = new Map<DlrQueue, SQSClient>();

  constructor(
    private readonly opts: Pick<GaugePollerOptions, 'sqsClientFor' | 'dlqUrlFor'>,
    private readonly log: GaugeLog,
  ) {}

  clientFor(q: DlrQueue): SQSClient | undefined {
    if (!this.opts.sqsClientFor) return undefined;
    let c = this.clients.get(q);
    if (!c) {
      c = this.opts.sqsClientFor(q);
      this.clients.set(q, c);
    }
    return c;
  }

  async urlOf(q: DlrQueue, sqs: SQSClient): Promise<string> {
    const known = this.urls.get(q) ?? this.opts.dlqUrlFor?.(q);
    if (known) return known;
    let url: string | undefined;
    try {
      const out = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: q.queueUrl, AttributeNames: ['RedrivePolicy'] }),
      );
      url = dlqUrlFromRedrivePolicy(q.queueUrl, out.Attributes?.RedrivePolicy);
    } catch (err) {
      this.log('debug', 'cannot read the redrive policy; assuming the <queue>-dlq convention', {
        queue: queueLabelOf(q),
        error: (err as Error).name,
      });
    }
    url ??= conventionalDlqUrl(q.queueUrl);
    this.urls.set(q, url);
    return url;
  }

  destroy(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }
}

export function startGaugePoller(opts: GaugePollerOptions): GaugePoller {
  const log = opts.log ?? (() => undefined);
  const last: GaugePoller['last'] = { deadLettered: {} };
  const dlqs = new DeadLetterQueues(opts, log);
  let running: Promise<void> | undefined;

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
    const sqs = dlqs.clientFor(q);
    if (!sqs) return;
    const queue = queueLabelOf(q);
    try {
      const n = (await queueDepth(sqs, await dlqs.urlOf(q, sqs))).visible;
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
    const settled = () => {
      running = undefined;
    };
    running ??= Promise.all([refreshInFlight(), ...opts.config.dlrQueues.map(refreshDlq)]).then(settled, settled);
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
      dlqs.destroy();
    },
  };
}
