/**
 * A WhatsApp event as AWS End User Messaging Social publishes it to the WhatsApp Business Account's event destination
 * (https://docs.aws.amazon.com/social-messaging/latest/userguide/managing-event-destination-dlrs.html): an AWS header
 * (`context` with the WABA and phone number ids, `aws_account_id`, `message_timestamp`, `messageId`) and Meta's
 * webhook entry as the JSON string `whatsAppWebhookEntry`: `{ id, changes: [{ field: "messages", value: {
 * messaging_product, metadata, statuses | messages | errors } }] }`
 * (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components).
 *
 * Statuses of our sends become the receipt signal: `sent` (intermediate), `delivered`, `read`, `failed` (with
 * `errors[].code`) (https://docs.aws.amazon.com/social-messaging/latest/userguide/managing-event-destinations-status.html).
 * Which attempt: Meta returns the send's `biz_opaque_callback_data` in every status of the message (Cloud API
 * messages reference: "included in statuses object within webhook payloads"); our sends put the workflow id and
 * attempt there as JSON (src/activities/whatsapp.ts). AWS documents no relation between `SendWhatsAppMessage`'s
 * `messageId` and Meta's `wamid`, so the wamid is not compared with the send's id: the signal carries a digest of it.
 * The recipient (`recipient_id`, the number without `+`) travels as a `numberTag`, never in clear.
 *
 * Acknowledged without a signal (well-formed, settles nothing of ours): incoming messages, other fields, statuses
 * without our callback data (another sender on the WABA), statuses Meta may add. One status per event: an entry
 * with several is refused (the ingester signals one receipt per queue message), never half-handled.
 */
import { numberTag } from './number-tag';
import { CONTEXT_ATTEMPT, CONTEXT_WORKFLOW_ID } from './sending';
import {
  attemptRef,
  channelSignal,
  describeType,
  ignored,
  isRecord,
  malformed,
  type ChannelEventResult,
} from './channel-event';

/** Meta's message statuses and whether each is final for the message's delivery. */
export const WHATSAPP_STATUSES = { sent: false, delivered: true, read: true, failed: true } as const;
export type WhatsAppStatusName = keyof typeof WHATSAPP_STATUSES;

/** Bounds: Meta documents no sizes; these are far above what it sends (ids, a 512-character callback). */
const MAX_ENTRY_CHARS = 64 * 1024;
const MAX_CALLBACK_CHARS = 512;
const MAX_WAMID_CHARS = 256;

/** True when the object is shaped like an End User Messaging Social event (it has `whatsAppWebhookEntry`). */
export function isWhatsAppEvent(event: Record<string, unknown>): boolean {
  return 'whatsAppWebhookEntry' in event;
}

function parseEntry(text: unknown): { entry: Record<string, unknown> } | { error: string } {
  if (typeof text !== 'string') return { error: `whatsAppWebhookEntry is not a string (got ${describeType(text)})` };
  if (text.length > MAX_ENTRY_CHARS) return { error: `whatsAppWebhookEntry is longer than ${MAX_ENTRY_CHARS}` };
  try {
    const entry: unknown = JSON.parse(text);
    if (!isRecord(entry)) return { error: `whatsAppWebhookEntry is not a JSON object (got ${describeType(entry)})` };
    return { entry };
  } catch {
    return { error: 'whatsAppWebhookEntry is not JSON' };
  }
}

/** Every status object of the entry, or what is wrong with its shape. */
function statusesOf(entry: Record<string, unknown>): { statuses: unknown[]; fields: string[] } | { error: string } {
  if (!Array.isArray(entry.changes)) return { error: 'whatsAppWebhookEntry.changes is not an array' };
  const statuses: unknown[] = [];
  const fields: string[] = [];
  for (const [i, change] of entry.changes.entries()) {
    if (!isRecord(change) || !isRecord(change.value)) {
      return { error: `whatsAppWebhookEntry.changes[${i}] has no value object` };
    }
    fields.push(typeof change.field === 'string' ? change.field.slice(0, 40) : '?');
    const s: unknown = change.value.statuses;
    if (s === undefined) continue;
    if (!Array.isArray(s)) return { error: `whatsAppWebhookEntry.changes[${i}].value.statuses is not an array` };
    statuses.push(...(s as unknown[]));
  }
  return { statuses, fields };
}

