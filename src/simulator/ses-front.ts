/**
 * The simulator's SES v2 `SendEmail` (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html):
 * restJson1, SigV4 signing name `ses`, `POST /v2/email/outbound-emails` with `{ FromEmailAddress, Destination:
 * { ToAddresses }, Content: { Simple: { Subject, Body } }, ConfigurationSetName, EmailTags: [{ Name, Value }] }`;
 * the answer is `{ "MessageId": "..." }`, errors carry their name in `x-amzn-ErrorType`. So the email activity runs
 * unchanged against it, as the WhatsApp one does against ./whatsapp-front.ts.
 *
 * Why here and not on moto: moto accepts `SendEmail` but publishes no configuration-set events, and the receipts are
 * the point. An accepted message with a configuration set gets SES's event-publishing records
 * (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html): `Send` at once, then
 * `Delivery` after the delivery delay — or, for the fault `opted-out`, a Permanent `Bounce`
 * (`OnAccountSuppressionList`) and for `country-blocked` a Permanent `Bounce` (`General`) — published to the topic of
 * the config's `dlrQueues` entry for the sending account and Region (./publisher.ts). Other API faults answer as SES
 * does: throttle 429 TooManyRequestsException, internal-error 500 InternalServiceErrorException, spend-limit 400
 * LimitExceededException, account-disabled 400 SendingPausedException.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseJsonBody, sendAwsJson, type Route } from './http';
import type { Emit } from './log';
import type { MessageRecord } from './message-log';
import type { EventPublisher } from './publisher';
import {
  applyConnectionFault,
  identifySend,
  recordSend,
  sendRecord,
  takeFault,
  type SendFrontDeps,
} from './send-request';
import type { ApiEffect } from './faults';

export const SES_SEND_PATH = '/v2/email/outbound-emails';
export const SES_OPERATION = 'SendEmail';

class SesError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const FAULT_ERRORS: Partial<Record<ApiEffect, [number, string, string]>> = {
  throttle: [429, 'TooManyRequestsException', 'Maximum sending rate exceeded (simulated)'],
  'internal-error': [500, 'InternalServiceErrorException', 'Internal service error (simulated)'],
  'spend-limit': [400, 'LimitExceededException', 'Daily message quota exceeded (simulated)'],
  'account-disabled': [400, 'SendingPausedException', 'Email sending is disabled for this account (simulated)'],
};
const BOUNCES: Partial<Record<ApiEffect, string>> = {
  'opted-out': 'OnAccountSuppressionList',
  'country-blocked': 'General',
};

export interface SesFrontDeps extends SendFrontDeps {
  publisher: EventPublisher;
  deliveryDelayMs: number;
  accountIds: ReadonlyMap<string, string>;
}

interface ParsedEmail {
  from: string;
  to: string[];
  configurationSet?: string;
  tags: Record<string, string[]>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseEmail(body: unknown): ParsedEmail {
  const bad = (m: string) => new SesError(400, 'BadRequestException', m);
  if (!isObject(body)) throw bad('the request body is not a JSON object');
  if (typeof body.FromEmailAddress !== 'string' || !body.FromEmailAddress.includes('@')) {
    throw bad('FromEmailAddress: required, an email address');
  }
  const to = isObject(body.Destination) ? body.Destination.ToAddresses : undefined;
  if (!Array.isArray(to) || to.length === 0 || !to.every((a) => typeof a === 'string' && a.includes('@'))) {
    throw bad('Destination.ToAddresses: at least one email address');
  }
  const simple = isObject(body.Content) ? body.Content.Simple : undefined;
  if (!isObject(simple) || !isObject(simple.Subject) || !isObject(simple.Body)) {
    throw bad('Content.Simple: Subject and Body are required');
  }
  const tags: Record<string, string[]> = {};
  for (const t of Array.isArray(body.EmailTags) ? (body.EmailTags as unknown[]) : []) {
    if (!isObject(t) || typeof t.Name !== 'string' || typeof t.Value !== 'string')
      throw bad('EmailTags: Name and Value');
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(t.Name) || !/^[A-Za-z0-9_-]{1,256}$/.test(t.Value)) {
      throw bad('EmailTags: names and values are ASCII letters, digits, _ and - (at most 256)');
    }
    tags[t.Name] = [t.Value];
  }
  const cs = typeof body.ConfigurationSetName === 'string' ? body.ConfigurationSetName : undefined;
  return { from: body.FromEmailAddress, to: to as string[], ...(cs ? { configurationSet: cs } : {}), tags };
}

/** The SES event-publishing record of one event of the message. */
function sesRecord(
  eventType: 'Send' | 'Delivery' | 'Bounce',
  mail: { messageId: string; email: ParsedEmail; accountId: string; sentAt: number },
  now: number,
  bounceSubType?: string,
): Record<string, unknown> {
  const { email } = mail;
  const timestamp = new Date(now).toISOString();
  const object =
    eventType === 'Send'
      ? { send: {} }
      : eventType === 'Delivery'
        ? {
            delivery: {
              timestamp,
              processingTimeMillis: now - mail.sentAt,
              recipients: email.to,
              smtpResponse: '250 2.6.0 Message received',
            },
          }
        : {
            bounce: {
              bounceType: 'Permanent',
              bounceSubType,
              bouncedRecipients: email.to.map((emailAddress) => ({ emailAddress, action: 'failed', status: '5.1.1' })),
              timestamp,
              feedbackId: randomUUID(),
            },
          };
  return {
    eventType,
    mail: {
      timestamp: new Date(mail.sentAt).toISOString(),
      source: email.from,
      sendingAccountId: mail.accountId,
      messageId: mail.messageId,
      destination: email.to,
      headersTruncated: false,
      tags: { ...(email.configurationSet ? { 'ses:configuration-set': [email.configurationSet] } : {}), ...email.tags },
    },
    ...object,
  };
}

