/**
 * The HTTP request handlers of our AWS clients: how long a call may take and how connections are reused.
 * - `sendRequestHandler`: the send clients (SMS/voice v2, SES v2, SNS, Social messaging), keep-alive agents and a
 *   request timeout that fails the call instead of letting it hang;
 * - `longPollRequestHandler`: the ingester's SQS client, whose ReceiveMessage legitimately waits up to
 *   WaitTimeSeconds.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;

export interface RequestTimeouts {
  /** Whole request + response budget; exceeding it fails the call with `TimeoutError` / `ETIMEDOUT`. Default 10 s. */
  requestTimeoutMs?: number;
  /** Budget for establishing the TCP (and TLS) connection. Default 3 s. */
  connectTimeoutMs?: number;
}

/** Keep-alive connections, at most 50 per host, for a client that sends one call per activity. */
export function sendRequestHandler(timeouts: RequestTimeouts): NodeHttpHandler {
  const agentOptions = { keepAlive: true, maxSockets: 50 };
  return new NodeHttpHandler({
    requestTimeout: timeouts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    // Without this flag @smithy/node-http-handler only *logs a warning* when requestTimeout is exceeded and keeps
    // waiting: a hung endpoint would then hold the activity until its start-to-close timeout.
    throwOnRequestTimeout: true,
    connectionTimeout: timeouts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    httpAgent: new HttpAgent(agentOptions),
    httpsAgent: new HttpsAgent(agentOptions),
  });
}

/** For long polls of `waitTimeSeconds`: a ReceiveMessage answers within it, so past a margin the connection is hung. */
export function longPollRequestHandler(waitTimeSeconds: number): NodeHttpHandler {
  return new NodeHttpHandler({
    requestTimeout: (waitTimeSeconds + 15) * 1000,
    throwOnRequestTimeout: true,
    connectionTimeout: 5_000,
  });
}
