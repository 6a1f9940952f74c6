/**
 * The status record: what the `status` query returns while a message is in flight and what the
 * workflow returns when it ends. Every send that happened is listed, including needless ones.
 * Pure types, safe in workflow code. No bodies here; the destination only masked.
 */
import { statusClass, type ClassifiedFailure } from './outcome';
import type { Channel } from './channel';
import type { EscalationLevel, SkippedChannel } from './plan';
import type { SmsParts } from './sms-parts';

/**
 * The workflow sets all but ABORTED. ABORTED is what clients report (src/client) for a message whose workflow
 * closed without an outcome and without returning its record: terminated, timed out, failed or cancelled through
 * Temporal, continued as new, while the last record it held said IN_PROGRESS. Nothing more will be sent for it.
 */
export const MESSAGE_STATUSES = [
  'IN_PROGRESS',
  'DELIVERED',
  'CONFIRMED',
  'FAILED',
  'CANCELLED',
  'STOPPED',
  'ABORTED',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/**
 * - `sending`: the send activity is running.
 * - `sent`: accepted by the service (message id known), waiting for its receipt.
 * - `unknown`: the send may or may not have been accepted (ambiguous failure); a receipt may still come.
 * - `send-failed`: the service refused it; nothing was sent.
 * - `delivered` / `failed`: a final receipt arrived.
 * - `timed-out`: no final receipt within the step's wait; the ladder moved on.
 * - `superseded`: the message ended (success elsewhere, cancel, deadline) before this attempt settled.
 */
export type AttemptState =
  'sending' | 'sent' | 'unknown' | 'send-failed' | 'delivered' | 'failed' | 'timed-out' | 'superseded';

/** States in which a send happened or may have happened: what counts toward `maxSends` and the report's "sent". */
const MAYBE_SENT_STATES: ReadonlySet<AttemptState> = new Set<AttemptState>([
  'sent',
  'unknown',
  'delivered',
  'failed',
  'timed-out',
  'superseded',
]);

/** Did this attempt send, or may it have sent, a message? */
export function mayHaveSent(state: AttemptState): boolean {
  return MAYBE_SENT_STATES.has(state);
}

export interface AttemptEvent {
  type: string;
  status: string;
  /** Event timestamp from the service (epoch ms). */
  at: number;
  /** When the workflow saw it (epoch ms, workflow time). */
  receivedAt: number;
}

export interface AttemptRecord {
  attempt: number;
  rungIndex: number;
  channel: Channel;
  level: EscalationLevel;
  routeId: string;
  account: string;
  region: string;
  originator: string;
  originatorType: string;
  state: AttemptState;
  /** Short summary: `PENDING`, `DELIVERED`, `TEXT_BLOCKED`, `ThrottlingException`, `TIMED_OUT`, ... */
  outcome: string;
  failure?: ClassifiedFailure;
  messageId?: string;
  startedAt: number;
  sentAt?: number;
  finishedAt?: number;
  feedbackEnabled: boolean;
  /** Feedback we recorded with PutMessageFeedback for this attempt. */
  feedback?: 'RECEIVED' | 'FAILED';
  /**
   * The receipts seen for this attempt, in arrival order, duplicates left out: at most 10, plus the final receipt
   * that settled it (src/workflows/receipt-rules.ts); the others are counted in `omittedEvents`.
   */
  events: AttemptEvent[];
  /** Receipts for this attempt not listed in `events` (beyond the bound). Absent when none. */
  omittedEvents?: number;
  /** `totalMessagePrice` of the attempt's latest receipt that had one (USD). */
  price?: number;
  /** `totalCarrierFee` of the attempt's latest receipt that had one (USD); counts toward `maxTotalPrice` too. */
  carrierFee?: number;
}

/** One change route health made to a message's ladder (src/workflows/health-order.ts). */
export interface RouteHealthNote {
  /** The attempt that was about to start (moved/skipped) or that was cut short (woken). */
  attempt: number;
  rungIndex: number;
  action: 'moved' | 'skipped' | 'woken';
  /** The health key that was unhealthy, e.g. `region:us-east-1`. */
  key: string;
  /** `primary/us-east-1 pool-x: region:us-east-1 open since 10:42:07 UTC (14 of 15 sends failed)`. */
  why: string;
  at: number;
}

export interface StatusRecord {
  workflowId: string;
  idempotencyKey: string;
  useCase: string;
  country: string;
  destination: string;
  /** How AWS sends the SMS body: encoding, size and message parts (absent in records of older workflows). */
  smsParts?: SmsParts;
  status: MessageStatus;
  /** Why the message ended the way it did (or what it is waiting for). */
  reason: string;
  /**
   * Set when the worker could not resolve the plan of a request started without one (src/workflows/resolve-plan.ts):
   * each problem with its field (`request.useCase`, `request.destination`, ...). The message is then FAILED and
   * nothing was sent.
   */
  invalidRequest?: { path: string; message: string }[];
  /** Index into the plan's rungs of the rung being worked on, or the last one. */
  currentRung?: number;
  currentLevel?: EscalationLevel;
  attempts: AttemptRecord[];
  /** Channels the plan left out, with why (no contact, country not allowed, ...). */
  skipped: SkippedChannel[];
  /** The attempt whose success ended the message. */
  successfulAttempt?: number;
  /** Attempts sent after the one that succeeded: sends that turned out needless. */
  needlessAttempts: number[];
  duplicateEvents: number;
  /** Receipts naming an attempt this workflow never made (or another message id than the attempt's). */
  unmatchedEvents: number;
  /**
   * Receipts the trust rules refused: from another account's or Region's DLR queue, or naming another destination
   * or origination number (src/workflows/receipt-rules.ts). Absent in records of messages that ended before the rules.
   */
  rejectedEvents?: number;
  /**
   * What route health changed in this message's ladder (only with route health on): rungs moved last or skipped
   * because their Region, account or originator was open or drained, and waits cut short because the route of the
   * attempt opened meanwhile. At most one note per rung and cause.
   */
  routeHealth?: RouteHealthNote[];
  startedAt: number;
  finishedAt?: number;
  /**
   * Set by clients only when the workflow closed without returning this record (see ABORTED): Temporal's close
   * status (`TERMINATED`, `TIMED_OUT`, `FAILED`, `CANCELLED`, `CONTINUED_AS_NEW`) and time (epoch ms). The rest of
   * the record is the last one the workflow held.
   */
  workflowClosed?: { status: string; at?: number };
}

/**
 * The attempt that reached the user: the successful one the record names (during the feedback window too),
 * else the first one with a delivery receipt.
 */
export function deliveringAttempt(record: StatusRecord): AttemptRecord | undefined {
  if (record.successfulAttempt !== undefined)
    return record.attempts.find((a) => a.attempt === record.successfulAttempt);
  return record.attempts.find((a) => a.state === 'delivered');
}

/**
 * When the message reached the user, as the workflow saw it (epoch ms): the delivering attempt's first success
 * receipt; for an attempt without one (a channel whose acceptance is its delivery, or a message the user
 * confirmed before any receipt), when that attempt settled. Undefined while nothing was delivered.
 */
export function deliveredAt(record: StatusRecord): number | undefined {
  const attempt = deliveringAttempt(record);
  if (!attempt) return undefined;
  const receipt = attempt.events.find((e) => statusClass(e.status) === 'success');
  return receipt?.receivedAt ?? attempt.finishedAt;
}

/**
 * What an attempt cost as its receipts say (USD): `totalMessagePrice` plus `totalCarrierFee`, the two charges of the
 * event format (https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-event-format.html);
 * undefined while no receipt named either.
 */
export function attemptCost(attempt: Pick<AttemptRecord, 'price' | 'carrierFee'>): number | undefined {
  if (attempt.price === undefined && attempt.carrierFee === undefined) return undefined;
  return (attempt.price ?? 0) + (attempt.carrierFee ?? 0);
}