/** Publishes one event after `atMs`, noting it on the message's log entry. */
function publishLater(
  deps: SesFrontDeps,
  timers: Set<NodeJS.Timeout>,
  record: MessageRecord,
  event: Record<string, unknown>,
  atMs: number,
): void {
  const emit: Emit = deps.emit;
  const timer = setTimeout(() => {
    timers.delete(timer);
    void deps.publisher.publish(record.account, record.region, event).then((r) => {
      record.events.push({
        eventType: `EMAIL_${String(event.eventType).toUpperCase()}`,
        messageStatus: String(event.eventType),
        isFinal: event.eventType !== 'Send',
        eventTimestamp: Date.now(),
        publishedAt: new Date().toISOString(),
        published: r.published,
        ...(r.topicArn ? { topicArn: r.topicArn } : {}),
        ...(r.error ? { error: r.error } : {}),
      });
      emit(r.published ? 'info' : 'warn', 'event', { eventType: event.eventType, published: r.published });
    });
  }, atMs);
  timers.add(timer);
}

export interface SesFront extends Route {
  cancel(): void;
}

/** `POST /v2/email/outbound-emails` (SendEmail), and its events. */
export function sesFront(deps: SesFrontDeps): SesFront {
  const timers = new Set<NodeJS.Timeout>();

  function send(req: IncomingMessage, res: ServerResponse, raw: string, record: MessageRecord): void {
    if (!record.account || !record.region) throw new SesError(403, 'UnrecognizedClientException', 'Unknown key');
    const email = parseEmail(parseJsonBody(raw));
    record.originator = email.from;
    const fault = takeFault(deps.faults, record, {
      operation: SES_OPERATION,
      account: record.account,
      region: record.region,
      originator: email.from,
      destination: '',
    });
    const messageId = `0100${Date.now().toString(16)}-${randomUUID()}-000000`;
    const accept = () => {
      record.messageId = messageId;
      record.outcome = 'accepted';
    };
    const effect = fault && 'api' in fault.effect ? fault.effect.api : undefined;
    if (effect && applyConnectionFault(req, record, effect, accept)) return;
    const error = effect ? FAULT_ERRORS[effect] : undefined;
    if (error) throw new SesError(...error);
    accept();
    sendAwsJson(res, record.requestId, 200, { MessageId: messageId });
    if (!email.configurationSet) return; // no configuration set: no event destination
    const mail = {
      messageId,
      email,
      accountId: deps.accountIds.get(record.account) ?? '000000000000',
      sentAt: Date.now(),
    };
    publishLater(deps, timers, record, sesRecord('Send', mail, Date.now()), 0);
    const bounce = effect ? BOUNCES[effect] : undefined;
    const at = mail.sentAt + deps.deliveryDelayMs;
    publishLater(
      deps,
      timers,
      record,
      sesRecord(bounce ? 'Bounce' : 'Delivery', mail, at, bounce),
      deps.deliveryDelayMs,
    );
  }

  return {
    matches: (_req, url) => url.pathname === SES_SEND_PATH,
    handle(req, res, _url, raw) {
      const incoming = identifySend(req, deps.keys);
      const record = sendRecord(incoming, SES_OPERATION);
      try {
        if (req.method !== 'POST') throw new SesError(404, 'UnknownOperationException', `POST ${SES_SEND_PATH} only`);
        if (incoming.caller?.signingService !== 'ses') {
          throw new SesError(
            403,
            'InvalidSignatureException',
            "Credential should be scoped to correct service: 'ses'.",
          );
        }
        send(req, res, raw, record);
      } catch (err) {
        const e = err instanceof SesError ? err : new SesError(500, 'InternalServiceErrorException', String(err));
        record.outcome = 'rejected';
        record.error = { type: e.type, message: e.message };
        sendAwsJson(res, incoming.requestId, e.status, { message: e.message }, { 'x-amzn-ErrorType': e.type });
      } finally {
        recordSend(deps.emit, deps.messages, record);
      }
    },
    cancel() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
