/**
 * waitForMessage without a server: a scripted status query and a workflow result that resolves when the test
 * says so. The order of events is asserted, never how long anything took.
 */
import { waitForMessage, type MessageSource } from '../../src/client/wait';
import type { AttemptRecord, MessageStatus, StatusRecord } from '../../src/domain/status';

function attempt(n: number, state: AttemptRecord['state']): AttemptRecord {
  return {
    attempt: n,
    rungIndex: n - 1,
    channel: 'sms',
    level: n === 1 ? 'initial' : 'originator',
    routeId: 'primary-use1',
    account: 'primary',
    region: 'us-east-1',
    originator: `pool-${n}`,
    originatorType: 'short-code',
    state,
    outcome: state.toUpperCase(),
    startedAt: 0,
    feedbackEnabled: true,
    events: [],
  };
}

function record(status: MessageStatus, attempts: AttemptRecord[], extra: Partial<StatusRecord> = {}): StatusRecord {
  return {
    workflowId: 'sms:k',
    idempotencyKey: 'k',
    useCase: 'otp',
    country: 'US',
    destination: '+1425*****23',
    status,
    reason: status,
    attempts,
    skipped: [],
    needlessAttempts: [],
    duplicateEvents: 0,
    unmatchedEvents: 0,
    startedAt: 0,
    ...extra,
  };
}

/** A source answering the query from `script` (the last entry repeats); the result resolves on `close()`. */
function scripted(script: (StatusRecord | Error)[]) {
  const log: string[] = [];
  let queries = 0;
  let close!: (r: StatusRecord) => void;
  let fail!: (e: Error) => void;
  let aborted = false;
  const closed = new Promise<StatusRecord>((resolve, reject) => {
    close = resolve;
    fail = reject;
  });
  const source: MessageSource = {
    query: () => {
      const next = script[Math.min(queries++, script.length - 1)];
      log.push(`query ${queries}`);
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    result: (abort) => {
      abort.addEventListener('abort', () => (aborted = true));
      return closed;
    },
  };
  return { source, log, close, fail, aborted: () => aborted, queries: () => queries };
}

const fast = { pollMs: 1, maxPollMs: 4 };

describe('waitForMessage', () => {
  it('returns at the delivery while the workflow stays open, after reporting each change once', async () => {
    const delivered = record('DELIVERED', [attempt(1, 'failed'), attempt(2, 'delivered')], { successfulAttempt: 2 });
    const s = scripted([
      record('IN_PROGRESS', [attempt(1, 'sending')]),
      record('IN_PROGRESS', [attempt(1, 'sent')]),
      record('IN_PROGRESS', [attempt(1, 'sent')]),
      record('IN_PROGRESS', [attempt(1, 'failed'), attempt(2, 'sent')]),
      delivered,
    ]);
    const seen: string[] = [];
    const outcome = await waitForMessage(s.source, {
      ...fast,
      onProgress: (r) => seen.push(`${r.status}:${r.attempts.map((a) => a.state).join(',')}`),
    });
    expect(outcome).toEqual({ status: 'DELIVERED', record: delivered, closed: false });
    expect(seen).toEqual([
      'IN_PROGRESS:sending',
      'IN_PROGRESS:sent',
      'IN_PROGRESS:failed,sent',
      'DELIVERED:failed,delivered',
    ]);
    // The workflow never closed; the wait stopped long-polling its result.
    expect(s.aborted()).toBe(true);
  });

  it('with until: closed, goes on past the delivery until the workflow closes', async () => {
    const s = scripted([record('IN_PROGRESS', [attempt(1, 'sent')]), record('DELIVERED', [attempt(1, 'delivered')])]);
    const seen: string[] = [];
    const waiting = waitForMessage(s.source, { ...fast, until: 'closed', onProgress: (r) => seen.push(r.status) });
    while (!seen.includes('DELIVERED')) await new Promise((r) => setTimeout(r, 1));
    const confirmed = record('CONFIRMED', [attempt(1, 'delivered')], { finishedAt: 5 });
    s.close(confirmed);
    await expect(waiting).resolves.toEqual({ status: 'CONFIRMED', record: confirmed, closed: true });
    expect(seen).toEqual(['IN_PROGRESS', 'DELIVERED', 'CONFIRMED']);
  });

  it('returns a message that ended without a delivery when its workflow closes', async () => {
    const s = scripted([record('IN_PROGRESS', [attempt(1, 'sent')])]);
    const waiting = waitForMessage(s.source, fast);
    while (s.queries() < 3) await new Promise((r) => setTimeout(r, 1));
    const failed = record('FAILED', [attempt(1, 'timed-out')]);
    s.close(failed);
    await expect(waiting).resolves.toEqual({ status: 'FAILED', record: failed, closed: true });
  });

  it('rides out a few failed status queries, and gives up after maxQueryFailures in a row', async () => {
    const flaky = scripted([
      new Error('no poller'),
      new Error('no poller'),
      record('DELIVERED', [attempt(1, 'delivered')]),
    ]);
    await expect(waitForMessage(flaky.source, { ...fast, maxQueryFailures: 3 })).resolves.toMatchObject({
      status: 'DELIVERED',
    });
    const down = scripted([new Error('worker gone')]);
    await expect(waitForMessage(down.source, { ...fast, maxQueryFailures: 3 })).rejects.toThrow('worker gone');
    expect(down.queries()).toBe(3);
  });

  it('throws what the result throws (the message does not exist, its workflow failed)', async () => {
    const s = scripted([new Error('not found')]);
    s.fail(new Error('workflow not found'));
    await expect(waitForMessage(s.source, { ...fast, maxQueryFailures: 100 })).rejects.toThrow('workflow not found');
  });

  it('polls less often while nothing changes, and quickly again after a change', async () => {
    const delays: number[] = [];
    const realSetTimeout = global.setTimeout;
    const spy = jest.spyOn(global, 'setTimeout').mockImplementation((fn: () => void, ms?: number) => {
      delays.push(ms ?? 0);
      return realSetTimeout(fn, 0);
    });
    const same = record('IN_PROGRESS', [attempt(1, 'sent')]);
    const changed = record('IN_PROGRESS', [attempt(1, 'failed'), attempt(2, 'sent')]);
    const s = scripted([
      same,
      same,
      same,
      same,
      same,
      changed,
      changed,
      record('DELIVERED', [attempt(2, 'delivered')]),
    ]);
    try {
      await waitForMessage(s.source, { pollMs: 100, maxPollMs: 800 });
    } finally {
      spy.mockRestore();
    }
    expect(s.queries()).toBe(8);
    // The first read is a change (100), then 200, 400, 800, 800 unchanged; the next change resets to 100.
    expect(delays).toEqual([100, 200, 400, 800, 800, 100, 200]);
  });
});
