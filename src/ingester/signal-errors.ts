/**
 * What a failed `signal` call means for the DLR that caused it:
 * - `closed`: the workflow is not running (completed, failed, timed out, or never existed). The DLR
 *   has nowhere to go: acknowledge it.
 * - `transient`: Temporal could not be reached or is overloaded. Keep the DLR and retry: an outage
 *   must not push good receipts into the dead-letter queue.
 * - `failed`: anything else (permission denied, unknown namespace, a bug). Leave the message on the
 *   queue; SQS redelivers it and, past maxReceiveCount, moves it to the DLQ for an operator.
 */
import { isGrpcServiceError } from '@temporalio/client';
import { NamespaceNotFoundError, WorkflowNotFoundError } from '@temporalio/common';

export type SignalErrorKind = 'closed' | 'transient' | 'failed';

/** gRPC status codes worth retrying (the same family Temporal's own client retries). */
const TRANSIENT_GRPC_CODES = new Set([
  1, // CANCELLED (connection dropped mid-call)
  2, // UNKNOWN
  4, // DEADLINE_EXCEEDED
  8, // RESOURCE_EXHAUSTED (rate limited)
  10, // ABORTED
  14, // UNAVAILABLE (server down, connection refused)
]);

const TRANSIENT_NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export function classifySignalError(err: unknown): SignalErrorKind {
  let current: unknown = err;
  for (let depth = 0; depth < 10 && current instanceof Error; depth++) {
    if (current instanceof WorkflowNotFoundError || current.name === 'WorkflowNotFoundError') return 'closed';
    if (current instanceof NamespaceNotFoundError || current.name === 'NamespaceNotFoundError') return 'failed';
    if (isGrpcServiceError(current)) {
      const code: number = current.code;
      if (code === 5) return 'closed'; // NOT_FOUND, should the client not have mapped it
      return TRANSIENT_GRPC_CODES.has(code) ? 'transient' : 'failed';
    }
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_NET_CODES.has(code)) return 'transient';
    if (current.name === 'TimeoutError' || current.name === 'TransportError') return 'transient';
    current = current.cause;
  }
  return 'failed';
}
