/**
 * The lines `send --wait` prints, from status records alone: one per attempt that started or changed, the
 * status change for --until-closed, and the one outcome line for each way a message can end.
 */
import { NotDeliveredError, outcomeLine, progressLines, requireDelivered } from '../../src/cli/send-wait';
import type { AttemptRecord, MessageStatus, StatusRecord } from '../../src/domain/status';

const T0 = 1_700_000_000_000;

function attempt(
  n: number,
  state: AttemptRecord['state'],
  outcome: string,
  more: Partial<AttemptRecord> = {},
): AttemptRecord {
  return {
    attempt: n,
    rungIndex: n - 1,
    channel: 'sms',
    level: n === 1 ? 'initial' : 'region',
    routeId: 'r',
    account: 'primary',
    region: n === 1 ? 'us-east-1' : 'us-west-2',
    originator: `pool-${n}`,
    originatorType: 'short-code',
    state,
    outcome,
    startedAt: T0,
    feedbackEnabled: true,
    events: [],
    ...more,
  };
}

function record(status: MessageStatus, attempts: AttemptRecord[], more: Partial<StatusRecord> = {}): StatusRecord {
  return {
    workflowId: 'sms:k',
    idempotencyKey: 'k',
    useCase: 'otp',
    country: 'US',
    destination: '+1425*****23',
    status,
    reason: 'waiting for the delivery receipt',
    attempts,
    skipped: [],
    needlessAttempts: [],
    duplicateEvents: 0,
    unmatchedEvents: 0,
    startedAt: T0,
    ...more,
  };
}

const delivered = (n: number) =>
  attempt(n, 'delivered', 'DELIVERED', {
    messageId: `m-${n}`,
    events: [{ type: 'TEXT_DELIVERED', status: 'DELIVERED', at: T0 + 31_000, receivedAt: T0 + 31_200 }],
  });

describe('send --wait: progress lines', () => {
  it('prints an attempt when it starts and each time its state or outcome changes, nothing else', () => {
    const a = record('IN_PROGRESS', [attempt(1, 'sending', 'SENDING')]);
    const b = record('IN_PROGRESS', [attempt(1, 'unknown', 'InternalServerException')], { reason: 'other' });
    const c = record('IN_PROGRESS', [
      attempt(1, 'timed-out', 'InternalServerException_NO_RECEIPT'),
      attempt(2, 'sent', 'SENT', { messageId: 'm-2' }),
    ]);
    expect(progressLines(undefined, a)).toEqual(['  #1 sms initial primary/us-east-1 pool-1: sending']);
    expect(progressLines(a, b)).toEqual(['  #1 sms initial primary/us-east-1 pool-1: unknown InternalServerException']);
    expect(progressLines(b, b)).toEqual([]);
    expect(progressLines(b, c)).toEqual([
      '  #1 sms initial primary/us-east-1 pool-1: timed-out InternalServerException_NO_RECEIPT',
      '  #2 sms region primary/us-west-2 pool-2: sent [m-2]',
    ]);
  });

  it('with the status (--until-closed), also says when the message is delivered', () => {
    const before = record('IN_PROGRESS', [attempt(1, 'sent', 'SENT')]);
    const after = record('DELIVERED', [delivered(1)], { reason: 'delivered by attempt 1; listening for feedback' });
    expect(progressLines(before, after, true)).toEqual([
      '  #1 sms initial primary/us-east-1 pool-1: delivered [m-1]',
      '  DELIVERED: delivered by attempt 1; listening for feedback',
    ]);
    expect(progressLines(before, after)).toHaveLength(1);
  });
});

describe('send --wait: the outcome line', () => {
  it('DELIVERED names the attempt, the time from the start to its receipt, and the open feedback window', () => {
    const r = record('DELIVERED', [attempt(1, 'timed-out', 'X'), delivered(2)], { successfulAttempt: 2 });
    expect(outcomeLine({ status: 'DELIVERED', record: r, closed: false })).toBe(
      'DELIVERED by attempt #2 sms region primary/us-west-2 pool-2 after 31.2 s ' +
        '(the workflow is still listening for feedback; --until-closed waits for it)',
    );
    expect(outcomeLine({ status: 'DELIVERED', record: r, closed: true })).toBe(
      'DELIVERED by attempt #2 sms region primary/us-west-2 pool-2 after 31.2 s',
    );
  });

  it('lists needless sends, and says CONFIRMED when the user acted', () => {
    const r = record('CONFIRMED', [delivered(1), attempt(2, 'superseded', 'SENT')], {
      successfulAttempt: 1,
      needlessAttempts: [2],
    });
    expect(outcomeLine({ status: 'CONFIRMED', record: r, closed: true })).toBe(
      'CONFIRMED by attempt #1 sms initial primary/us-east-1 pool-1 after 31.2 s, the user acted on the message; ' +
        'needless sends: 2',
    );
  });

  it.each<MessageStatus>(['FAILED', 'STOPPED', 'CANCELLED'])('%s gives the reason', (status) => {
    const r = record(status, [attempt(1, 'send-failed', 'X')], { reason: 'every route failed' });
    expect(outcomeLine({ status, record: r, closed: true })).toBe(`${status}: every route failed`);
  });
});

describe('send --wait: a message that did not reach the user', () => {
  it.each<MessageStatus>(['DELIVERED', 'CONFIRMED'])('%s is success', (status) => {
    const record = { status, idempotencyKey: 'k' } as StatusRecord;
    expect(() => requireDelivered({ status, record, closed: true })).not.toThrow();
  });

  it.each<MessageStatus>(['FAILED', 'STOPPED', 'CANCELLED', 'ABORTED'])(
    '%s throws NotDeliveredError (exit 4)',
    (status) => {
      const record = { status, idempotencyKey: 'k' } as StatusRecord;
      expect(() => requireDelivered({ status, record, closed: true })).toThrow(NotDeliveredError);
      expect(() => requireDelivered({ status, record, closed: true })).toThrow(
        `message "k" ended ${status} without reaching the user`,
      );
    },
  );
});
