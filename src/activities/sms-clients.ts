/**
 * AWS End User Messaging SMS clients (`@aws-sdk/client-pinpoint-sms-voice-v2`), one per (account, Region),
 * built once by the worker and injected into the activities.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { PinpointSMSVoiceV2Client, type PinpointSMSVoiceV2ClientConfig } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { RouteRef } from '../domain/sending';

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;

export interface SmsClientOptions {
  region: string;
  /** Endpoint override (the local simulator, a VPC endpoint). Default: the public endpoint of `region`. */
  endpoint?: string;
  /** Static credentials or a provider (`fromTemporaryCredentials` for a secondary account). Default: the default chain. */
  credentials?: PinpointSMSVoiceV2ClientConfig['credentials'];
  /** Whole request + response budget; exceeding it fails the call with `TimeoutError` / `ETIMEDOUT`. Default 10 s. */
  requestTimeoutMs?: number;
  /** Budget for establishing the TCP (and TLS) connection. Default 3 s. */
  connectTimeoutMs?: number;
}

/**
 * Build an SMS v2 client for one (account, Region).
 *
 * `maxAttempts: 1`: `SendTextMessage` has no idempotency token, so the SDK must never re-send on its own (it
 * would after a 500, a throttle or a reset connection). The activity classifies every failure and the workflow's
 * planner decides whether, where and when to send again.
 */
export function createSmsClient(opts: SmsClientOptions): PinpointSMSVoiceV2Client {
  const agentOptions = { keepAlive: true, maxSockets: 50 };
  const requestHandler = new NodeHttpHandler({
    requestTimeout: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    // Without this flag @smithy/node-http-handler only *logs a warning* when requestTimeout is exceeded and keeps
    // waiting: a hung endpoint would then hold the activity until its start-to-close timeout.
    throwOnRequestTimeout: true,
    connectionTimeout: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    httpAgent: new HttpAgent(agentOptions),
    httpsAgent: new HttpsAgent(agentOptions),
  });
  return new PinpointSMSVoiceV2Client({
    region: opts.region,
    ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
    ...(opts.credentials !== undefined ? { credentials: opts.credentials } : {}),
    maxAttempts: 1,
    requestHandler,
  });
}

/** Resolves the client for a route: one client per (account, Region), built once by the worker. */
export type SmsClientRegistry = (route: RouteRef) => PinpointSMSVoiceV2Client;

/**
 * Convenience: a registry that builds a client the first time an (account, Region) pair is asked for, then reuses
 * it. `build` typically looks the account's credentials / endpoint up in the config and calls `createSmsClient`.
 */
export function cachingSmsClientRegistry(
  build: (account: string, region: string) => PinpointSMSVoiceV2Client,
): SmsClientRegistry & { destroyAll(): void } {
  const clients = new Map<string, PinpointSMSVoiceV2Client>();
  const registry = (route: RouteRef): PinpointSMSVoiceV2Client => {
    const key = `${route.account}\u0000${route.region}`;
    let client = clients.get(key);
    if (!client) {
      client = build(route.account, route.region);
      clients.set(key, client);
    }
    return client;
  };
  return Object.assign(registry, {
    destroyAll(): void {
      for (const client of clients.values()) client.destroy();
      clients.clear();
    },
  });
}
