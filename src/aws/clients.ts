/**
 * Construction of every AWS client we use, one function each:
 * - SMS and voice: AWS End User Messaging SMS (`@aws-sdk/client-pinpoint-sms-voice-v2`);
 * - WhatsApp: AWS End User Messaging Social (`@aws-sdk/client-socialmessaging`);
 * - email: SES v2 (`@aws-sdk/client-sesv2`);
 * - push: SNS mobile push (`@aws-sdk/client-sns`);
 * - DLR queues: SQS (`@aws-sdk/client-sqs`), for the ingester and its gauges.
 *
 * Every send client has `maxAttempts: 1`: `SendTextMessage` has no idempotency token and none of the other sends
 * is idempotent either (a retried `SendEmail` after a lost response mails the user twice), so the SDK must never
 * re-send on its own (it would after a 500, a throttle or a reset connection). The activity classifies every
 * failure and the workflow's planner decides whether, where and when to send again.
 */
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../domain/config';
import { ownValue } from '../domain/own';
import { credentialsFor, type AwsCredentials } from './credentials';
import { longPollRequestHandler, sendRequestHandler, type RequestTimeouts } from './http-handler';

export interface SendClientOptions extends RequestTimeouts {
  region: string;
  /** Endpoint override (the local simulator, an emulator, a VPC endpoint). Default: the public endpoint of `region`. */
  endpoint?: string;
  /** Static credentials or a provider (`fromTemporaryCredentials` for a secondary account). Default: the default chain. */
  credentials?: AwsCredentials;
}

/** The configuration every send client shares: Region, endpoint, credentials, `maxAttempts: 1`, timeouts. */
function sendClientConfig(opts: SendClientOptions) {
  return {
    region: opts.region,
    ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
    ...(opts.credentials !== undefined ? { credentials: opts.credentials } : {}),
    maxAttempts: 1,
    requestHandler: sendRequestHandler(opts),
  };
}

/** SMS v2 client for one (account, Region): `SendTextMessage`, `SendVoiceMessage`, `PutMessageFeedback`. */
export function createSmsClient(opts: SendClientOptions): PinpointSMSVoiceV2Client {
  return new PinpointSMSVoiceV2Client(sendClientConfig(opts));
}

/** End User Messaging Social client (`SendWhatsAppMessage`). */
export function createWhatsAppClient(opts: SendClientOptions): SocialMessagingClient {
  return new SocialMessagingClient(sendClientConfig(opts));
}

/** SES v2 client (`SendEmail`). */
export function createEmailClient(opts: SendClientOptions): SESv2Client {
  return new SESv2Client(sendClientConfig(opts));
}

/** SNS client for mobile push (`Publish` to a platform endpoint). */
export function createPushClient(opts: SendClientOptions): SNSClient {
  return new SNSClient(sendClientConfig(opts));
}

/** SQS client of a DLR queue (its Region, endpoint and account credentials) for long polls of `waitTimeSeconds`. */
export function createSqsClient(config: Config, q: Config['dlrQueues'][number], waitTimeSeconds: number): SQSClient {
  const account = ownValue(config.accounts, q.account);
  return new SQSClient({
    region: q.region,
    ...(q.endpoint !== undefined ? { endpoint: q.endpoint } : {}),
    ...(account ? { credentials: credentialsFor(account, q.region) } : {}),
    requestHandler: longPollRequestHandler(waitTimeSeconds),
  });
}
