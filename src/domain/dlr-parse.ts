/**
 * Turns one SQS message body from a DLR queue into the compact signal for the workflow that sent
 * the message. Pure: no I/O, never throws, and its errors never quote the body (it carries phone
 * numbers), so they are safe to log.
 *
 * The body is either the SNS envelope (`{"Type":"Notification","Message":"<event JSON>",...}`) or,
 * with raw message delivery, the event itself.
 */
import { deliveryEventSchema, dlrSignalSchema, type DeliveryEvent, type DlrSignal } from './delivery-event';
import { CONTEXT_ATTEMPT, CONTEXT_WORKFLOW_ID } from './sending';

/** The SQS maximum message size; anything longer cannot be a real DLR and is not parsed. */
export const MAX_DLR_BODY_CHARS = 256 * 1024;
/** Longest workflow id we accept from a context value (End User Messaging caps values at 800). */
export const MAX_WORKFLOW_ID_CHARS = 800;
export const MAX_DESCRIPTION_CHARS = 500;

export type DlrParseResult =
  { ok: true; event: DeliveryEvent; signal: DlrSignal; workflowId: string } | { ok: false; error: string };

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
  if ('Type' in outer.value) {
    // The SNS envelope (no raw message delivery): the event is the string `Message`.
    const envelope = outer.value;
    if (envelope.Type !== 'Notification') {
      return fail(`SNS envelope Type is ${envelopeType(envelope.Type)}, expected "Notification"`);
    }
    if (typeof envelope.Message !== 'string') {
      return fail(`SNS envelope Message is not a string (got ${describeType(envelope.Message)})`);
    }
    const inner = parseJson(envelope.Message, 'SNS envelope Message');
    if (!inner.ok) return fail(inner.error);
    if (!isRecord(inner.value))
      return fail(`SNS envelope Message is not a JSON object (got ${describeType(inner.value)})`);
    raw = inner.value;
    where = 'event (in the SNS envelope)';
  }

  const parsed = deliveryEventSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((issue) => {
      const missing = issue.code === 'invalid_type' && / received undefined$/.test(issue.message);
      return `event${formatPath(issue.path)}: ${missing ? 'Required' : issue.message}`;
    });
    const more = parsed.error.issues.length > 5 ? `; and ${parsed.error.issues.length - 5} more` : '';
    return fail(`${where} is not a delivery event: ${issues.join('; ')}${more}`);
  }
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

  const signal = dlrSignalSchema.safeParse({
    attempt: Number(attemptText),
    eventType: event.eventType,
    status: event.messageStatus,
    isFinal: event.isFinal,
    messageId: event.messageId,
    eventTimestamp: event.eventTimestamp,
    description: event.messageStatusDescription?.slice(0, MAX_DESCRIPTION_CHARS),
    price: event.totalMessagePrice,
  } satisfies DlrSignal);
  if (!signal.success) {
    // Unreachable while the two schemas agree; kept so a future drift is an error, not a throw.
    const issue = signal.error.issues[0];
    return fail(`cannot build the DLR signal: ${formatPath(issue.path).slice(1)}: ${issue.message}`);
  }
  // zod drops undefined optionals only when absent; keep the signal free of undefined-valued keys.
  const compact = Object.fromEntries(Object.entries(signal.data).filter(([, v]) => v !== undefined)) as DlrSignal;
  return { ok: true, event, signal: compact, workflowId };
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
