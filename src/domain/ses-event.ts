/**
 * An SES event as a configuration set's SNS event destination publishes it
 * (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html and
 * https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-examples.html): `eventType`, `mail`
 * (`timestamp`, `messageId`, `destination`, `tags`: tag name -> array of values, …) and one object named after the
 * event: `delivery`, `bounce` (`bounceType` Undetermined | Permanent | Transient, `bounceSubType`), `complaint`,
 * `reject` (`reason`), `failure` (Rendering Failure: `errorMessage`, `templateName`), `deliveryDelay` (`delayType`),
 * `open`, `click`, `send` (empty), `subscription`.
 *
 * Which attempt: the message tags our sends set (`rsms-workflow-id`, encoded as src/activities/email.ts does, and
 * `rsms-attempt`), which SES copies into `mail.tags`. `mail.messageId` is the id `SendEmail` returned ("the unique
 * ID that Amazon SES assigned to the message … returned to you when you sent the message"), so it is compared with
 * the attempt's. Addresses never enter the signal.
 *
 * | eventType         | signal eventType          | status            | final |
 * |-------------------|---------------------------|-------------------|-------|
 * | Send              | EMAIL_SEND                | SENT              | no    |
 * | DeliveryDelay     | EMAIL_DELIVERY_DELAY      | DELAYED           | no    |
 * | Delivery          | EMAIL_DELIVERY            | DELIVERED         | yes   |
 * | Open              | EMAIL_OPEN                | OPENED            | yes   |
 * | Bounce            | EMAIL_BOUNCE              | BOUNCE_<TYPE>     | yes   |
 * | Complaint         | EMAIL_COMPLAINT           | COMPLAINT         | yes   |
 * | Reject            | EMAIL_REJECT              | REJECTED          | yes   |
 * | Rendering Failure | EMAIL_RENDERING_FAILURE   | RENDERING_FAILURE | yes   |
 * Click, Subscription and event types SES may add are acknowledged without a signal (counted); so are events of
 * mail without our tags.
 */
import {
  attemptRef,
  channelSignal,
  describeType,
  ignored,
  isRecord,
  malformed,
  type ChannelEventResult,
} from './channel-event';
import { CONTEXT_ATTEMPT, CONTEXT_WORKFLOW_ID } from './sending';

interface SesRow {
  signal: string;
  status: string;
  isFinal: boolean;
  /** The event's own object, holding its `timestamp` and details. */
  object: string;
}

export const SES_EVENTS: Record<string, SesRow> = {
  Send: { signal: 'EMAIL_SEND', status: 'SENT', isFinal: false, object: 'send' },
  DeliveryDelay: { signal: 'EMAIL_DELIVERY_DELAY', status: 'DELAYED', isFinal: false, object: 'deliveryDelay' },
  Delivery: { signal: 'EMAIL_DELIVERY', status: 'DELIVERED', isFinal: true, object: 'delivery' },
  Open: { signal: 'EMAIL_OPEN', status: 'OPENED', isFinal: true, object: 'open' },
  Bounce: { signal: 'EMAIL_BOUNCE', status: 'BOUNCE', isFinal: true, object: 'bounce' },
  Complaint: { signal: 'EMAIL_COMPLAINT', status: 'COMPLAINT', isFinal: true, object: 'complaint' },
  Reject: { signal: 'EMAIL_REJECT', status: 'REJECTED', isFinal: true, object: 'reject' },
  'Rendering Failure': {
    signal: 'EMAIL_RENDERING_FAILURE',
    status: 'RENDERING_FAILURE',
    isFinal: true,
    object: 'failure',
  },
};
/** Documented event types that settle nothing for us. */
const SETTLES_NOTHING = new Set(['Click', 'Subscription']);
const BOUNCE_TYPES = new Set(['Undetermined', 'Permanent', 'Transient']);

/** True when the object is shaped like an SES event-publishing record (`eventType` and a `mail` object). */
export function isSesEvent(event: Record<string, unknown>): boolean {
  return typeof event.eventType === 'string' && isRecord(event.mail);
}

