/**
 * deliverMessage: one durable workflow per message. It climbs the plan's ladder: ask the planner for the
 * next rung, wait if the step is delayed, send, then wait for the first of a final receipt (for this
 * attempt or any earlier one), the app's feedback, a cancel, or the step's timeout; then ask the planner
 * again. The state and its rules are in `MessageState`; this file only sequences the Temporal commands.
 * Deterministic code only: all I/O is in activities.
 */
import {
  CancellationScope,
  condition,
  isCancellation,
  log,
  metricMeter,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { DlrSignal } from '../domain/delivery-event';
import type { AttemptRecord, MessageStatus, StatusRecord } from '../domain/status';
import { METRIC_NAMES, RECEIPTS_REJECTED_HELP } from '../observability/metrics';
import {
  cancelSignal,
  dlrSignal,
  feedbackSignal,
  statusQuery,
  type DeliverMessageInput,
  type StartMessageInput,
} from './definitions';
import { readHealth, reportNoReceipt, reportReceipt, reportSend } from './health-report';
import { withDefaults } from './input-compat';
import { MessageHealth } from './message-health';
import { MessageState, type SendStep } from './message-state';
import { MessageOptOuts } from './opt-out-check';
import { MessagePumping } from './message-pumping';
import { waitAfterSlot } from './pacing';
import { nextStep, type NextStep } from './planner';
import { indexAttempt, indexStatus, showProgress } from './progress';
import { REJECTIONS, type Rejection } from './receipt-rules';
import { hasPlan, resolveInput } from './resolve-plan';
import { routeChangedSignal } from './route-health-definitions';
import { sendFailureOf, sendOnRung } from './send-rung';
import { MessageWebhooks } from './webhook-notify';

// Feedback is idempotent: let Temporal retry it.
const { putMessageFeedback } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 5, initialInterval: '1s', nonRetryableErrorTypes: ['FeedbackRejected'] },
});

/** Listen for late receipts after the last rung failed by timeout (added after the first release). */
const LATE_RECEIPTS_PATCH = 'late-receipts-after-last-rung';

export async function deliverMessage(started: StartMessageInput): Promise<StatusRecord> {
  // The request alone: the worker resolves the plan first, recorded (./resolve-plan.ts); with the plan, no await.
  const planned = hasPlan(started) ? { input: started } : await resolveInput(started);
  if ('ended' in planned) return planned.ended;
  const input = withDefaults(planned.input);
  const state = new MessageState(input, workflowInfo().workflowId, Date.now());
  // Route health only when the plan has it on: decided from the input, so every history replays the same way.
  const health = input.plan.policy.routeHealth
    ? new MessageHealth(input.plan, state.record, input.probe === true)
    : undefined;
  setHandler(statusQuery, () => state.record);
  setHandler(dlrSignal, (dlr) => {
    const attempt = state.record.attempts[dlr.attempt - 1];
    const before = attempt?.state;
    const rejection = state.onDlr(dlr, Date.now());
    if (rejection !== undefined) receiptRejected(dlr, rejection);
    if (
      health &&
      attempt &&
      attempt.state !== before &&
      (attempt.state === 'delivered' || attempt.state === 'failed')
    ) {
      reportReceipt(state.plan, attempt, Date.now(), health.probe, dlr.eventTimestamp);
    }
  });
  if (health) {
    setHandler(routeChangedSignal, ({ entry }) => health.onRouteChanged(entry, state.record.attempts.at(-1)));
  }
  // The pumping guard only when the plan has it (docs/pumping.md): decided from the input, so old histories replay.
  const pumping = input.plan.pumping ? new MessagePumping(input.plan.pumping.subject) : undefined;
  setHandler(feedbackSignal, (feedback) => {
    state.onFeedback(feedback);
    pumping?.onFeedback(feedback);
  });
  setHandler(cancelSignal, (cancel) => state.onCancel(cancel));

  // Only with plan.webhook (new messages): status notifications, each a child workflow the message never waits on.
  const webhooks = new MessageWebhooks(input.plan.webhook, {
    idempotencyKey: input.idempotencyKey,
    workflowId: state.record.workflowId,
    useCase: input.plan.policy.useCase,
  });
  let ladderStatus: MessageStatus = 'FAILED';
  try {
    const optOuts = new MessageOptOuts(input.plan, input.request.destination);
    const guardStop = await pumping?.beforeFirstSend();
    ladderStatus = guardStop
      ? await stop(state, { kind: 'stop', status: 'STOPPED', reason: guardStop })
      : await climbLadder(state, input, health, optOuts, webhooks, pumping);
  } catch (err) {
    if (!isCancellation(err)) throw err;
    state.onWorkflowCancelled();
  }
  return CancellationScope.nonCancellable(() => finish(state, ladderStatus, webhooks));
}

