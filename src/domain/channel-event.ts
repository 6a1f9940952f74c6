/**
 * What the parsers of the alternate channels' receipts (./whatsapp-event.ts, ./ses-event.ts) return, and the checks
 * they share. Pure; errors never quote the event (it carries phone numbers and e-mail addresses).
 */
import { MAX_DESCRIPTION_CHARS, dlrSignalSchema, type DlrSignal } from './delivery-event';
import { CONTEXT_ATTEMPT, CONTEXT_WORKFLOW_ID } from './sending';

/** Longest workflow id we accept from a receipt (End User Messaging caps context values at 800). */
export const MAX_CHANNEL_WORKFLOW_ID_CHARS = 800;

/**
 * One event from a channel's event destination: a signal for one of our attempts, malformed (to the dead-letter
 * queue, with what is wrong), or a well-formed event that settles nothing (acknowledged and counted, with why).
 */
export type ChannelEventResult =
  | { kind: 'signal'; signal: DlrSignal; workflowId: string }
  | { kind: 'malformed'; error: string }
  | { kind: 'ignored'; reason: string };

export const malformed = (error: string): ChannelEventResult => ({ kind: 'malformed', error });
export const ignored = (reason: string): ChannelEventResult => ({ kind: 'ignored', reason });

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Workflow id and attempt, as our sends put them (`rsms-workflow-id`, `rsms-attempt`), or what is wrong. */
export function attemptRef(
  workflowId: unknown,
  attempt: unknown,
  where: string,
): { workflowId: string; attempt: number } | { error: string } {
  if (typeof workflowId !== 'string' || workflowId.trim().length === 0) {
    return { error: `${where} ${CONTEXT_WORKFLOW_ID} must be a non-blank string` };
  }
  if (workflowId.length > MAX_CHANNEL_WORKFLOW_ID_CHARS) {
    return { error: `${where} ${CONTEXT_WORKFLOW_ID} is longer than ${MAX_CHANNEL_WORKFLOW_ID_CHARS} characters` };
  }
  if (typeof attempt !== 'string' || !/^[1-9]\d{0,5}$/.test(attempt)) {
    return { error: `${where} ${CONTEXT_ATTEMPT} is not a positive integer` };
  }
  return { workflowId, attempt: Number(attempt) };
}

/** The signal, validated by the signal's own schema and without undefined-valued keys. */
export function channelSignal(fields: DlrSignal, workflowId: string): ChannelEventResult {
  const parsed = dlrSignalSchema.safeParse({
    ...fields,
    ...(fields.description !== undefined ? { description: fields.description.slice(0, MAX_DESCRIPTION_CHARS) } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return malformed(`cannot build the receipt signal: ${issue.path.join('.')}: ${issue.message}`);
  }
  const signal = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) as DlrSignal;
  return { kind: 'signal', signal, workflowId };
}
