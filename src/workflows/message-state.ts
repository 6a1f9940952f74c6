/**
 * The state of one message in flight and every rule that changes it: the status record, the receipts
 * and signals received, what an attempt becomes when it is sent, fails, or its step times out, and how the
 * message ends. Plain data and methods, no Temporal calls: the workflow passes the time in (`now`), so
 * unit tests drive it without a server.
 */
import { isNumberChannel } from '../domain/channel';
import { awaitsChannelReceipt, channelReceiptClass, classifyChannelReceiptFailure } from '../domain/channel-receipts';
import type { DlrSignal } from '../domain/delivery-event';
import { classifyDlrFailure, failure, statusClass } from '../domain/outcome';
import { higherLevel, type EscalationLevel, type ResolvedPolicy, type RoutingPlan } from '../domain/plan';
import { maskPhone } from '../domain/privacy';
import { smsParts } from '../domain/sms-parts';
import type { PutFeedbackInput, SendResult } from '../domain/sending';
import type { ClassifiedFailure } from '../domain/outcome';
import { attemptCost, mayHaveSent, type AttemptRecord, type MessageStatus, type StatusRecord } from '../domain/status';
import type { CancelSignal, DeliverMessageInput, FeedbackSignal } from './definitions';
import { FEEDBACK_FAILED, STEP_TIMEOUT, type NextStep, type PlannerAttempt } from './planner';
import { listEvent, receiptRejection, type ReceiptExpectations, type Rejection } from './receipt-rules';

export type SendStep = Extract<NextStep, { kind: 'send' }>;

/** A PutMessageFeedback call to make when the message ends. */
export interface FeedbackToRecord {
  attempt: AttemptRecord;
  input: PutFeedbackInput;
}

export class MessageState {
  readonly record: StatusRecord;
  readonly plan: RoutingPlan;
  readonly policy: ResolvedPolicy;
  readonly deadlineAt: number;
  /** `attempt|eventType|status|timestamp` of every receipt listed on its attempt (so bounded), to count duplicates. */
  private readonly seenEvents = new Set<string>();
  /** What a receipt is checked against (./receipt-rules.ts). */
  private readonly expectations: ReceiptExpectations;
  private feedbackReceived = false;
  /** Set by feedback FAILED to the number of attempts made so far; applied to the attempt being waited on. */
  private feedbackFailedFor: number | undefined;
  private cancelReason: string | undefined;

  constructor(input: DeliverMessageInput, workflowId: string, now: number) {
    const { plan, request } = input;
    this.plan = plan;
    this.policy = plan.policy;
    this.deadlineAt = now + plan.policy.deadlineMs;
    const whatsapp = request.contacts?.whatsapp;
    this.expectations = { workflowId, destination: request.destination, ...(whatsapp ? { whatsapp } : {}) };
    this.record = {
      workflowId,
      idempotencyKey: input.idempotencyKey,
      useCase: plan.policy.useCase,
      country: plan.country,
      destination: maskPhone(request.destination),
      smsParts: smsParts(request.body),
      status: 'IN_PROGRESS',
      reason: 'starting',
      attempts: [],
      needlessAttempts: [],
      duplicateEvents: 0,
      unmatchedEvents: 0,
      rejectedEvents: 0,
      skipped: plan.skipped,
      startedAt: now,
    };
  }

  // --- Signals -------------------------------------------------------------------------------------

