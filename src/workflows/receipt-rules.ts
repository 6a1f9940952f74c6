/**
 * The rules a delivery receipt must pass before it may touch an attempt, and the bounded list of events an attempt
 * keeps. Pure functions on plain data (workflow-safe), used by `MessageState.onDlr`.
 *
 * Trust (docs/receipts.md): a receipt is accepted only from the DLR queue of the attempt's own account and Region
 * (`origin`, set by the ingester from the queue it received the receipt on); a receipt naming a destination must
 * name the attempt's; and while the attempt has no message id (its send was ambiguous, or its result has not
 * arrived), it must name the attempt's destination and, when the attempt's originator is a phone number, that
 * origination number. A signal without `origin` was recorded before these rules (replayed history): it is accepted
 * as it was then.
 */
import type { DlrSignal } from '../domain/delivery-event';
import { numberTag } from '../domain/number-tag';
import type { AttemptEvent, AttemptRecord } from '../domain/status';

/** Events an attempt lists; the rest are counted in `omittedEvents`. A final receipt that settles it is always listed. */
export const MAX_EVENTS_PER_ATTEMPT = 10;

const E164 = /^\+[1-9]\d{1,18}$/;

/**
 * What the receipt is checked against: the message's workflow id (the tags' salt), its destination, and the WhatsApp
 * number (`contacts.whatsapp`) that a WhatsApp attempt was sent to.
 */
export interface ReceiptExpectations {
  workflowId: string;
  destination: string;
  whatsapp?: string;
}

/** Why a receipt was rejected: a short code (a metric label) and what it means (logged). */
export const REJECTIONS = {
  'other-queue': 'received on the DLR queue of another account or Region than the attempt was sent through',
  'other-destination': 'names another destination than the attempt',
  'no-destination': 'names no destination, and the attempt has no message id to match',
  'other-origination': 'names another origination number, and the attempt has no message id to match',
} as const;
export type Rejection = keyof typeof REJECTIONS;

/** Why the receipt may not touch the attempt, or undefined when it may. */
export function receiptRejection(
  attempt: AttemptRecord,
  dlr: DlrSignal,
  expect: ReceiptExpectations,
): Rejection | undefined {
  if (dlr.origin === undefined) return undefined; // recorded before the rules: accepted as then
  if (dlr.origin.account !== attempt.account || dlr.origin.region !== attempt.region) return 'other-queue';
  const number = attempt.channel === 'whatsapp' && expect.whatsapp !== undefined ? expect.whatsapp : expect.destination;
  const destinationTag = numberTag(expect.workflowId, number);
  if (dlr.destinationTag !== undefined && dlr.destinationTag !== destinationTag) return 'other-destination';
  if (attempt.messageId !== undefined) return undefined;
  if (dlr.destinationTag === undefined) return 'no-destination';
  if (E164.test(attempt.originator) && dlr.originationTag !== numberTag(expect.workflowId, attempt.originator)) {
    return 'other-origination';
  }
  return undefined;
}

/**
 * Lists the event on the attempt while it has room (one more for the final receipt that settles it); otherwise
 * counts it. Returns whether it was listed.
 */
export function listEvent(attempt: AttemptRecord, event: AttemptEvent, settles: boolean): boolean {
  if (attempt.events.length < MAX_EVENTS_PER_ATTEMPT || (settles && attempt.events.length === MAX_EVENTS_PER_ATTEMPT)) {
    attempt.events.push(event);
    return true;
  }
  attempt.omittedEvents = (attempt.omittedEvents ?? 0) + 1;
  return false;
}
