/**
 * What is true about a message whatever state its workflow is in: how a key or a workflow id names a message,
 * and the status record of a workflow that closed without returning one (terminated, timed out, failed or
 * cancelled through Temporal, continued as new). Pure functions over what Temporal answered.
 */
import { InvalidInputError } from '../domain/errors';
import { countryOf, idempotencyKeySchema } from '../domain/message';
import { maskPhone } from '../domain/privacy';
import type { StatusRecord } from '../domain/status';
import { workflowIdFor, type StartMessageInput } from '../workflows/definitions';

const WORKFLOW_ID_PREFIX = workflowIdFor('');

/** One way to read a reference: this idempotency key, whose workflow has this id. */
export interface MessageRef {
  idempotencyKey: string;
  workflowId: string;
}

/**
 * The readings of what a caller passed as a message reference, in the order to try them: the idempotency key,
 * then (for `sms:<key>`) the workflow id the Web UI, logs and report show. A key wins over a workflow id: a
 * message keyed `sms:x` is found by `sms:x` even when a message keyed `x` exists too.
 */
export function messageRefs(ref: string): MessageRef[] {
  const refs: MessageRef[] = [];
  if (idempotencyKeySchema.safeParse(ref).success) refs.push({ idempotencyKey: ref, workflowId: workflowIdFor(ref) });
  if (ref.startsWith(WORKFLOW_ID_PREFIX)) {
    const key = ref.slice(WORKFLOW_ID_PREFIX.length);
    if (idempotencyKeySchema.safeParse(key).success) refs.push({ idempotencyKey: key, workflowId: ref });
  }
  if (refs.length === 0) {
    throw new InvalidInputError('message key', [
      {
        path: 'key',
        message:
          'must be an idempotency key (1-200 of letters, digits and . _ : @ / -, starting alphanumeric) ' +
          `or a workflow id "${WORKFLOW_ID_PREFIX}<key>"`,
      },
    ]);
  }
  return refs;
}

/** How each Temporal close status reads in a reason. */
const CLOSED_HOW: Record<string, string> = {
  TERMINATED: 'was terminated',
  TIMED_OUT: 'timed out (Temporal execution timeout)',
  FAILED: 'failed (workflow error)',
  CANCELLED: 'was cancelled through Temporal',
  CONTINUED_AS_NEW: 'was continued as new',
};

/**
 * The record of a workflow that closed with Temporal status `workflowStatus` without returning one, from the last
 * record it held (`last`: the status query replayed on the closed history, or `recordFromInput`). A message that
 * had reached an outcome keeps it (DELIVERED stays DELIVERED: the receipt did arrive); one still in progress is
 * ABORTED: nothing more will be sent. The reason says both.
 */
export function closedRecord(last: StatusRecord, workflowStatus: string, closedAt: Date | undefined): StatusRecord {
  const how = CLOSED_HOW[workflowStatus] ?? `closed (${workflowStatus})`;
  const inProgress = last.status === 'IN_PROGRESS';
  const at = closedAt?.getTime();
  return {
    ...last,
    status: inProgress ? 'ABORTED' : last.status,
    reason: inProgress
      ? `the workflow ${how} before the message reached an outcome; nothing more will be sent (last known: ${last.reason})`
      : `the workflow ${how} (last known: ${last.reason})`,
    finishedAt: last.finishedAt ?? at,
    workflowClosed: { status: workflowStatus, at },
  };
}

/**
 * The least record there is: what the workflow's input says (key, use case, country, masked destination). For a
 * closed workflow whose history could not be replayed (no worker polls its task queue, or its code changed). An
 * input without a plan (the worker resolved it) names the use case only if the request did, and the country of the
 * destination number (empty when it has none).
 */
export function recordFromInput(
  input: StartMessageInput,
  workflowId: string,
  startedAt: Date,
  why: string,
): StatusRecord {
  return {
    workflowId,
    idempotencyKey: input.idempotencyKey,
    useCase: input.plan?.policy.useCase ?? input.request.useCase ?? '',
    country: input.plan?.country ?? countryOfOrEmpty(input.request.destination),
    destination: maskPhone(input.request.destination),
    status: 'IN_PROGRESS',
    reason: `its record could not be read (${why}); the attempts are in the workflow's history`,
    attempts: [],
    skipped: input.plan?.skipped ?? [],
    needlessAttempts: [],
    duplicateEvents: 0,
    unmatchedEvents: 0,
    startedAt: startedAt.getTime(),
  };
}

function countryOfOrEmpty(destination: string): string {
  try {
    return countryOf(destination);
  } catch {
    return '';
  }
}
