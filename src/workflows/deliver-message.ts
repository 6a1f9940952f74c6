/**
 * deliverMessage: one durable workflow per message. Send on the current rung, wait for the first of
 * a final receipt (for this attempt or any earlier one), the app's feedback, a cancel, or the step's
 * timeout; then ask the planner what comes next. Deterministic code only: all I/O is in activities.
 */
import {
  type ActivityOptions,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { DlrSignal } from '../domain/delivery-event';
import { classifyDlrFailure, statusClass, type ClassifiedFailure } from '../domain/outcome';
import { maskPhone } from '../domain/privacy';
import { progressAttributes, SMS_STATUS } from '../domain/search-attributes';
import { SEND_FAILURE_TYPE, type SendResult } from '../domain/sending';
import type { Channel } from '../domain/config';
import type { EscalationLevel, Rung } from '../domain/plan';
import type { AttemptRecord, MessageStatus, StatusRecord } from '../domain/status';
import { cancelSignal, dlrSignal, feedbackSignal, statusQuery, type DeliverMessageInput } from './definitions';
import { FEEDBACK_FAILED, nextStep, STEP_TIMEOUT, type PlannerAttempt } from './planner';

type Activities = ReturnType<typeof createActivities>;

// The send is not idempotent: one try per activity; the planner decides about any retry.
const SEND_OPTIONS: ActivityOptions = { startToCloseTimeout: '30s', retry: { maximumAttempts: 1 } };
const { sendSms, sendVoice, sendWhatsApp, sendEmail, sendPush } = proxyActivities<Activities>(SEND_OPTIONS);
// Feedback is idempotent: let Temporal retry it.
const { putMessageFeedback } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 5, initialInterval: '1s', nonRetryableErrorTypes: ['FeedbackRejected'] },
});

/** Listen for late receipts after the last rung failed by timeout (added after the first release). */
const LATE_RECEIPTS_PATCH = 'late-receipts-after-last-rung';

/** Channels whose delivery receipts come back through the DLR queues (End User Messaging events). */
const HAS_RECEIPTS = new Set<Channel>(['sms', 'voice']);

/** Attempt states in which a send happened or may have happened. */
const MAYBE_SENT = new Set<AttemptRecord['state']>([
  'sent',
  'unknown',
  'delivered',
  'failed',
  'timed-out',
  'superseded',
]);

const LEVEL_ORDER: EscalationLevel[] = ['initial', 'originator', 'account', 'region', 'channel'];
function higherLevel(a: EscalationLevel, b: EscalationLevel): EscalationLevel {
  return LEVEL_ORDER.indexOf(a) >= LEVEL_ORDER.indexOf(b) ? a : b;
}

function failureFromActivityError(err: unknown): ClassifiedFailure {
  if (err instanceof ActivityFailure) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && cause.type === SEND_FAILURE_TYPE && cause.details?.[0]) {
      return cause.details[0] as ClassifiedFailure;
    }
    if (cause instanceof TimeoutFailure) {
      // The worker may have died after the request left: the outcome is unknown.
      return {
        scope: 'region',
        reason: 'ACTIVITY_TIMEOUT',
        message: 'send activity timed out, outcome unknown',
        retryable: false,
        ambiguous: true,
      };
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  return { scope: 'region', reason: 'SEND_ERROR', message, retryable: false, ambiguous: true };
}

/**
 * Inputs recorded before a field existed replay with that field's neutral default (messages wait up
 * to 72 hours: histories from the previous release must keep working).
 */
function withDefaults(input: DeliverMessageInput): DeliverMessageInput {
  const { plan, request } = input;
  return {
    ...input,
    request: {
      ...request,
      content: request.content ?? {
        voice: { text: request.body, textType: 'TEXT' },
        email: { subject: request.body.slice(0, 78), text: request.body },
        push: { title: plan.policy.useCase, body: request.body },
        whatsapp: { parameters: [request.body] },
      },
    },
    plan: {
      ...plan,
      timeZones: plan.timeZones ?? [],
      skipped: plan.skipped,
      policy: {
        ...plan.policy,
        channelsAfterOptOut: plan.policy.channelsAfterOptOut ?? [],
        quietHours: plan.policy.quietHours ?? [],
      },
    },
  };
}

