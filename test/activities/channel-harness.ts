/**
 * Shared by the channel activity tests (voice, WhatsApp, email, push): an activity environment that captures every
 * log entry, and `expectSendFailure`, which runs a send that must fail and checks the SendFailure contract (type,
 * non-retryable, one ClassifiedFailure in details, no personal data).
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { inspect } from 'node:util';
import type { ClassifiedFailure } from '../../src/domain/outcome';
import { SEND_FAILURE_TYPE } from '../../src/domain/sending';

export const logs: LogEntry[] = [];

export const env = new MockActivityEnvironment(undefined, {
  logger: new DefaultLogger('TRACE', (entry) => logs.push(entry)),
});

/** Runs `fn(input)` in the activity environment; it must fail with a SendFailure. Returns the classification. */
export async function expectSendFailure<I>(
  fn: (input: I) => Promise<unknown>,
  input: I,
  personal: RegExp,
): Promise<ClassifiedFailure> {
  const err: unknown = await env.run(fn, input).then(
    () => {
      throw new Error('expected the send to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  const failure = err as ApplicationFailure;
  expect(failure.type).toBe(SEND_FAILURE_TYPE);
  expect(failure.nonRetryable).toBe(true);
  expect(failure.details).toHaveLength(1);
  const classified = failure.details![0] as ClassifiedFailure;
  expect(failure.message).toBe(classified.message);
  expect(JSON.stringify({ m: failure.message, d: failure.details })).not.toMatch(personal);
  return classified;
}

/** Empties the captured logs and asserts none of them carried personal data. */
export function expectCleanLogs(personal: RegExp): LogEntry[] {
  const entries = logs.splice(0);
  expect(inspect(entries, { depth: 10 })).not.toMatch(personal);
  return entries;
}

/** @smithy/node-http-handler leaves its connect-timeout timer armed after ECONNREFUSED; let it fire. */
export const settleConnectTimer = (ms = 150) => new Promise((resolve) => setTimeout(resolve, ms));
