/**
 * Waiting for a message: until the outcome its sender cares about (delivered, confirmed, or ended without a
 * delivery), or until its workflow closes. A message that is delivered may keep its workflow open for a while
 * (the policy's `feedbackGrace`: five minutes for the local otp policy), and a caller should not wait that long
 * to learn that the code reached the phone.
 *
 * The workflow has no Update handler to wait on, and adding one would change nothing a running message does,
 * so this polls the `status` query (answered from the worker's cache, no history read) with backoff: quick
 * polls while the record changes, up to `maxPollMs` apart while it does not. The workflow's result is
 * long-polled at the same time, so a message that closes is seen at once and not by the next poll.
 */
import type { MessageStatus, StatusRecord } from '../domain/status';

/** `delivery`: until DELIVERED, CONFIRMED or the message ended. `closed`: until the workflow closed. */
export type WaitUntil = 'delivery' | 'closed';

export interface WaitOptions {
  until?: WaitUntil;
  /** Called with the status record each time it changed (first with the record as first read). */
  onProgress?: (record: StatusRecord) => void;
  /** The first interval between status queries, doubled while nothing changes. Default 200 ms. */
  pollMs?: number;
  /** The longest interval between status queries. Default 2 s. */
  maxPollMs?: number;
  /**
   * Status queries that may fail in a row before the wait gives up. Default 30: about a minute at `maxPollMs`,
   * so that a worker being restarted does not end the wait.
   */
  maxQueryFailures?: number;
}

export interface DeliveryOutcome {
  /** DELIVERED or CONFIRMED when the message reached the user; FAILED, STOPPED or CANCELLED when it ended without. */
  status: MessageStatus;
  record: StatusRecord;
  /** The workflow has closed: nothing about the message changes any more (no late feedback either). */
  closed: boolean;
}

/** What the wait reads of one message. */
export interface MessageSource {
  /** The live status record (the `status` query). */
  query(): Promise<StatusRecord>;
  /** The final status record; resolves when the workflow closes. Aborted when the wait is over. */
  result(abort: AbortSignal): Promise<StatusRecord>;
}

/** The message reached the user (its status says so while the workflow may still listen for feedback). */
export function reachedUser(record: StatusRecord): boolean {
  return record.status === 'DELIVERED' || record.status === 'CONFIRMED';
}

const sleep = (ms: number, wake: Promise<unknown>): Promise<unknown> =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    void wake.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });

/** Waits as `options.until` says; errors of the result (not found, workflow failed) are thrown. */
export async function waitForMessage(source: MessageSource, options: WaitOptions = {}): Promise<DeliveryOutcome> {
  const until = options.until ?? 'delivery';
  const pollMs = options.pollMs ?? 200;
  const maxPollMs = Math.max(pollMs, options.maxPollMs ?? 2_000);
  const maxFailures = options.maxQueryFailures ?? 30;
  const abort = new AbortController();
  let final: { record: StatusRecord } | { error: unknown } | undefined;
  const closed = source.result(abort.signal).then(
    (record) => void (final ??= { record }),
    (error: unknown) => void (final ??= { error }),
  );
  let seen: string | undefined;
  const report = (record: StatusRecord): void => {
    const signature = JSON.stringify(record);
    if (signature === seen) return;
    seen = signature;
    options.onProgress?.(record);
  };
  try {
    let interval = pollMs;
    let failures = 0;
    for (;;) {
      if (final) {
        if ('error' in final) throw final.error;
        report(final.record);
        return { status: final.record.status, record: final.record, closed: true };
      }
      const before = seen;
      try {
        const record = await source.query();
        failures = 0;
        if (!final) {
          report(record);
          if (until === 'delivery' && reachedUser(record)) return { status: record.status, record, closed: false };
        }
      } catch (err) {
        if (++failures >= maxFailures && !final) throw err;
      }
      interval = seen !== before ? pollMs : Math.min(interval * 2, maxPollMs);
      if (!final) await sleep(interval, closed);
    }
  } finally {
    abort.abort();
  }
}