/**
 * A receipt the trust rules refused: counted in the record (`rejectedEvents`), logged, and counted in
 * `rsms_receipts_rejected_total{stage="workflow"}` (workflow metrics are not emitted on replay).
 */
function receiptRejected(dlr: DlrSignal, rejection: Rejection): void {
  const origin = dlr.origin ? `${dlr.origin.account}/${dlr.origin.region}` : 'unknown';
  log.warn('delivery receipt rejected', { attempt: dlr.attempt, reason: REJECTIONS[rejection], origin });
  metricMeter
    .createCounter(METRIC_NAMES.receiptsRejected, undefined, RECEIPTS_REJECTED_HELP)
    .add(1, { stage: 'workflow', reason: rejection, route: origin });
}

/** Sends rung after rung until the message ends or the planner stops; returns the planner's status. */
async function climbLadder(
  state: MessageState,
  input: DeliverMessageInput,
  health: MessageHealth | undefined,
  optOuts: MessageOptOuts,
  webhooks: MessageWebhooks,
  pumping?: MessagePumping,
): Promise<MessageStatus> {
  for (;;) {
    if (state.ended()) return 'FAILED';
    if (health) await readHealth(health); // before every rung: what the other messages learnt meanwhile
    await pumping?.beforeStep(state.record.attempts.at(-1)); // after a spend limit: is the guard tripped?
    if (state.ended()) return 'FAILED';
    const step = nextStep(state.plan, state.plannerView(), Date.now(), health?.view(), pumping?.view());
    if (step.kind === 'stop') return stop(state, step);
    state.aimAt(step);
    health?.notePassed(step, state.record.attempts.length + 1, Date.now());
    if (step.delayMs > 0 && !(await holdRung(state, step))) return 'FAILED';
    // Only with plan.optOuts (new messages): the account x Region's opt-out lists before its first SMS/voice send.
    const refusal = await optOuts.refusalBefore(state.plan.rungs[step.rungIndex]);
    if (state.ended()) return 'FAILED';
    const attempt = state.startAttempt(step, Date.now());
    webhooks.escalated(state.record, attempt.attempt);
    if (refusal) {
      state.sendFailed(attempt, refusal, Date.now());
      indexAttempt(state, attempt);
      showProgress(state.plan, attempt, refusal.message);
      await optOuts.afterAttempt(attempt, 'list-check');
      continue;
    }
    const accepted = await send(state, input, attempt);
    await optOuts.afterAttempt(attempt, 'send-conflict');
    if (!accepted) continue; // refused: nothing was sent, ask the planner again
    if (!(await awaitOutcome(state, attempt, health))) return 'FAILED';
  }
}

/** Sends the attempt; true when its outcome is to be awaited (accepted, or maybe accepted). */
async function send(state: MessageState, input: DeliverMessageInput, attempt: AttemptRecord): Promise<boolean> {
  indexAttempt(state, attempt);
  showProgress(state.plan, attempt, 'sending');
  log.info('sending', { attempt: attempt.attempt, route: attempt.routeId, level: attempt.level });
  try {
    const rung = state.plan.rungs[attempt.rungIndex];
    const stepLeftMs = state.waitWithinDeadline(state.policy.stepWaitMs, Date.now());
    const result = await sendOnRung(rung, attempt, { ...input, workflowId: state.record.workflowId, stepLeftMs });
    state.sendAccepted(attempt, result);
    if (state.plan.policy.routeHealth) reportSend(state.plan, attempt, {}, Date.now(), input.probe === true);
    return true;
  } catch (err) {
    const failure = sendFailureOf(err, state.plan.rungs[attempt.rungIndex]);
    state.sendFailed(attempt, failure, Date.now());
    if (state.plan.policy.routeHealth) reportSend(state.plan, attempt, { failure }, Date.now(), input.probe === true);
    return failure.ambiguous;
  }
}

