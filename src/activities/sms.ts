/**
 * SMS activities over AWS End User Messaging SMS (`SendTextMessage`, `PutMessageFeedback`).
 *
 * `sendSms` is not idempotent (the service has no idempotency token), so every failure is thrown as a
 * *non-retryable* `ApplicationFailure` of type `SEND_FAILURE_TYPE` whose `details[0]` is the `ClassifiedFailure`:
 * the workflow's planner, not Temporal's retry policy, decides whether and where to send again.
 *
 * Nothing here logs or reports a phone number or a message body.
 */
import { PutMessageFeedbackCommand, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { ApplicationFailure } from '@temporalio/common';
import { classifySendError } from '../domain/outcome';
import { attemptContext, type PutFeedbackInput, type SendResult, type SendSmsInput } from '../domain/sending';
import { activityLog, routeMeta } from './log';
import { sendOnce } from './send-once';
import { toSendErrorInfo } from './sdk-errors';
import type { SmsClientRegistry } from '../aws/registries';

/** `ApplicationFailure.type` of a feedback call the service refused for good (unknown message id, no access...). */
export const FEEDBACK_REJECTED_TYPE = 'FeedbackRejected';

export interface SmsActivityDeps {
  smsClient: SmsClientRegistry;
  /** Clock for `SendResult.acceptedAt` (epoch ms). Default `Date.now`. */
  now?: () => number;
}

export { sendFailure } from '../domain/sending';

/** Errors worth retrying for an idempotent call: throttling, server errors, and no response at all. */
function isTransient(err: unknown): boolean {
  const info = toSendErrorInfo(err);
  if (info.name === 'ThrottlingException' || info.name === 'InternalServerException') return true;
  if (info.httpStatus === undefined) return true; // network error / timeout: nothing definitive came back
  return info.httpStatus >= 500 || info.httpStatus === 429;
}

export function createSmsActivities(deps: SmsActivityDeps) {
  const now = deps.now ?? Date.now;

  function sendSms(input: SendSmsInput): Promise<SendResult> {
    const client = deps.smsClient(input.route);
    return sendOnce({
      label: 'SMS',
      meta: { ...routeMeta(input.route), workflowId: input.workflowId, attempt: input.attempt },
      call: async () => {
        const out = await client.send(
          new SendTextMessageCommand({
            DestinationPhoneNumber: input.destination,
            OriginationIdentity: input.originationIdentity,
            MessageBody: input.body,
            MessageType: input.messageType,
            ConfigurationSetName: input.route.configurationSet,
            MaxPrice: input.maxPrice,
            TimeToLive: input.ttlSeconds,
            Context: attemptContext(input),
            MessageFeedbackEnabled: input.feedbackEnabled,
            ProtectConfigurationId: input.protectConfigurationId,
            Keyword: input.keyword,
            DestinationCountryParameters: input.destinationCountryParameters,
            DryRun: input.dryRun,
          }),
        );
        return out.MessageId;
      },
      toInfo: (err) => toSendErrorInfo(err, { destination: input.destination, body: input.body }),
      classify: classifySendError,
      now,
    });
  }

  async function putMessageFeedback(input: PutFeedbackInput): Promise<void> {
    const client = deps.smsClient(input.route);
    const meta = { ...routeMeta(input.route), messageId: input.messageId, status: input.status };
    try {
      await client.send(
        new PutMessageFeedbackCommand({ MessageId: input.messageId, MessageFeedbackStatus: input.status }),
      );
    } catch (err) {
      if (isTransient(err)) {
        // Idempotent: let Temporal's retry policy try again.
        activityLog.warn('PutMessageFeedback failed, will be retried', { ...meta, error: toSendErrorInfo(err).name });
        throw err;
      }
      const info = toSendErrorInfo(err);
      activityLog.error('PutMessageFeedback rejected', { ...meta, error: info.name, reason: info.reason });
      throw ApplicationFailure.create({
        type: FEEDBACK_REJECTED_TYPE,
        message: `feedback rejected (${info.reason ? `${info.name}/${info.reason}` : info.name}): ${info.message}`,
        nonRetryable: true,
        details: [{ name: info.name, reason: info.reason, httpStatus: info.httpStatus }],
      });
    }
    activityLog.debug('Message feedback recorded', meta);
  }

  return { sendSms, putMessageFeedback };
}
