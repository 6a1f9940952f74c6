/**
 * The WhatsApp message statuses the simulator publishes for an accepted `SendWhatsAppMessage`, as AWS End User
 * Messaging Social publishes Meta's status webhooks to the WhatsApp Business Account's event destination (an SNS
 * topic): the AWS event header (`context`, `aws_account_id`, `message_timestamp`, `messageId`) with Meta's webhook
 * entry as the JSON string `whatsAppWebhookEntry`
 * (https://docs.aws.amazon.com/social-messaging/latest/userguide/managing-event-destination-dlrs.html). The entry is
 * Meta's `messages` webhook with a `statuses` array: `sent`, `delivered`, `read` or `failed` (with `errors`), each
 * carrying the send's `biz_opaque_callback_data` and the recipient's `recipient_id`
 * (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components, "Statuses object").
 *
 * Locally the event destination is the topic of the config's `dlrQueues` entry for the sending account and Region
 * (./publisher.ts), so the statuses reach the same DLR queue as that route's SMS receipts. A recipient Meta refuses
 * (fault `opted-out`: not on WhatsApp; `country-blocked`) gets `sent` then `failed` with Meta's error code.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Emit } from './log';
import type { MessageRecord } from './message-log';
import type { EventPublisher } from './publisher';

/**
 * Meta's error codes for the refusals the simulator models (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes):
 * 131026 "Message undeliverable" (the recipient is not on WhatsApp, has not accepted the terms, or runs an old
 * version); 130497 "Business account is restricted from messaging users in this country".
 */
export const META_ERRORS = {
  'not-on-whatsapp': { code: 131026, title: 'Message undeliverable' },
  'country-restricted': { code: 130497, title: 'Business account is restricted from messaging users in this country' },
} as const;
export type MetaRefusal = keyof typeof META_ERRORS;

export type WhatsAppStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusPlan {
  status: WhatsAppStatus;
  atMs: number;
  error?: MetaRefusal;
}

/** Accepted -> `sent` at once, `delivered` after the delay, `read` after twice it; a refusal: `sent`, then `failed`. */
export function statusSchedule(delayMs: number, refusal?: MetaRefusal): StatusPlan[] {
  if (refusal)
    return [
      { status: 'sent', atMs: 0 },
      { status: 'failed', atMs: delayMs, error: refusal },
    ];
  return [
    { status: 'sent', atMs: 0 },
    { status: 'delivered', atMs: delayMs },
    { status: 'read', atMs: 2 * delayMs },
  ];
}

export interface StatusSubject {
  record: MessageRecord;
  /** Meta's message id (`wamid.…`) of the send. */
  wamid: string;
  /** The `biz_opaque_callback_data` the send carried, verbatim. */
  callbackData?: string;
  /** AWS account id of the sender (the config's `accountId`), for the header. */
  awsAccountId: string;
}

/** A stable, Meta-looking numeric id for a simulator resource name. */
function metaId(name: string): string {
  return BigInt(`0x${createHash('sha256').update(name).digest('hex').slice(0, 13)}`).toString();
}

/** The event End User Messaging Social publishes for one status. */
export function buildStatusEvent(subject: StatusSubject, plan: StatusPlan, now: number): Record<string, unknown> {
  const { record } = subject;
  const phoneNumberId = record.originator ?? 'phone-number-id-unknown';
  const shortId = phoneNumberId
    .split('/')
    .pop()!
    .replace(/^phone-number-id-/, '');
  const region = record.region ?? 'us-east-1';
  const wabaId = metaId(`waba:${record.account ?? ''}`);
  const metaPhoneNumberId = metaId(phoneNumberId);
  const status: Record<string, unknown> = {
    id: subject.wamid,
    status: plan.status,
    timestamp: String(Math.floor(now / 1000)),
    recipient_id: (record.destination ?? '').replace(/^\+/, ''),
    ...(subject.callbackData !== undefined ? { biz_opaque_callback_data: subject.callbackData } : {}),
  };
  if (plan.status === 'sent' || plan.status === 'delivered') {
    status.pricing = { billable: true, pricing_model: 'PMP', category: 'utility' };
  }
  if (plan.error) {
    const { code, title } = META_ERRORS[plan.error];
    status.errors = [{ code, title, message: title, error_data: { details: title } }];
  }
  const entry = {
    id: wabaId,
    changes: [
      {
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: '15550000000', phone_number_id: metaPhoneNumberId },
          statuses: [status],
        },
        field: 'messages',
      },
    ],
  };
  const arn = (kind: string, id: string) => `arn:aws:social-messaging:${region}:${subject.awsAccountId}:${kind}/${id}`;
  return {
    context: {
      MetaWabaIds: [{ wabaId, arn: arn('waba', shortId) }],
      MetaPhoneNumberIds: [{ metaPhoneNumberId, arn: arn('phone-number-id', shortId) }],
    },
    whatsAppWebhookEntry: JSON.stringify(entry),
    aws_account_id: subject.awsAccountId,
    message_timestamp: new Date(now).toISOString(),
    messageId: randomUUID(),
  };
}

/** Publishes each accepted WhatsApp message's statuses on timers, in order. */
export class WhatsAppStatusPublisher {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly publisher: EventPublisher,
    private readonly emit: Emit,
  ) {}

  schedule(subject: StatusSubject, plans: StatusPlan[]): void {
    let chain: Promise<void> = Promise.resolve();
    subject.record.pendingEvents = plans.length;
    for (const plan of plans) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        chain = chain
          .then(() => this.publish(subject, plan))
          .catch((err: unknown) => this.emit('error', 'WhatsApp status failed', { error: String(err) }));
        this.inflight.add(chain);
        const done = chain;
        void done.finally(() => this.inflight.delete(done));
      }, plan.atMs);
      this.timers.add(timer);
    }
  }

  private async publish(subject: StatusSubject, plan: StatusPlan): Promise<void> {
    const { record } = subject;
    const now = Date.now();
    const result = await this.publisher.publish(record.account, record.region, buildStatusEvent(subject, plan, now));
    record.pendingEvents = Math.max(0, record.pendingEvents - 1);
    const outcome = {
      published: result.published,
      ...(result.topicArn ? { topicArn: result.topicArn } : {}),
      ...(result.error ? { error: result.error } : {}),
    };
    record.events.push({
      eventType: `WHATSAPP_${plan.status.toUpperCase()}`,
      messageStatus: plan.status,
      isFinal: plan.status !== 'sent',
      eventTimestamp: now,
      publishedAt: new Date(now).toISOString(),
      ...outcome,
    });
    this.emit(result.published ? 'info' : 'warn', 'event', {
      messageId: record.messageId,
      eventType: `WHATSAPP_${plan.status.toUpperCase()}`,
      account: record.account,
      region: record.region,
      ...outcome,
    });
  }

  cancel(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  async drain(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inflight]),
      new Promise<void>((r) => (timer = setTimeout(r, timeoutMs))),
    ]);
    clearTimeout(timer);
  }
}