/**
 * Waits for the first of: a receipt settling this attempt, success anywhere, feedback, cancel, the step's
 * timeout. False when the message ended or the deadline passed.
 */
async function awaitOutcome(
  state: MessageState,
  attempt: AttemptRecord,
  health: MessageHealth | undefined,
): Promise<boolean> {
  // A paced send's wait for its slot counted against the step (./pacing.ts); other rungs wait the full step.
  const waitMs = waitAfterSlot(
    state.plan.rungs[attempt.rungIndex],
    state.beginWait(attempt),
    attempt.startedAt,
    Date.now(),
  );
  showProgress(state.plan, attempt, state.record.reason);
  const settled = await condition(
    () => state.ended() || state.attemptFailed(attempt) || health?.woken(attempt) === true,
    state.waitWithinDeadline(waitMs, Date.now()),
  );
  if (state.ended()) return false;
  state.applyFeedbackFailed(attempt, Date.now());
  // The attempt's route opened or was drained while it waited: move on now rather than sit out the step.
  health?.applyWake(attempt, Date.now());
  if (!settled) {
    if (state.deadlinePassed(Date.now())) {
      state.note('deadline passed without a delivery');
      return false;
    }
    // Silent filtering is an accepted send without a receipt. An ambiguous one (the send timed out, maybe in a stalled
    // worker) was counted as a send error already, and was never counted as awaiting a receipt.
    const unanswered = attempt.state === 'sent';
    state.stepTimedOut(attempt, waitMs, Date.now());
    if (health && unanswered) reportNoReceipt(state.plan, attempt, Date.now(), health.probe);
  }
  return true;
}

/** Waits out the step's delay (backoff, quiet hours); false when the message ended or the deadline passed. */
async function holdRung(state: MessageState, step: SendStep): Promise<boolean> {
  state.note(`waiting ${Math.round(step.delayMs / 1000)}s: ${step.why}`);
  await condition(() => state.ended(), state.waitWithinDeadline(step.delayMs, Date.now()));
  if (state.ended()) return false;
  if (state.deadlinePassed(Date.now())) {
    state.note('deadline passed');
    return false;
  }
  return true;
}

/**
 * The planner stopped. Nothing more will be sent, but a send that timed out may still be delivered: rather
 * than close the workflow and let the ingester drop a DELIVERED receipt on the floor, listen until the deadline.
 */
async function stop(state: MessageState, step: Extract<NextStep, { kind: 'stop' }>): Promise<MessageStatus> {
  state.note(step.reason);
  if (
    step.status === 'FAILED' &&
    state.mayStillGetReceipt() &&
    !state.deadlinePassed(Date.now()) &&
    patched(LATE_RECEIPTS_PATCH)
  ) {
    state.note(`${step.reason}; no more sends, listening for late receipts until the deadline`);
    showProgress(state.plan, undefined, state.record.reason);
    await condition(() => state.ended(), state.deadlineAt - Date.now());
    if (!state.ended()) state.note(`${step.reason}; no late receipt before the deadline`);
  }
  return step.status;
}

/** Settles the final status (after the feedback grace, if any), records message feedback, closes. */
async function finish(
  state: MessageState,
  ladderStatus: MessageStatus,
  webhooks: MessageWebhooks,
): Promise<StatusRecord> {
  const delivered = state.firstDelivered();
  let status = state.finalStatus(ladderStatus);
  if (state.listensForFeedback(status)) {
    state.startFeedbackGrace(delivered);
    indexStatus('DELIVERED');
    showProgress(state.plan, undefined, state.record.reason);
    await condition(() => state.feedbackGraceOver(), state.policy.feedbackGraceMs);
    if (state.confirmed()) status = 'CONFIRMED';
  }

  const feedback = state.finish(status, delivered, Date.now());
  await Promise.all(
    feedback.map(async (f) => {
      try {
        await putMessageFeedback(f.input);
        state.feedbackRecorded(f);
      } catch (err) {
        log.warn('message feedback not recorded', { attempt: f.attempt.attempt, error: (err as Error).message });
      }
    }),
  );

  const record = state.close(status, Date.now());
  indexStatus(status);
  showProgress(state.plan, undefined, `${status}: ${record.reason}`);
  await webhooks.final(record); // waits for the notification's start only, never for the receiver
  return record;
}
