/**
 * One message of the AWS Health event queue (`routeHealth.healthEvents`, fed by an EventBridge rule; the body is
 * the event, ../domain/aws-health-event.ts), read by the same receive loops, leases and acknowledgements as the DLR
 * queues (./queue-loop.ts):
 * - an `issue` event of End User Messaging SMS in a Region of the config's routes -> `awsHealthEvent` signalled,
 *   with start, to the routeHealth workflow (src/health/signal.ts), then deleted;
 * - any other EventBridge event (another service, category, Region or source) -> deleted, counted (`ignored`) and
 *   logged;
 * - a body that is not an event -> kept with a short visibility so that the queue's redrive policy moves it to the
 *   dead-letter queue, as unparseable receipts are (./receipt.ts); counted (`malformed`) and logged;
 * - Temporal unreachable -> kept and retried with backoff while the batch's lease is extended; on shutdown,
 *   released; any other signal failure -> kept for redelivery (and, past maxReceiveCount, the DLQ).
 */
import { healthEventVerdict, parseAwsHealthEventBody } from '../domain/aws-health-event';
import { routeHealthSettings, signalRouteHealth, type RouteHealthClient } from '../health/signal';
import { awsHealthEventSignal } from '../workflows/route-health-definitions';
import type { DlrQueue, Entry } from './dlr-queue';
import type { Lease } from './lease';
import type { DlrQueueConfig, IngesterContext } from './options';
import { poisonVisibilityFor } from './receipt';
import { signalUntilSettled } from './signal-until-settled';

export type HealthEventResult = 'signalled' | 'ignored' | 'malformed';

/** The health event queue as the queue loops see it (a queue without an SNS topic: the body is the event). */
export function healthEventQueueConfig(ctx: Pick<IngesterContext, 'config'>): DlrQueueConfig | undefined {
  const rh = ctx.config.routeHealth;
  if (!rh?.enabled || !rh.healthEvents) return undefined;
  const { account, region, queueUrl, endpoint } = rh.healthEvents;
  return { account, region, queueUrl, ...(endpoint ? { endpoint } : {}), rawDelivery: true };
}

export class HealthEventHandler {
  private readonly services: readonly string[];
  private readonly regions: ReadonlySet<string>;
  outageSince: number | undefined;

  constructor(
    private readonly queue: DlrQueue,
    private readonly ctx: IngesterContext,
  ) {
    const healthEvents = routeHealthSettings(ctx.config).healthEvents;
    this.services = healthEvents?.services ?? [];
    this.regions = new Set(ctx.config.routes.map((r) => r.region));
  }

  async handle(entry: Entry, lease: Lease): Promise<void> {
    const m = entry.message;
    const fields = { queue: this.queue.label, messageId: m.MessageId };
    const parsed = parseAwsHealthEventBody(m.Body ?? '');
    if (parsed.kind === 'malformed') {
      const receiveCount = Number(m.Attributes?.ApproximateReceiveCount ?? NaN) || undefined;
      this.count('malformed');
      entry.outcome = 'keep';
      this.ctx.log('warn', 'AWS Health event queue: unparseable message left for the dead-letter queue', {
        ...fields,
        receiveCount,
        error: parsed.error,
      });
      await this.queue.shortenVisibility(
        m,
        poisonVisibilityFor(receiveCount, this.ctx.settings.poisonVisibilitySeconds),
      );
      return;
    }
    const verdict =
      parsed.kind === 'other'
        ? { act: false as const, why: `not an AWS Health event: ${parsed.why}` }
        : healthEventVerdict(parsed.event, { services: this.services, regions: this.regions });
    if (!verdict.act) {
      this.count('ignored');
      entry.outcome = 'delete';
      this.ctx.log('info', 'AWS Health event acknowledged without a signal', { ...fields, why: verdict.why });
      return;
    }
    const signal = verdict.signal;
    const { settings } = this.ctx;
    const client = this.ctx.routeHealthClient as RouteHealthClient; // checked before the queue's loops start
    const target = {
      what: 'AWS Health event',
      to: 'the routeHealth workflow',
      send: () => signalRouteHealth(client, this.ctx.config, awsHealthEventSignal, signal, settings.signalTimeoutMs),
      onSignalled: () => this.count('signalled'),
    };
    const signalFields = { ...fields, eventArn: signal.eventArn, region: signal.region, statusCode: signal.statusCode };
    await signalUntilSettled(this.ctx, this, entry, lease, target, signalFields);
  }

  private count(result: HealthEventResult): void {
    const { stats } = this.ctx;
    if (result === 'signalled') stats.healthEventsSignalled++;
    else if (result === 'ignored') stats.healthEventsIgnored++;
    else stats.healthEventsMalformed++;
    this.ctx.onHealthEvent?.(result);
  }
}
