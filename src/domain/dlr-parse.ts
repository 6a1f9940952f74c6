/**
 * Turns one SQS message body from a DLR queue into the compact signal for the workflow that sent
 * the message. Pure: no I/O, never throws, and its errors never quote the body (it carries phone
 * numbers), so they are safe to log.
 *
 * The body is either the SNS envelope (`{"Type":"Notification","Message":"<event JSON>",...}`) or,
 * with raw message delivery, the event itself. Every field is bounded (./delivery-event.ts says by what); the
 * envelope's fields are returned so that the ingester can verify its signature (src/ingester/sns-signature.ts).
 *
 * The same queues carry the alternate channels' receipts, recognised by shape: an End User Messaging Social event
 * (`whatsAppWebhookEntry`: ./whatsapp-event.ts) or an SES event-publishing record (`eventType` and `mail`:
 * ./ses-event.ts). A well-formed event that settles nothing of ours (an incoming WhatsApp message, an SES Click, a
 * send by someone else) is `ignored`: the ingester acknowledges and counts it, after checking its signature.
 */
import { z } from 'zod';
import {
  MAX_DESCRIPTION_CHARS,
  deliveryEventSchema,
  dlrSignalSchema,
  type DeliveryEvent,
  type DlrSignal,
} from './delivery-event';
import type { ChannelEventResult } from './channel-event';
import { numberTag } from './number-tag';
import { CONTEXT_ATTEMPT, CONTEXT_WORKFLOW_ID } from './sending';
import { isSesEvent, parseSesEvent } from './ses-event';
import { isWhatsAppEvent, parseWhatsAppEvent } from './whatsapp-event';

/** The SQS maximum message size; anything longer cannot be a real DLR and is not parsed. */
export const MAX_DLR_BODY_CHARS = 256 * 1024;
/** Longest workflow id we accept from a context value (End User Messaging caps values at 800). */
export const MAX_WORKFLOW_ID_CHARS = 800;
export { MAX_DESCRIPTION_CHARS };

/**
 * The SNS notification envelope, as far as signature verification needs it
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html#http-notification-json). SNS
 * documents no sizes for these; the bounds are generous for what SNS sends (a UUID, an ARN, an ISO 8601 time, a
 * base64 RSA signature, an https URL).
 */
export const snsEnvelopeSchema = z.object({
  Type: z.literal('Notification'),
  MessageId: z.string().min(1).max(100).optional(),
  TopicArn: z.string().min(1).max(256).optional(),
  Subject: z.string().max(100).optional(),
  Message: z.string(),
  Timestamp: z.string().min(1).max(40).optional(),
  SignatureVersion: z.string().max(4).optional(),
  Signature: z.string().max(2048).optional(),
  SigningCertURL: z.string().max(1024).optional(),
});
export type SnsEnvelope = z.infer<typeof snsEnvelopeSchema>;

export type DlrParseResult =
  /** `event`: the SMS or voice event (absent for WhatsApp and SES receipts). */
  | { ok: true; event?: DeliveryEvent; signal: DlrSignal; workflowId: string; envelope?: SnsEnvelope }
  /** Malformed, or (`ignored`) well-formed but settling nothing: `error` says which and why. */
  | { ok: false; error: string; ignored?: boolean; envelope?: SnsEnvelope };

const fail = (error: string): DlrParseResult => ({ ok: false, error: redact(error) });

/** Long digit runs look like phone numbers: never let one into an error (and so into a log). */
function redact(text: string): string {
  return text.replace(/\+?\d{8,}/g, '[digits]');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Path segments that come from the input (context keys) are shown only when they look like identifiers. */
function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => {
      if (typeof p === 'number') return `[${p}]`;
      const s = String(p);
      return /^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(s) ? `.${s}` : '[…]';
    })
    .join('');
}

/** V8's JSON.parse messages quote the input: keep only the position, if any. */
function jsonError(what: string, err: unknown): string {
  const position = err instanceof Error ? /at position (\d+)/.exec(err.message)?.[1] : undefined;
  return position === undefined ? `${what} is not JSON` : `${what} is not JSON (error at position ${position})`;
}

function parseJson(text: string, what: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: jsonError(what, err) };
  }
}

function envelopeType(value: unknown): string {
  return typeof value === 'string' && /^[A-Za-z]{1,40}$/.test(value) ? `"${value}"` : 'not a known type';
}

