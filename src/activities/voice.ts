/**
 * Voice through AWS End User Messaging `SendVoiceMessage`: the same SMS v2 client, routes, error classification
 * and delivery-receipt path (VOICE_* events carrying our `Context`) as SMS.
 *
 * Like `sendSms`, the call is not idempotent (a second call rings the phone again): every failure is thrown as a
 * non-retryable `SendFailure` with the `ClassifiedFailure` in `details[0]`. Nothing here logs or reports a phone
 * number or what is spoken.
 */
import { SendVoiceMessageCommand, type VoiceId } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { classifySendError } from '../domain/outcome';
import { attemptContext, type SendResult, type SendVoiceInput } from '../domain/sending';
import { toSendErrorInfo } from './sdk-errors';
import { sendOnce } from './send-once';
import { routeMeta } from './log';
import type { SmsClientRegistry } from '../aws/registries';

export interface VoiceActivityDeps {
  /** The SMS v2 client of a route (one per account x Region): voice uses the same service. */
  smsClient: SmsClientRegistry;
  /** Clock for `SendResult.acceptedAt` (epoch ms). Default `Date.now`. */
  now?: () => number;
}

export function createVoiceActivities(deps: VoiceActivityDeps) {
  const now = deps.now ?? Date.now;

  function sendVoice(input: SendVoiceInput): Promise<SendResult> {
    const client = deps.smsClient(input.route);
    return sendOnce({
      label: 'Voice',
      meta: {
        channel: 'voice',
        ...routeMeta(input.route),
        workflowId: input.workflowId,
        attempt: input.attempt,
      },
      call: async () => {
        const out = await client.send(
          new SendVoiceMessageCommand({
            DestinationPhoneNumber: input.destination,
            OriginationIdentity: input.originationIdentity,
            MessageBody: input.text,
            MessageBodyTextType: input.textType,
            // The API's enum is upper case (JOANNA); accept the Polly spelling (Joanna) from the config.
            VoiceId: input.voiceId?.toUpperCase() as VoiceId | undefined,
            ConfigurationSetName: input.route.configurationSet,
            MaxPricePerMinute: input.maxPrice,
            TimeToLive: input.ttlSeconds,
            Context: attemptContext(input),
            MessageFeedbackEnabled: input.feedbackEnabled,
            ProtectConfigurationId: input.protectConfigurationId,
          }),
        );
        return out.MessageId;
      },
      toInfo: (err) => toSendErrorInfo(err, { destination: input.destination, body: input.text }),
      classify: classifySendError,
      now,
    });
  }

  return { sendVoice };
}