/** Inverse of the tag encoding of src/activities/email.ts (`_XX` is a byte in hex); `sha256-` values are not ours. */
export function decodeSesTag(encoded: string): string | undefined {
  if (encoded.startsWith('sha256-') || !/^[A-Za-z0-9_-]{1,256}$/.test(encoded)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    if (encoded[i] === '_' && /^[0-9A-F]{2}$/.test(encoded.slice(i + 1, i + 3))) {
      bytes.push(parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(encoded.charCodeAt(i));
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}

function firstTag(tags: Record<string, unknown>, name: string): unknown {
  const values = tags[name];
  return Array.isArray(values) ? values[0] : undefined;
}

function millis(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.length > 40) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

const word = (v: unknown, max = 40): string | undefined =>
  typeof v === 'string' && /^[A-Za-z][A-Za-z0-9 _-]*$/.test(v) ? v.slice(0, max) : undefined;

/** What the record says of the outcome, bounded and without addresses. */
function detailOf(eventType: string, object: Record<string, unknown>): { status?: string; description?: string } {
  if (eventType === 'Bounce') {
    const type = BOUNCE_TYPES.has(object.bounceType as string) ? (object.bounceType as string) : 'Undetermined';
    const sub = word(object.bounceSubType) ?? 'General';
    return { status: `BOUNCE_${type.toUpperCase()}`, description: `${type} bounce (${sub})` };
  }
  if (eventType === 'Reject') return { description: `rejected: ${word(object.reason, 80) ?? 'no reason given'}` };
  if (eventType === 'Rendering Failure') {
    const msg = typeof object.errorMessage === 'string' ? object.errorMessage.slice(0, 300) : 'no message';
    return { description: `template ${word(object.templateName, 64) ?? '?'} failed to render: ${msg}` };
  }
  if (eventType === 'Complaint') {
    return {
      description: `complaint${word(object.complaintFeedbackType) ? `: ${word(object.complaintFeedbackType)}` : ''}`,
    };
  }
  if (eventType === 'DeliveryDelay') return { description: `delayed: ${word(object.delayType) ?? 'unspecified'}` };
  return {};
}

/** Parses one SES event-publishing record (the object in the SNS message). Never throws. */
export function parseSesEvent(event: Record<string, unknown>): ChannelEventResult {
  const eventType = event.eventType as string;
  const mail = event.mail as Record<string, unknown>;
  const row = SES_EVENTS[eventType];
  if (!row) {
    const shown = /^[A-Za-z ]{1,40}$/.test(eventType) ? `"${eventType}"` : 'unrecognised';
    return ignored(`SES event type ${shown} settles nothing${SETTLES_NOTHING.has(eventType) ? '' : ' (not known)'}`);
  }
  if (!isRecord(mail.tags)) return ignored('SES event without mail.tags: not a resilient-sms send');
  const encodedId = firstTag(mail.tags, CONTEXT_WORKFLOW_ID);
  if (encodedId === undefined)
    return ignored(`SES event without the ${CONTEXT_WORKFLOW_ID} tag: not a resilient-sms send`);
  const workflowId = typeof encodedId === 'string' ? decodeSesTag(encodedId) : undefined;
  if (workflowId === undefined) return malformed(`mail.tags ${CONTEXT_WORKFLOW_ID} cannot be decoded to a workflow id`);
  const ref = attemptRef(workflowId, firstTag(mail.tags, CONTEXT_ATTEMPT), 'mail.tags');
  if ('error' in ref) return malformed(ref.error);
  if (typeof mail.messageId !== 'string') {
    return malformed(`mail.messageId is not a string (got ${describeType(mail.messageId)})`);
  }
  const object = event[row.object];
  if (object !== undefined && !isRecord(object)) {
    return malformed(`${row.object} is not an object (got ${describeType(object)})`);
  }
  const details = isRecord(object) ? object : {};
  const at = millis(details.timestamp) ?? millis(mail.timestamp);
  if (at === undefined) return malformed(`neither ${row.object}.timestamp nor mail.timestamp is an ISO 8601 time`);
  const detail = detailOf(eventType, details);
  return channelSignal(
    {
      attempt: ref.attempt,
      eventType: row.signal,
      status: detail.status ?? row.status,
      isFinal: row.isFinal,
      messageId: mail.messageId,
      eventTimestamp: at,
      ...(detail.description !== undefined ? { description: detail.description } : {}),
      channel: 'email',
    },
    workflowId,
  );
}
