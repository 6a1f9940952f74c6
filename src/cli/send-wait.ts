/**
 * `send --wait` / `send --until-closed`: the key at once, then (on a terminal, or with --progress) a line per
 * attempt as it starts and settles, and the outcome the moment it is known. `--wait` ends when the message
 * reached the user (DELIVERED, CONFIRMED) or ended without (FAILED, STOPPED, CANCELLED), even while the
 * workflow still listens for feedback; `--until-closed` ends when the workflow closes.
 */
import type { ResilientSmsClient, SendResult } from '../client';
import { reachedUser, type DeliveryOutcome } from '../client/wait';
import { deliveredAt, deliveringAttempt, type AttemptRecord, type StatusRecord } from '../domain/status';

export interface SendWaitOptions {
  untilClosed?: boolean;
  json?: boolean;
  /** Progress lines; default: when stdout is a terminal (never with --json). */
  progress?: boolean;
}

function describeAttempt(a: AttemptRecord): string {
  return `#${a.attempt} ${a.channel} ${a.level} ${a.account}/${a.region} ${a.originator}`;
}

function attemptLine(a: AttemptRecord): string {
  const id = a.messageId ? ` [${a.messageId}]` : '';
  return `  ${describeAttempt(a)}: ${a.state}${a.outcome && a.outcome.toLowerCase() !== a.state ? ` ${a.outcome}` : ''}${id}`;
}

/**
 * The lines that say what changed from `before` to `after`: attempts that started or changed state, and with
 * `withStatus` a change of the message's status (for --until-closed, which goes on waiting after it).
 */
export function progressLines(before: StatusRecord | undefined, after: StatusRecord, withStatus = false): string[] {
  const lines: string[] = [];
  for (const a of after.attempts) {
    const prev = before?.attempts.find((p) => p.attempt === a.attempt);
    if (!prev || prev.state !== a.state || prev.outcome !== a.outcome) lines.push(attemptLine(a));
  }
  if (withStatus && after.status !== (before?.status ?? 'IN_PROGRESS'))
    lines.push(`  ${after.status}: ${after.reason}`);
  return lines;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** One line: what happened to the message, and whether its workflow still listens. */
export function outcomeLine(outcome: DeliveryOutcome): string {
  const { record, closed } = outcome;
  const winner = deliveringAttempt(record);
  const at = deliveredAt(record);
  const after = at !== undefined ? ` after ${seconds(at - record.startedAt)}` : '';
  let line: string;
  if (record.status === 'DELIVERED' || record.status === 'CONFIRMED') {
    const by = winner ? ` by attempt ${describeAttempt(winner)}` : '';
    const needless = record.needlessAttempts.length ? `; needless sends: ${record.needlessAttempts.join(', ')}` : '';
    const confirmed = record.status === 'CONFIRMED' ? ', the user acted on the message' : '';
    line = `${record.status}${by}${after}${confirmed}${needless}`;
  } else {
    line = `${record.status}: ${record.reason}`;
  }
  if (!closed) line += ' (the workflow is still listening for feedback; --until-closed waits for it)';
  return line;
}

/** The exit code of `send --wait` / `--until-closed` when the message ended without reaching the user. */
export const NOT_DELIVERED_EXIT_CODE = 4;

/** `send --wait` saw the message end without reaching the user (FAILED, STOPPED, CANCELLED, ABORTED). */
export class NotDeliveredError extends Error {
  override readonly name = 'NotDeliveredError';
  constructor(record: StatusRecord) {
    super(`message "${record.idempotencyKey}" ended ${record.status} without reaching the user`);
  }
}

/**
 * Throws NotDeliveredError (exit code 4) unless the message reached the user (DELIVERED or CONFIRMED): a script
 * that waits can tell the two apart without parsing the line.
 */
export function requireDelivered(outcome: DeliveryOutcome): void {
  if (!reachedUser(outcome.record)) throw new NotDeliveredError(outcome.record);
}

/** Waits as the options say and prints; returns the outcome. */
export async function waitAndPrint(
  client: ResilientSmsClient,
  sent: SendResult,
  o: SendWaitOptions,
  print: (line: string) => void = (line) => console.log(line),
): Promise<DeliveryOutcome> {
  const started = `${sent.started ? 'started' : 'already exists'}: ${sent.idempotencyKey} (workflow ${sent.workflowId})`;
  // The key at once; with --json stdout carries the record alone, so the key goes to stderr.
  if (o.json) console.error(started);
  else print(started);
  const progress = !o.json && (o.progress ?? process.stdout.isTTY === true);
  let last: StatusRecord | undefined;
  const onProgress = progress
    ? (record: StatusRecord): void => {
        for (const line of progressLines(last, record, o.untilClosed)) print(line);
        last = record;
      }
    : undefined;
  const outcome = o.untilClosed
    ? await closedOutcome(client, sent.idempotencyKey, onProgress)
    : await client.waitForDelivery(sent.idempotencyKey, { onProgress });
  if (o.json) print(JSON.stringify(outcome.record, null, 2));
  else print(outcomeLine(outcome));
  return outcome;
}

async function closedOutcome(
  client: ResilientSmsClient,
  key: string,
  onProgress: ((record: StatusRecord) => void) | undefined,
): Promise<DeliveryOutcome> {
  const record = await client.waitForOutcome(key, { onProgress });
  return { status: record.status, record, closed: true };
}