export async function deliverMessage(rawInput: DeliverMessageInput): Promise<StatusRecord> {
  const input = withDefaults(rawInput);
  const { plan, request } = input;
  const policy = plan.policy;
  const startedAt = Date.now();
  const deadlineAt = startedAt + policy.deadlineMs;

  const record: StatusRecord = {
    workflowId: workflowInfo().workflowId,
    idempotencyKey: input.idempotencyKey,
    useCase: policy.useCase,
    country: plan.country,
    destination: maskPhone(request.destination),
    status: 'IN_PROGRESS',
    reason: 'starting',
    attempts: [],
    needlessAttempts: [],
    duplicateEvents: 0,
    unmatchedEvents: 0,
    skipped: plan.skipped,
    startedAt,
  };
  const seenEvents = new Set<string>();
  let feedbackReceived = false;
  let feedbackFailedFor: number | undefined;
  let cancelReason: string | undefined;

  const firstDelivered = (): AttemptRecord | undefined => record.attempts.find((a) => a.state === 'delivered');
  const succeeded = (): boolean =>
    feedbackReceived || (policy.success !== 'feedback' && firstDelivered() !== undefined);
  const ended = (): boolean => succeeded() || cancelReason !== undefined;

  setHandler(statusQuery, () => record);

  setHandler(dlrSignal, (dlr: DlrSignal) => {
    const attempt = record.attempts[dlr.attempt - 1];
    if (!attempt || (attempt.messageId !== undefined && attempt.messageId !== dlr.messageId)) {
      record.unmatchedEvents++;
      return;
    }
    const key = `${dlr.eventType}|${dlr.status}|${dlr.eventTimestamp}`;
    if (seenEvents.has(`${dlr.attempt}|${key}`)) {
      record.duplicateEvents++;
      return;
    }
    seenEvents.add(`${dlr.attempt}|${key}`);
    // A receipt may arrive before the send activity's result (or after an ambiguous send): learn the id.
    attempt.messageId ??= dlr.messageId;
    attempt.events.push({ type: dlr.eventType, status: dlr.status, at: dlr.eventTimestamp, receivedAt: Date.now() });
    if (dlr.price !== undefined) attempt.price = dlr.price;
    const cls = dlr.isFinal ? statusClass(dlr.status) : 'intermediate';
    if (cls === 'intermediate') {
      if (attempt.state === 'sending' || attempt.state === 'sent' || attempt.state === 'unknown') {
        attempt.outcome = dlr.status;
      }
      return;
    }
    if (attempt.state === 'delivered' || (attempt.state === 'failed' && attempt.outcome !== FEEDBACK_FAILED)) {
      // A second, contradicting final receipt: the first one stands.
      record.duplicateEvents++;
      return;
    }
    attempt.finishedAt = Date.now();
    if (cls === 'success') {
      attempt.state = 'delivered';
      attempt.outcome = dlr.status;
      attempt.failure = undefined;
    } else {
      attempt.state = 'failed';
      attempt.outcome = dlr.eventType;
      attempt.failure = classifyDlrFailure(dlr.status, dlr.description);
    }
  });

  setHandler(feedbackSignal, ({ status }) => {
    if (status === 'RECEIVED') feedbackReceived = true;
    else feedbackFailedFor = record.attempts.length;
  });

  setHandler(cancelSignal, ({ reason }) => {
    cancelReason ??= reason ? `cancelled: ${reason}` : 'cancelled';
  });

  const plannerView = (): PlannerAttempt[] =>
    record.attempts.map((a) => ({
      rungIndex: a.rungIndex,
      sent: MAYBE_SENT.has(a.state),
      outcome: a.state === 'delivered' ? { kind: 'success' } : { kind: 'failure', failure: a.failure! },
      price: a.price,
    }));

  /** Runs the send activity of the rung's channel. */
  const send = (rung: Rung, attempt: AttemptRecord): Promise<SendResult> => {
    const options: ActivityOptions = {
      ...SEND_OPTIONS,
      // Shown on the activity in the Web UI's timeline; never personal data (not encrypted).
      summary: `attempt ${attempt.attempt} · ${attempt.level} · ${rung.channel} ${rung.account}/${rung.region} · ${rung.originatorType} ${rung.originator}`,
    };
    const common = { workflowId: record.workflowId, attempt: attempt.attempt, level: attempt.level };
    const route = {
      id: rung.routeId,
      account: rung.account,
      region: rung.region,
      configurationSet: rung.configurationSet,
    };
    switch (rung.channel) {
      case 'sms':
        return sendSms.executeWithOptions(options, [
          {
            ...common,
            route,
            originationIdentity: rung.originator,
            destination: request.destination,
            body: request.body,
            messageType: request.messageType,
            ttlSeconds: policy.ttlSeconds,
            maxPrice: policy.maxPrice,
            feedbackEnabled: policy.messageFeedback,
          },
        ]);
      case 'voice':
        return sendVoice.executeWithOptions(options, [
          {
            ...common,
            route,
            originationIdentity: rung.originator,
            destination: request.destination,
            text: request.content.voice.text,
            textType: request.content.voice.textType,
            voiceId: policy.voiceId,
            ttlSeconds: policy.ttlSeconds,
            maxPrice: policy.maxPrice,
            feedbackEnabled: policy.messageFeedback,
          },
        ]);
      case 'whatsapp':
        return sendWhatsApp.executeWithOptions(options, [
          {
            ...common,
            target: { channel: 'whatsapp', account: rung.account, region: rung.region },
            originationPhoneNumberId: rung.originator,
            destination: request.contacts!.whatsapp!,
            templateName: plan.whatsapp!.templateName,
            templateLanguage: plan.whatsapp!.templateLanguage,
            metaApiVersion: plan.whatsapp!.metaApiVersion,
            parameters: request.content.whatsapp.parameters,
          },
        ]);
      case 'email':
        return sendEmail.executeWithOptions(options, [
          {
            ...common,
            target: { channel: 'email', account: rung.account, region: rung.region },
            from: rung.originator,
            to: request.contacts!.email!,
            subject: request.content.email.subject,
            text: request.content.email.text,
            html: request.content.email.html,
            configurationSet: rung.configurationSet,
          },
        ]);
      case 'push':
        return sendPush.executeWithOptions(options, [
          {
            ...common,
            target: { channel: 'push', account: rung.account, region: rung.region },
            endpointArn: request.contacts!.pushEndpointArn!,
            title: request.content.push.title,
            body: request.content.push.body,
          },
        ]);
    }
  };

  /** What an operator sees in the Web UI: search attributes (no personal data) and the current details line. */
  const showProgress = (attempt: AttemptRecord | undefined, what: string) => {
    const head = `${plan.country} · ${policy.useCase}`;
    setCurrentDetails(
      attempt
        ? `${head} · attempt ${attempt.attempt} · ${attempt.channel} ${attempt.account}/${attempt.region} · ${what}`
        : `${head} · ${what}`,
    );
  };
  const indexProgress = (attempt: AttemptRecord) => {
    const attributes = progressAttributes({
      country: plan.country,
      useCase: policy.useCase,
      channel: attempt.channel,
      route: `${attempt.account}/${attempt.region}`,
      level: record.attempts.reduce((top, a) => higherLevel(top, a.level), 'initial' as EscalationLevel),
      attempts: attempt.attempt,
    });
    // The client set the first attempt's attributes at start: nothing to upsert (one event less per message).
    // Decided from the start event's attributes alone, so every history replays: one started by an older client
    // (without them) still upserts here, as it did.
    const current = workflowInfo().typedSearchAttributes;
    if (attempt.attempt === 1 && attributes.every((a) => current.get(a.key as typeof SMS_STATUS) === a.value)) return;
    upsertSearchAttributes(attributes);
  };

  let finalStatus: MessageStatus = 'FAILED';
  try {
    for (;;) {
      if (ended()) break;
      const step = nextStep(plan, plannerView(), Date.now());
      if (step.kind === 'stop') {
        finalStatus = step.status === 'DELIVERED' ? 'DELIVERED' : step.status;
        record.reason = step.reason;
        // Nothing more will be sent, but a send that timed out may still be delivered: its receipt can
        // come late (under load, or from a slow carrier). Listen until the deadline rather than close
        // the workflow and let the ingester drop a DELIVERED receipt on the floor.
        const mayStillArrive = record.attempts.some(
          (a) =>
            HAS_RECEIPTS.has(a.channel) && (a.state === 'timed-out' || a.state === 'sent' || a.state === 'unknown'),
        );
        if (finalStatus === 'FAILED' && mayStillArrive && Date.now() < deadlineAt && patched(LATE_RECEIPTS_PATCH)) {
          record.reason = `${step.reason}; no more sends, listening for late receipts until the deadline`;
          showProgress(undefined, record.reason);
          await condition(ended, deadlineAt - Date.now());
          if (!ended()) record.reason = `${step.reason}; no late receipt before the deadline`;
        }
        break;
      }
      const rung = plan.rungs[step.rungIndex];
      record.currentRung = step.rungIndex;
      record.currentLevel = rung.level;
      if (step.delayMs > 0) {
        record.reason = `waiting ${Math.round(step.delayMs / 1000)}s: ${step.why}`;
        await condition(ended, Math.max(0, Math.min(step.delayMs, deadlineAt - Date.now())));
        if (ended()) break;
        if (Date.now() >= deadlineAt) {
          record.reason = 'deadline passed';
          break;
        }
      }

      const attempt: AttemptRecord = {
        attempt: record.attempts.length + 1,
        rungIndex: step.rungIndex,
        channel: rung.channel,
        level: record.attempts.length === 0 ? 'initial' : rung.level,
        routeId: rung.routeId,
        account: rung.account,
        region: rung.region,
        originator: rung.originator,
        originatorType: rung.originatorType,
        state: 'sending',
        outcome: 'SENDING',
        startedAt: Date.now(),
        feedbackEnabled: policy.messageFeedback && HAS_RECEIPTS.has(rung.channel),
        events: [],
      };
      record.attempts.push(attempt);
      record.reason = step.why;
      indexProgress(attempt);
      showProgress(attempt, 'sending');
      log.info('sending', { attempt: attempt.attempt, route: rung.routeId, level: attempt.level });

      try {
        const result = await send(rung, attempt);
        attempt.messageId ??= result.messageId;
        attempt.sentAt = result.acceptedAt;
        if (attempt.state === 'sending') {
          attempt.state = 'sent';
          attempt.outcome = 'SENT';
          // WhatsApp, email and push have no receipts on our queues: acceptance is their success signal.
          if (!HAS_RECEIPTS.has(rung.channel) && policy.success !== 'feedback') {
            attempt.state = 'delivered';
            attempt.outcome = 'ACCEPTED';
            attempt.finishedAt = result.acceptedAt;
          }
        }
      } catch (err) {
        const failure = failureFromActivityError(err);
        if (attempt.state === 'sending') {
          attempt.failure = failure;
          attempt.outcome = failure.reason;
          attempt.finishedAt = Date.now();
          attempt.state = failure.ambiguous ? 'unknown' : 'send-failed';
        }
        if (!failure.ambiguous) continue;
      }

      // Wait for the first of: a receipt settling this attempt, success anywhere, feedback, cancel, timeout.
      const waitMs =
        attempt.state === 'unknown' ? Math.min(policy.ambiguousWaitMs, policy.stepWaitMs) : policy.stepWaitMs;
      record.reason =
        attempt.state === 'unknown'
          ? `send outcome unknown; waiting for a receipt before moving on`
          : policy.success === 'feedback'
            ? 'waiting for feedback'
            : 'waiting for the delivery receipt';
      showProgress(attempt, record.reason);
      const thisAttemptFailed = () =>
        attempt.state === 'failed' || (feedbackFailedFor !== undefined && feedbackFailedFor >= attempt.attempt);
      const settled = await condition(
        () => ended() || thisAttemptFailed(),
        Math.max(0, Math.min(waitMs, deadlineAt - Date.now())),
      );
      if (ended()) break;
      if (feedbackFailedFor !== undefined && attempt.state !== 'failed') {
        feedbackFailedFor = undefined;
        attempt.state = 'failed';
        attempt.outcome = FEEDBACK_FAILED;
        attempt.finishedAt = Date.now();
        attempt.failure = {
          scope: 'originator',
          reason: FEEDBACK_FAILED,
          message: 'the application reported the message was not received',
          retryable: false,
          ambiguous: false,
        };
      }
      if (!settled) {
        if (Date.now() >= deadlineAt) {
          record.reason = 'deadline passed without a delivery';
          break;
        }
        attempt.finishedAt = Date.now();
        if (attempt.state === 'unknown') {
          // Keep the ambiguous send's own failure (Region scope): the Region is treated as down.
          attempt.state = 'timed-out';
          attempt.outcome = `${attempt.failure?.reason ?? 'UNKNOWN'}_NO_RECEIPT`;
        } else {
          const deliveredNoFeedback = attempt.state === 'delivered';
          attempt.state = 'timed-out';
          attempt.outcome = STEP_TIMEOUT;
          attempt.failure = {
            scope: 'originator',
            reason: STEP_TIMEOUT,
            message: deliveredNoFeedback
              ? 'delivered but no feedback within the step'
              : `no final receipt within ${Math.round(waitMs / 1000)}s`,
            retryable: false,
            ambiguous: false,
          };
        }
      }
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    cancelReason ??= 'cancelled through Temporal';
  }

  return CancellationScope.nonCancellable(async () => {
    const delivered = firstDelivered();
    if (feedbackReceived) finalStatus = 'CONFIRMED';
    else if (policy.success !== 'feedback' && delivered) finalStatus = 'DELIVERED';
    else if (cancelReason !== undefined) finalStatus = 'CANCELLED';
    if (finalStatus === 'CANCELLED') record.reason = cancelReason!;

    // Keep listening for the user's feedback for a while after a delivery receipt, if asked to.
    if (finalStatus === 'DELIVERED' && policy.messageFeedback && policy.feedbackGraceMs > 0 && !cancelReason) {
      record.status = 'DELIVERED';
      record.reason = 'delivered; listening for feedback';
      upsertSearchAttributes([{ key: SMS_STATUS, value: 'DELIVERED' }]);
      showProgress(undefined, record.reason);
      await condition(() => feedbackReceived || cancelReason !== undefined, policy.feedbackGraceMs);
      if (feedbackReceived) finalStatus = 'CONFIRMED';
    }

    const winner = delivered ?? [...record.attempts].reverse().find((a) => a.messageId !== undefined);
    if (finalStatus === 'DELIVERED' || finalStatus === 'CONFIRMED') {
      const success = finalStatus === 'CONFIRMED' ? winner : delivered;
      record.successfulAttempt = success?.attempt;
      record.needlessAttempts = record.attempts
        .filter((a) => success && a.attempt > success.attempt && MAYBE_SENT.has(a.state))
        .map((a) => a.attempt);
      record.reason =
        finalStatus === 'CONFIRMED'
          ? 'the user acted on the message'
          : `delivered by attempt ${success?.attempt}` +
            (record.needlessAttempts.length
              ? `; later attempts ${record.needlessAttempts.join(', ')} were sent needlessly`
              : '');
    }
    for (const a of record.attempts) {
      if (a.state === 'sending' || a.state === 'sent' || a.state === 'unknown') {
        a.state = 'superseded';
        a.finishedAt ??= Date.now();
      }
    }

    // Message feedback: RECEIVED for the attempt the user acted on, FAILED for every other one
    // sent with feedback enabled (AWS would set them FAILED after an hour anyway; we are explicit).
    const feedbackCalls = record.attempts
      .filter((a) => a.feedbackEnabled && a.messageId !== undefined && HAS_RECEIPTS.has(a.channel))
      .map(async (a) => {
        const status = finalStatus === 'CONFIRMED' && a === winner ? 'RECEIVED' : 'FAILED';
        try {
          await putMessageFeedback({
            route: {
              id: a.routeId,
              account: a.account,
              region: a.region,
              configurationSet: plan.rungs[a.rungIndex]?.configurationSet,
            },
            messageId: a.messageId!,
            status,
          });
          a.feedback = status;
        } catch (err) {
          log.warn('message feedback not recorded', { attempt: a.attempt, error: (err as Error).message });
        }
      });
    await Promise.all(feedbackCalls);

    record.status = finalStatus;
    record.finishedAt = Date.now();
    upsertSearchAttributes([{ key: SMS_STATUS, value: finalStatus }]);
    showProgress(undefined, `${finalStatus}: ${record.reason}`);
    return record;
  });
}
