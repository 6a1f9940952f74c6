/**
 * Push through SNS mobile push: `Publish` to the recipient's platform endpoint ARN, with `MessageStructure: json` and
 * a payload per platform (FCM v1 for `GCM`, APNs for `APNS` / `APNS_SANDBOX`, `default` for the rest). The workflow
 * id and attempt travel in the notification's data, not its visible text.
 *
 * Success signal: acceptance (SNS `MessageId`). Not idempotent (a second call notifies twice): every failure is a
 * non-retryable `SendFailure` (see `channel-errors.ts` for the table). Never logs the title or body.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { attemptContext, type SendPushInput, type SendResult } from '../domain/sending';
import type { ChannelClientResolver } from '../aws/registries';
import { classifyPushError } from './channel-errors';
import { runChannelSend } from './channel-send';

export interface PushActivityDeps {
  pushClient?: ChannelClientResolver<SNSClient>;
  now?: () => number;
}

/** The SNS `Message` for `MessageStructure: json`: each platform's payload as a JSON string. */
export function pushMessage(input: SendPushInput): string {
  const data = attemptContext(input);
  const apns = JSON.stringify({ aps: { alert: { title: input.title, body: input.body } }, ...data });
  return JSON.stringify({
    default: `${input.title}: ${input.body}`,
    GCM: JSON.stringify({
      fcmV1Message: { message: { notification: { title: input.title, body: input.body }, data } },
    }),
    APNS: apns,
    APNS_SANDBOX: apns,
  });
}

export function createPushActivities(deps: PushActivityDeps) {
  const now = deps.now ?? Date.now;

  async function sendPush(input: SendPushInput): Promise<SendResult> {
    return runChannelSend({
      target: input.target,
      workflowId: input.workflowId,
      attempt: input.attempt,
      resolver: deps.pushClient,
      label: 'Push',
      now,
      classify: classifyPushError,
      secrets: { texts: [input.title, input.body] },
      send: async (client) => {
        const out = await client.send(
          new PublishCommand({ TargetArn: input.endpointArn, MessageStructure: 'json', Message: pushMessage(input) }),
        );
        return out.MessageId;
      },
    });
  }

  return { sendPush };
}
