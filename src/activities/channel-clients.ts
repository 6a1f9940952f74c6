/**
 * Clients of the alternate channels, built once by the worker and injected into the activities:
 * - WhatsApp: AWS End User Messaging Social (`@aws-sdk/client-socialmessaging`);
 * - email: SES v2 (`@aws-sdk/client-sesv2`);
 * - push: SNS mobile push (`@aws-sdk/client-sns`).
 * (Voice goes through the SMS v2 client of its route: see `sms-clients.ts`.)
 *
 * Like the SMS client, every client here has `maxAttempts: 1`: none of these sends is idempotent (a retried
 * `SendEmail` after a lost response mails the user twice), so the SDK never re-sends on its own and the planner
 * decides. No import from `src/workers`: the worker resolves credentials and passes them in.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { ChannelTarget } from '../domain/sending';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, type SmsClientOptions } from './sms-clients';

/** Same options as an SMS client: Region, endpoint override (an emulator), credentials, timeouts. */
export type ChannelClientOptions = SmsClientOptions;

function requestHandler(opts: ChannelClientOptions): NodeHttpHandler {
  const agentOptions = { keepAlive: true, maxSockets: 50 };
  return new NodeHttpHandler({
    requestTimeout: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    // Without it a hung endpoint only logs a warning and holds the activity until its start-to-close timeout.
    throwOnRequestTimeout: true,
    connectionTimeout: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    httpAgent: new HttpAgent(agentOptions),
    httpsAgent: new HttpsAgent(agentOptions),
  });
}

function common(opts: ChannelClientOptions) {
  return {
    region: opts.region,
    ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
    ...(opts.credentials !== undefined ? { credentials: opts.credentials } : {}),
    maxAttempts: 1,
    requestHandler: requestHandler(opts),
  };
}

/** End User Messaging Social client (`SendWhatsAppMessage`), `maxAttempts: 1`. */
export function createWhatsAppClient(opts: ChannelClientOptions): SocialMessagingClient {
  return new SocialMessagingClient(common(opts));
}

/** SES v2 client (`SendEmail`), `maxAttempts: 1`. */
export function createEmailClient(opts: ChannelClientOptions): SESv2Client {
  return new SESv2Client(common(opts));
}

/** SNS client for mobile push (`Publish` to a platform endpoint), `maxAttempts: 1`. */
export function createPushClient(opts: ChannelClientOptions): SNSClient {
  return new SNSClient(common(opts));
}

/** Resolves the client of a channel target (account x Region); one client each, built once. */
export type ChannelClientResolver<C> = (target: ChannelTarget) => C;

/** What the channel activities get injected; a channel the worker has no config for is absent. */
export interface ChannelClients {
  whatsapp?: ChannelClientResolver<SocialMessagingClient>;
  email?: ChannelClientResolver<SESv2Client>;
  push?: ChannelClientResolver<SNSClient>;
}

/** Thrown by a resolver for a channel target this worker cannot serve; carried like any classified failure. */
export function channelNotConfigured(target: ChannelTarget, why: string) {
  return {
    scope: 'config' as const,
    reason: 'CHANNEL_NOT_CONFIGURED',
    message: `${target.channel} (${target.account}/${target.region}) ${why}`,
    retryable: false,
    ambiguous: false,
  };
}