function parse(body: unknown): DlrParseResult {
  if (typeof body !== 'string') return fail(`body is not a string (got ${describeType(body)})`);
  if (body.length === 0) return fail('body is empty');
  if (body.length > MAX_DLR_BODY_CHARS) {
    return fail(`body is too large (${body.length} characters; the SQS maximum is ${MAX_DLR_BODY_CHARS} bytes)`);
  }
  const outer = parseJson(body, 'body');
  if (!outer.ok) return fail(outer.error);
  if (!isRecord(outer.value)) return fail(`body is not a JSON object (got ${describeType(outer.value)})`);

  let raw: unknown = outer.value;
  let where = 'event';
  let envelope: SnsEnvelope | undefined;
  if ('Type' in outer.value) {
    // The SNS envelope (no raw message delivery): the event is the string `Message`.
    const unwrapped = unwrap(outer.value);
    if (!unwrapped.ok) return fail(unwrapped.error);
    ({ envelope, raw } = unwrapped);
    where = 'event (in the SNS envelope)';
  }

  if (isRecord(raw) && (isWhatsAppEvent(raw) || isSesEvent(raw))) {
    return fromChannel(isWhatsAppEvent(raw) ? parseWhatsAppEvent(raw) : parseSesEvent(raw), where, envelope);
  }
  const parsed = deliveryEventSchema.safeParse(raw);
  if (!parsed.success) return fail(`${where} is not a delivery event: ${issuesOf(parsed.error, 'event')}`);
  const event = parsed.data;

  const context = event.context ?? {};
  const workflowId = context[CONTEXT_WORKFLOW_ID];
  if (workflowId === undefined) {
    return fail(`context has no ${CONTEXT_WORKFLOW_ID}: not a message sent by resilient-sms`);
  }
  if (workflowId.trim().length === 0 || workflowId.length > MAX_WORKFLOW_ID_CHARS) {
    return fail(`context ${CONTEXT_WORKFLOW_ID} must be 1-${MAX_WORKFLOW_ID_CHARS} characters, not blank`);
  }
  const attemptText = context[CONTEXT_ATTEMPT];
  if (attemptText === undefined)
    return fail(`context has no ${CONTEXT_ATTEMPT}: cannot tell which attempt this is for`);
  if (!/^[1-9]\d{0,5}$/.test(attemptText)) return fail(`context ${CONTEXT_ATTEMPT} is not a positive integer`);

  const tag = (n: string | undefined) => (n === undefined ? undefined : numberTag(workflowId, n));
  const signal = dlrSignalSchema.safeParse({
    attempt: Number(attemptText),
    eventType: event.eventType,
    status: event.messageStatus,
    isFinal: event.isFinal,
    messageId: event.messageId,
    eventTimestamp: event.eventTimestamp,
    description: event.messageStatusDescription?.slice(0, MAX_DESCRIPTION_CHARS),
    price: event.totalMessagePrice,
    carrierFee: event.totalCarrierFee,
    destinationTag: tag(event.destinationPhoneNumber),
    originationTag: tag(event.originationPhoneNumber),
  } satisfies DlrSignal);
  if (!signal.success) {
    // Unreachable while the two schemas agree; kept so a future drift is an error, not a throw.
    const issue = signal.error.issues[0];
    return fail(`cannot build the DLR signal: ${formatPath(issue.path).slice(1)}: ${issue.message}`);
  }
  // zod drops undefined optionals only when absent; keep the signal free of undefined-valued keys.
  const compact = Object.fromEntries(Object.entries(signal.data).filter(([, v]) => v !== undefined)) as DlrSignal;
  return { ok: true, event, signal: compact, workflowId, ...(envelope ? { envelope } : {}) };
}

function fromChannel(result: ChannelEventResult, where: string, envelope: SnsEnvelope | undefined): DlrParseResult {
  const env = envelope ? { envelope } : {};
  if (result.kind === 'malformed') return fail(`${where}: ${result.error}`);
  if (result.kind === 'ignored') return { ok: false, ignored: true, error: redact(result.reason), ...env };
  return { ok: true, signal: result.signal, workflowId: result.workflowId, ...env };
}

/** At most five zod issues, each with its path (input keys only when they look like identifiers). */
function issuesOf(error: z.ZodError, root: string): string {
  const issues = error.issues.slice(0, 5).map((issue) => {
    const missing = issue.code === 'invalid_type' && / received undefined$/.test(issue.message);
    return `${root}${formatPath(issue.path)}: ${missing ? 'Required' : issue.message}`;
  });
  const more = error.issues.length > 5 ? `; and ${error.issues.length - 5} more` : '';
  return `${issues.join('; ')}${more}`;
}

/** The SNS envelope and the event object in its `Message`. */
function unwrap(
  outer: Record<string, unknown>,
): { ok: true; envelope: SnsEnvelope; raw: Record<string, unknown> } | { ok: false; error: string } {
  if (outer.Type !== 'Notification') {
    return { ok: false, error: `SNS envelope Type is ${envelopeType(outer.Type)}, expected "Notification"` };
  }
  if (typeof outer.Message !== 'string') {
    return { ok: false, error: `SNS envelope Message is not a string (got ${describeType(outer.Message)})` };
  }
  const inner = parseJson(outer.Message, 'SNS envelope Message');
  if (!inner.ok) return inner;
  if (!isRecord(inner.value)) {
    return { ok: false, error: `SNS envelope Message is not a JSON object (got ${describeType(inner.value)})` };
  }
  const envelope = snsEnvelopeSchema.safeParse(outer);
  if (!envelope.success) {
    return { ok: false, error: `SNS envelope is malformed: ${issuesOf(envelope.error, 'envelope')}` };
  }
  return { ok: true, envelope: envelope.data, raw: inner.value };
}

/**
 * Parses one DLR queue message body. Never throws: every failure is `{ ok: false, error }` with an
 * error naming what is wrong and quoting nothing from the body.
 */
export function parseDlrMessageBody(body: string): DlrParseResult {
  try {
    return parse(body);
  } catch (err) {
    return fail(`cannot parse body: unexpected ${err instanceof Error ? err.name : 'error'}`);
  }
}
