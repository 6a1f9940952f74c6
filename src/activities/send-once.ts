/**
 * What every send activity shares (SMS, voice, WhatsApp, email, push): call the service exactly once,
 * and turn any failure into the non-retryable `SendFailure` carrying its `ClassifiedFailure`. The send is
 * not idempotent, so neither the SDK (`maxAttempts: 1`) nor Temporal retries it: the planner decides.
 * Logs carry only non-personal fields.
 */
import type { ClassifiedFailure, SendErrorInfo } from '../domain/outcome';
import { sendFailure, type SendResult } from '../domain/sending';
import { activityLog } from './log';
import { requestIdOf } from './sdk-errors';

export interface SendOnceSpec {
  /** Log label: `SMS`, `Voice`, `WhatsApp`, `Email`, `Push`. */
  label: string;
  /** Non-personal log fields (route, workflow id, attempt, ...). */
  meta: Record<string, unknown>;
  /** The one call to the service; resolves with its message id (undefined when the answer had none). */
  call: () => Promise<string | undefined>;
  /** Flattens the SDK error, with personal data removed from its message. */
  toInfo: (err: unknown) => SendErrorInfo;
  classify: (info: SendErrorInfo) => ClassifiedFailure;
  now: () => number;
}

export async function sendOnce(spec: SendOnceSpec): Promise<SendResult> {
  const { label, meta } = spec;
  let messageId: string | undefined;
  try {
    messageId = await spec.call();
  } catch (err) {
    const info = spec.toInfo(err);
    const classified = spec.classify(info);
    const failureMeta = {
      ...meta,
      error: info.name,
      reason: classified.reason,
      scope: classified.scope,
      retryable: classified.retryable,
      ambiguous: classified.ambiguous,
      httpStatus: info.httpStatus,
      requestId: requestIdOf(err),
    };
    if (classified.scope === 'config') activityLog.error(`${label} send failed: configuration problem`, failureMeta);
    else activityLog.warn(`${label} send failed`, failureMeta);
    throw sendFailure(classified);
  }
  if (!messageId) {
    // A 2xx without an id: the service may have accepted the message, and we cannot track it.
    const classified = spec.classify({ name: 'MissingMessageId', message: `${label} send returned no message id` });
    activityLog.error(`${label} send returned no message id`, meta);
    throw sendFailure(classified);
  }
  activityLog.info(`${label} accepted`, { ...meta, messageId });
  return { messageId, acceptedAt: spec.now() };
}