  /**
   * A delivery receipt for one of our attempts (matched by attempt number and message id, checked by the trust
   * rules of ./receipt-rules.ts). Returns why it was rejected, if it was; every receipt ends up listed on its attempt
   * or counted (duplicate, unmatched, rejected, omitted), so a flood of them costs the record only counters.
   */
  onDlr(dlr: DlrSignal, now: number): Rejection | undefined {
    const attempt = this.record.attempts[dlr.attempt - 1];
    // A WhatsApp status names Meta's message, not the send's id (../domain/whatsapp-event.ts): matched by attempt.
    const idMatters = dlr.channel !== 'whatsapp';
    if (
      !attempt ||
      (dlr.channel !== undefined && dlr.channel !== attempt.channel) ||
      (idMatters && attempt.messageId !== undefined && attempt.messageId !== dlr.messageId)
    ) {
      this.record.unmatchedEvents++;
      return undefined;
    }
    const rejection = receiptRejection(attempt, dlr, this.expectations);
    if (rejection !== undefined) {
      this.record.rejectedEvents = (this.record.rejectedEvents ?? 0) + 1;
      return rejection;
    }
    const key = `${dlr.attempt}|${dlr.eventType}|${dlr.status}|${dlr.eventTimestamp}`;
    if (this.seenEvents.has(key)) {
      this.record.duplicateEvents++;
      return undefined;
    }
    // A receipt may arrive before the send activity's result (or after an ambiguous send): learn the id.
    if (idMatters) attempt.messageId ??= dlr.messageId;
    if (dlr.price !== undefined) attempt.price = dlr.price;
    if (dlr.carrierFee !== undefined) attempt.carrierFee = dlr.carrierFee;
    const cls =
      dlr.channel !== undefined
        ? channelReceiptClass(dlr, this.policy)
        : dlr.isFinal
          ? statusClass(dlr.status)
          : 'intermediate';
    const settled =
      attempt.state === 'delivered' || (attempt.state === 'failed' && attempt.outcome !== FEEDBACK_FAILED);
    const event = { type: dlr.eventType, status: dlr.status, at: dlr.eventTimestamp, receivedAt: now };
    if (listEvent(attempt, event, cls !== 'intermediate' && !settled)) this.seenEvents.add(key);
    if (cls === 'intermediate') {
      if (isOpen(attempt)) attempt.outcome = dlr.status;
      return undefined;
    }
    if (settled) {
      // A second, contradicting final receipt: the first one stands.
      this.record.duplicateEvents++;
      return undefined;
    }
    attempt.finishedAt = now;
    if (cls === 'success') {
      attempt.state = 'delivered';
      attempt.outcome = dlr.status;
      attempt.failure = undefined;
    } else {
      attempt.state = 'failed';
      attempt.outcome = dlr.eventType;
      // The event type names the failure (`VOICE_BUSY` stays VOICE_BUSY in the record, not TEXT_BUSY).
      attempt.failure =
        dlr.channel !== undefined
          ? classifyChannelReceiptFailure(dlr)
          : classifyDlrFailure(dlr.status, dlr.description, dlr.eventType);
    }
    return undefined;
  }

  /** The application's feedback: RECEIVED ends the message; FAILED fails the attempt being waited on. */
  onFeedback({ status }: FeedbackSignal): void {
    if (status === 'RECEIVED') this.feedbackReceived = true;
    else this.feedbackFailedFor = this.record.attempts.length;
  }

  /** The cancel signal; the first reason stands. */
  onCancel({ reason }: CancelSignal): void {
    this.cancelReason ??= reason ? `cancelled: ${reason}` : 'cancelled';
  }

  /** The workflow itself was cancelled through Temporal. */
  onWorkflowCancelled(): void {
    this.cancelReason ??= 'cancelled through Temporal';
  }

  // --- Where the message stands --------------------------------------------------------------------

  firstDelivered(): AttemptRecord | undefined {
    return this.record.attempts.find((a) => a.state === 'delivered');
  }

  /** The user acted on the message (feedback RECEIVED). */
  confirmed(): boolean {
    return this.feedbackReceived;
  }

  succeeded(): boolean {
    return this.feedbackReceived || (this.policy.success !== 'feedback' && this.firstDelivered() !== undefined);
  }

  /** Nothing more is to be sent: success, or a cancel. */
  ended(): boolean {
    return this.succeeded() || this.cancelReason !== undefined;
  }

  /** The attempts as the planner reads them. */
  plannerView(): PlannerAttempt[] {
    return this.record.attempts.map((a) => ({
      rungIndex: a.rungIndex,
      sent: mayHaveSent(a.state),
      outcome: a.state === 'delivered' ? { kind: 'success' } : { kind: 'failure', failure: a.failure! },
      price: attemptCost(a),
    }));
  }

  /** The highest escalation level any attempt reached. */
  highestLevel(): EscalationLevel {
    return this.record.attempts.reduce((top, a) => higherLevel(top, a.level), 'initial' as EscalationLevel);
  }

  /** Milliseconds left before the deadline, capped to `ms` and never negative. */
  waitWithinDeadline(ms: number, now: number): number {
    return Math.max(0, Math.min(ms, this.deadlineAt - now));
  }

  deadlinePassed(now: number): boolean {
    return now >= this.deadlineAt;
  }

  /**
   * Nothing more will be sent, but an attempt without a final receipt (SMS, voice, or WhatsApp / email waiting for
   * its receipt) may still be delivered:
   * its receipt can come late (under load, or from a slow carrier).
   */
  mayStillGetReceipt(): boolean {
    return this.record.attempts.some(
      (a) =>
        (isNumberChannel(a.channel) || awaitsChannelReceipt(this.policy, a.channel)) &&
        (a.state === 'timed-out' || a.state === 'sent' || a.state === 'unknown'),
    );
  }