/** Our workflow id and attempt from `biz_opaque_callback_data`, undefined when it is not ours. */
function callbackRef(data: unknown): { workflowId: string; attempt: number } | { error: string } | undefined {
  if (typeof data !== 'string' || data.length > MAX_CALLBACK_CHARS) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || !(CONTEXT_WORKFLOW_ID in parsed)) return undefined;
  return attemptRef(parsed[CONTEXT_WORKFLOW_ID], parsed[CONTEXT_ATTEMPT], 'biz_opaque_callback_data');
}

/** `errors[0]` of a failed status as `<code>: <title>`, bounded. */
function errorText(errors: unknown): string | undefined {
  if (!Array.isArray(errors) || !isRecord(errors[0])) return undefined;
  const { code, title } = errors[0];
  const c = typeof code === 'number' && Number.isSafeInteger(code) ? String(code) : 'unknown';
  return `${c}: ${typeof title === 'string' ? title.slice(0, 200) : 'no title'}`;
}

function statusSignal(status: Record<string, unknown>): ChannelEventResult {
  const name = status.status;
  if (typeof name !== 'string' || !(name in WHATSAPP_STATUSES)) {
    const shown = typeof name === 'string' && /^[a-z_]{1,32}$/.test(name) ? `"${name}"` : 'unrecognised';
    return ignored(`WhatsApp status ${shown} settles nothing`);
  }
  const ref = callbackRef(status.biz_opaque_callback_data);
  if (ref === undefined)
    return ignored('WhatsApp status without our biz_opaque_callback_data: not a resilient-sms send');
  if ('error' in ref) return malformed(ref.error);
  const { workflowId } = ref;
  if (typeof status.id !== 'string' || status.id.length === 0 || status.id.length > MAX_WAMID_CHARS) {
    return malformed(`WhatsApp status id must be a string of 1-${MAX_WAMID_CHARS} characters`);
  }
  const seconds = typeof status.timestamp === 'string' ? Number(status.timestamp) : NaN;
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > 1e11) {
    return malformed('WhatsApp status timestamp must be Unix seconds as a string');
  }
  const recipient = status.recipient_id;
  if (recipient !== undefined && (typeof recipient !== 'string' || !/^[1-9]\d{1,18}$/.test(recipient))) {
    return malformed('WhatsApp status recipient_id must be a phone number (digits)');
  }
  const statusName = name as WhatsAppStatusName;
  return channelSignal(
    {
      attempt: ref.attempt,
      eventType: `WHATSAPP_${statusName.toUpperCase()}`,
      status: statusName.toUpperCase(),
      isFinal: WHATSAPP_STATUSES[statusName],
      messageId: `wa-${numberTag(workflowId, status.id)}`,
      eventTimestamp: seconds * 1000,
      ...(statusName === 'failed' ? { description: errorText(status.errors) ?? 'unknown: no errors given' } : {}),
      ...(recipient !== undefined ? { destinationTag: numberTag(workflowId, `+${recipient}`) } : {}),
      channel: 'whatsapp',
    },
    workflowId,
  );
}

/** Parses one End User Messaging Social event (the object in the SNS message). Never throws. */
export function parseWhatsAppEvent(event: Record<string, unknown>): ChannelEventResult {
  const parsed = parseEntry(event.whatsAppWebhookEntry);
  if ('error' in parsed) return malformed(parsed.error);
  const found = statusesOf(parsed.entry);
  if ('error' in found) return malformed(found.error);
  if (found.statuses.length === 0) {
    return ignored(`WhatsApp event without statuses (fields: ${found.fields.join(', ') || 'none'}): settles nothing`);
  }
  if (found.statuses.length > 1) {
    return malformed(`WhatsApp event carries ${found.statuses.length} statuses; one per event is handled`);
  }
  const status = found.statuses[0];
  if (!isRecord(status)) return malformed(`WhatsApp status is not an object (got ${describeType(status)})`);
  return statusSignal(status);
}
