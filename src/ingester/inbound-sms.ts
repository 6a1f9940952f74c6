/**
 * One message of a two-way SMS queue (`optOuts.inbound`: the two-way channel's SNS topic -> SQS; the payload:
 * src/domain/inbound-sms.ts), read by the same receive loops, leases and acknowledgements as the DLR queues
 * (./queue-loop.ts):
 * - an opt-out keyword (STOP, ...) or opt-in keyword (START, UNSTOP) -> `optOutEvent` signalled, with start, to the
 *   number's propagation workflow (src/activities/opt-out-signal.ts), then deleted;
 * - any other message (HELP, a free-text reply) -> deleted, counted (`ignored`) and logged;
 * - a body that is not an inbound message, or an SNS envelope that fails verification (./sns-signature.ts) -> kept
 *   with a short visibility so the queue's redrive policy moves it to the dead-letter queue; counted (`malformed`);
 * - Temporal unreachable -> kept and retried with backoff while the batch's lease is extended; on shutdown,
 *   released; any other signal failure -> kept for redelivery (and, past maxReceiveCount, the DLQ).
 * Logs never contain the phone number or the message body.
 */
import { signalOptOut, type OptOutSignalClient } from '../activities/opt-out-signal';
import { inboundAction, parseInboundSmsBody } from '../domain/inbound-sms';
import type { OptOutEvent } from '../workflows/opt-out-definitions';
import type { DlrQueue, Entry } from './dlr-queue';
import type { Lease } from './lease';
import type { IngesterContext } from './options';
import { poisonVisibilityFor } from './receipt';
import { signalUntilSettled } from './signal-until-settled';

export type InboundResult = 'signalled' | 'ignored' | 'malformed';

export class InboundSmsHandler {
  outageSince: number | undefined;

  constructor(
    private readonly queue: DlrQueue,
    private readonly ctx: IngesterContext,
    private readonly client: OptOutSignalClient,
  ) {}

  async handle(entry: Entry, lease: Lease): Promise<void> {
    const m = entry.message;
    const fields = { queue: this.queue.label, messageId: m.MessageId };
    const parsed = parseInboundSmsBody(m.Body ?? '');
    if (!parsed.ok) return this.deadLetter(entry, parsed.error);
    const check = await this.ctx.signatures.check(parsed.envelope, this.queue.config);
    if (!check.ok) {
      if (check.transient) {
        entry.outcome = 'keep';
        this.ctx.log('warn', 'inbound SMS kept: its SNS signature cannot be checked now', {
          ...fields,
          error: check.error,
        });
        return;
      }
      return this.deadLetter(entry, check.error);
    }
    const action = inboundAction(parsed.message);
    if (action === 'none') {
      this.count('ignored');
      entry.outcome = 'delete';
      this.ctx.log('info', 'inbound SMS without an opt-out or opt-in keyword acknowledged', fields);
      return;
    }
    const { account, region } = this.queue.config;
    const sent = parsed.envelope?.Timestamp ? Date.parse(parsed.envelope.Timestamp) : NaN;
    const event: OptOutEvent = {
      kind: action,
      source: 'inbound-keyword',
      at: Number.isFinite(sent) ? sent : Date.now(),
      account,
      region,
    };
    const number = parsed.message.originationNumber;
    const { settings } = this.ctx;
    const target = {
      what: 'inbound opt-out keyword',
      to: 'the propagation workflow',
      send: () => signalOptOut(this.client, this.ctx.config, number, event, settings.signalTimeoutMs),
      onSignalled: () => this.count('signalled'),
    };
    await signalUntilSettled(this.ctx, this, entry, lease, target, { ...fields, kind: action });
  }

  private async deadLetter(entry: Entry, error: string): Promise<void> {
    const m = entry.message;
    const receiveCount = Number(m.Attributes?.ApproximateReceiveCount ?? NaN) || undefined;
    this.count('malformed');
    entry.outcome = 'keep';
    this.ctx.log('warn', 'inbound SMS queue: message left for the dead-letter queue', {
      queue: this.queue.label,
      messageId: m.MessageId,
      receiveCount,
      error,
    });
    await this.queue.shortenVisibility(m, poisonVisibilityFor(receiveCount, this.ctx.settings.poisonVisibilitySeconds));
  }

  private count(result: InboundResult): void {
    const { stats } = this.ctx;
    if (result === 'signalled') stats.inboundSignalled++;
    else if (result === 'ignored') stats.inboundIgnored++;
    else stats.inboundMalformed++;
  }
}