  /** What the message is doing or why it ended (shown in the status record). */
  note(reason: string): void {
    this.record.reason = reason;
  }

  // --- One attempt ---------------------------------------------------------------------------------

  /** The planner chose this rung: shown as the current one while it is held or sent. */
  aimAt(step: SendStep): void {
    this.record.currentRung = step.rungIndex;
    this.record.currentLevel = this.plan.rungs[step.rungIndex].level;
  }

  /** A new attempt on the step's rung, in state `sending`. */
  startAttempt(step: SendStep, now: number): AttemptRecord {
    const rung = this.plan.rungs[step.rungIndex];
    const attempt: AttemptRecord = {
      attempt: this.record.attempts.length + 1,
      rungIndex: step.rungIndex,
      channel: rung.channel,
      level: this.record.attempts.length === 0 ? 'initial' : rung.level,
      routeId: rung.routeId,
      account: rung.account,
      region: rung.region,
      originator: rung.originator,
      originatorType: rung.originatorType,
      state: 'sending',
      outcome: 'SENDING',
      startedAt: now,
      feedbackEnabled: this.policy.messageFeedback && isNumberChannel(rung.channel),
      events: [],
    };
    this.record.attempts.push(attempt);
    this.record.reason = step.why;
    return attempt;
  }

  /** The service accepted the send (unless a receipt already settled the attempt). */
  sendAccepted(attempt: AttemptRecord, result: SendResult): void {
    attempt.messageId ??= result.messageId;
    attempt.sentAt = result.acceptedAt;
    if (attempt.state !== 'sending') return;
    attempt.state = 'sent';
    attempt.outcome = 'SENT';
    // Push has no receipts, and the policy may take acceptance as WhatsApp's or email's success (or the plan
    // predates channel receipts): then acceptance is the success signal (../domain/channel-receipts.ts).
    if (
      !isNumberChannel(attempt.channel) &&
      !awaitsChannelReceipt(this.policy, attempt.channel) &&
      this.policy.success !== 'feedback'
    ) {
      attempt.state = 'delivered';
      attempt.outcome = 'ACCEPTED';
      attempt.finishedAt = result.acceptedAt;
    }
  }

  /** The send failed; an ambiguous failure leaves the attempt `unknown` (a receipt may still come). */
  sendFailed(attempt: AttemptRecord, failure: ClassifiedFailure, now: number): void {
    if (attempt.state !== 'sending') return;
    attempt.failure = failure;
    attempt.outcome = failure.reason;
    attempt.finishedAt = now;
    attempt.state = failure.ambiguous ? 'unknown' : 'send-failed';
  }

  /** Start waiting for the attempt's receipt or feedback: returns how long the step waits. */
  beginWait(attempt: AttemptRecord): number {
    const unknown = attempt.state === 'unknown';
    this.record.reason = unknown
      ? `send outcome unknown; waiting for a receipt before moving on`
      : this.policy.success === 'feedback'
        ? 'waiting for feedback'
        : 'waiting for the delivery receipt';
    return unknown ? Math.min(this.policy.ambiguousWaitMs, this.policy.stepWaitMs) : this.policy.stepWaitMs;
  }

  /** A final failing receipt, or feedback FAILED covering this attempt, settled it. */
  attemptFailed(attempt: AttemptRecord): boolean {
    return (
      attempt.state === 'failed' || (this.feedbackFailedFor !== undefined && this.feedbackFailedFor >= attempt.attempt)
    );
  }

  /** After the wait: a feedback FAILED received so far fails the attempt (unless a receipt failed it already). */
  applyFeedbackFailed(attempt: AttemptRecord, now: number): void {
    if (this.feedbackFailedFor === undefined || attempt.state === 'failed') return;
    this.feedbackFailedFor = undefined;
    attempt.state = 'failed';
    attempt.outcome = FEEDBACK_FAILED;
    attempt.finishedAt = now;
    attempt.failure = failure('originator', FEEDBACK_FAILED, 'the application reported the message was not received');
  }

  /** Nothing settled the attempt within the step's `waitMs`: it times out and the ladder moves on. */
  stepTimedOut(attempt: AttemptRecord, waitMs: number, now: number): void {
    attempt.finishedAt = now;
    if (attempt.state === 'unknown') {
      // Keep the ambiguous send's own failure (Region scope): the Region is treated as down.
      attempt.state = 'timed-out';
      attempt.outcome = `${attempt.failure?.reason ?? 'UNKNOWN'}_NO_RECEIPT`;
      return;
    }
    const deliveredNoFeedback = attempt.state === 'delivered';
    attempt.state = 'timed-out';
    attempt.outcome = STEP_TIMEOUT;
    attempt.failure = failure(
      'originator',
      STEP_TIMEOUT,
      deliveredNoFeedback
        ? 'delivered but no feedback within the step'
        : `no final receipt within ${Math.round(waitMs / 1000)}s`,
    );
  }

