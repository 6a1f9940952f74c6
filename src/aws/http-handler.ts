/**
 * The HTTP request handlers of our AWS clients: how long a call may take and how connections are reused.
 * - `sendRequestHandler`: the send clients (SMS/voice v2, SES v2, SNS, Social messaging), keep-alive agents whose
 *   idle sockets close before any server's would, and a request timeout that fails the call instead of letting it
 *   hang;
 * - `longPollRequestHandler`: the ingester's SQS client, whose ReceiveMessage legitimately waits up to
 *   WaitTimeSeconds.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;

/**
 * How long a keep-alive socket may sit idle in our agents' pools before the client closes it. It must be shorter than
 * the server's idle timeout: a server that closes an idle connection while the client picks it for a request
 * answers that request with a reset before any response byte (`ECONNRESET`, "socket hang up"), and for a send the
 * client cannot tell that from a reset after the server read the request: the attempt is ambiguous
 * (docs/failure-classification.md, "Connection resets"). Node's agent has no idle timeout of its own (`timeout`
 * unset: pooled sockets live until the server closes them; the server's `Keep-Alive: timeout=N` hint only lowers
 * a configured timeout, https://nodejs.org/api/http.html#new-agentoptions), so it is set here: 4 s, under Node's
 * default server keep-alive timeout (5 s, https://nodejs.org/api/http.html#serverkeepalivetimeout), the
 * simulator's (60 s) and the 60 s default idle timeout of AWS's load balancers
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#connection-idle-timeout).
 */
export const DEFAULT_IDLE_SOCKET_TIMEOUT_MS = 4_000;

export interface RequestTimeouts {
  /** Whole request + response budget; exceeding it fails the call with `TimeoutError` / `ETIMEDOUT`. Default 10 s. */
  requestTimeoutMs?: number;
  /** Budget for establishing the TCP (and TLS) connection. Default 3 s. */
  connectTimeoutMs?: number;
  /** How long a pooled keep-alive socket may stay idle before the client closes it. Default 4 s. */
  idleSocketTimeoutMs?: number;
}

/**
 * Keep-alive connections, at most 50 per host, for a client that sends one call per activity. The agent's `timeout`
 * closes a socket idle in the pool (Node's agent destroys only *free* sockets on it); a request in flight is bounded
 * by `requestTimeout` instead.
 */
export function sendRequestHandler(timeouts: RequestTimeouts): NodeHttpHandler {
  const agentOptions = {
    keepAlive: true,
    maxSockets: 50,
    timeout: timeouts.idleSocketTimeoutMs ?? DEFAULT_IDLE_SOCKET_TIMEOUT_MS,
  };
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