  // --- The end -------------------------------------------------------------------------------------

  /** The final status: the signals and receipts override what the ladder ended with. */
  finalStatus(ladderStatus: MessageStatus): MessageStatus {
    let status = ladderStatus;
    if (this.feedbackReceived) status = 'CONFIRMED';
    else if (this.policy.success !== 'feedback' && this.firstDelivered()) status = 'DELIVERED';
    else if (this.cancelReason !== undefined) status = 'CANCELLED';
    if (status === 'CANCELLED') this.record.reason = this.cancelReason!;
    return status;
  }

  /** After a delivery receipt, keep listening for the user's feedback for a while, if the policy asks to. */
  listensForFeedback(status: MessageStatus): boolean {
    return (
      status === 'DELIVERED' && this.policy.messageFeedback && this.policy.feedbackGraceMs > 0 && !this.cancelReason
    );
  }

  /**
   * The grace period for feedback starts: meanwhile the record shows DELIVERED, the attempt that delivered
   * (`delivered`, the first delivered attempt when the ladder ended) and the sends that were needless, as it
   * will when the message closes DELIVERED. Query state only: no command changes.
   */
  startFeedbackGrace(delivered: AttemptRecord | undefined): void {
    this.record.status = 'DELIVERED';
    this.settleSuccess(delivered);
    this.record.reason = `${this.deliveredReason()}; listening for feedback`;
  }

  /** The grace period for feedback ends early on feedback RECEIVED or a cancel. */
  feedbackGraceOver(): boolean {
    return this.feedbackReceived || this.cancelReason !== undefined;
  }

  /**
   * Settles the record for `status`: the successful and needless attempts, the reason, every attempt still
   * open superseded. `delivered` is the first delivered attempt when the ladder ended. Returns the message
   * feedback to record: RECEIVED for the attempt the user acted on, FAILED for every other one sent with
   * feedback enabled (AWS would set them FAILED after an hour anyway; we are explicit).
   */
  finish(status: MessageStatus, delivered: AttemptRecord | undefined, now: number): FeedbackToRecord[] {
    const record = this.record;
    const winner = delivered ?? [...record.attempts].reverse().find((a) => a.messageId !== undefined);
    if (status === 'DELIVERED' || status === 'CONFIRMED') {
      this.settleSuccess(status === 'CONFIRMED' ? winner : delivered);
      record.reason = status === 'CONFIRMED' ? 'the user acted on the message' : this.deliveredReason();
    }
    for (const a of record.attempts) {
      if (isOpen(a)) {
        a.state = 'superseded';
        a.finishedAt ??= now;
      }
    }
    return record.attempts
      .filter((a) => a.feedbackEnabled && a.messageId !== undefined && isNumberChannel(a.channel))
      .map((a) => ({
        attempt: a,
        input: {
          route: {
            id: a.routeId,
            account: a.account,
            region: a.region,
            configurationSet: this.plan.rungs[a.rungIndex]?.configurationSet,
          },
          messageId: a.messageId!,
          status: status === 'CONFIRMED' && a === winner ? 'RECEIVED' : 'FAILED',
        },
      }));
  }

  /** Names the successful attempt and the sends after it that were needless. */
  private settleSuccess(success: AttemptRecord | undefined): void {
    this.record.successfulAttempt = success?.attempt;
    this.record.needlessAttempts = this.record.attempts
      .filter((a) => success && a.attempt > success.attempt && mayHaveSent(a.state))
      .map((a) => a.attempt);
  }

  private deliveredReason(): string {
    const { successfulAttempt, needlessAttempts } = this.record;
    return (
      `delivered by attempt ${successfulAttempt}` +
      (needlessAttempts.length ? `; later attempts ${needlessAttempts.join(', ')} were sent needlessly` : '')
    );
  }

  /** PutMessageFeedback recorded this feedback for the attempt. */
  feedbackRecorded({ attempt, input }: FeedbackToRecord): void {
    attempt.feedback = input.status;
  }

  /** The message is over. */
  close(status: MessageStatus, now: number): StatusRecord {
    this.record.status = status;
    this.record.finishedAt = now;
    return this.record;
  }
}

/** The attempt has no final outcome yet: sending, sent, or ambiguous. */
function isOpen(attempt: AttemptRecord): boolean {
  return attempt.state === 'sending' || attempt.state === 'sent' || attempt.state === 'unknown';
}
