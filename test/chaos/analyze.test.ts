/** The chaos report's rules, on hand-made status records and simulator logs. */
import { analyze, sendsAfterSuccess, type ChaosMessage, type SimSend } from '../../src/chaos/analyze';
import { CONTEXT_ATTEMPT, CONTEXT_WORKFLOW_ID } from '../../src/domain/sending';
import type { AttemptRecord, StatusRecord } from '../../src/domain/status';

function attempt(n: number, over: Partial<AttemptRecord>): AttemptRecord {
  return {
    attempt: n,
    rungIndex: n - 1,
    channel: 'sms',
    level: n === 1 ? 'initial' : 'originator',
    routeId: 'r',
    account: 'primary',
    region: 'us-east-1',
    originator: 'pool',
    originatorType: 'pool',
    state: 'delivered',
    outcome: 'DELIVERED',
    startedAt: 1_000 * n,
    feedbackEnabled: false,
    events: [],
    ...over,
  };
}

function record(key: string, attempts: AttemptRecord[], over: Partial<StatusRecord> = {}): StatusRecord {
  return {
    workflowId: `sms:${key}`,
    idempotencyKey: key,
    useCase: 'chaos',
    country: 'US',
    destination: '+1425*****23',
    status: 'DELIVERED',
    reason: 'delivered',
    attempts,
    skipped: [],
    needlessAttempts: [],
    duplicateEvents: 0,
    unmatchedEvents: 0,
    startedAt: 0,
    finishedAt: 10_000,
    ...over,
  };
}

const final = (key: string, r: StatusRecord): ChaosMessage => ({
  key,
  workflowId: `sms:${key}`,
  startedAt: 100,
  outcome: { kind: 'final', record: r },
});

let seq = 0;
function send(key: string, attemptNo: number, outcome = 'accepted', messageId = `m-${key}-${attemptNo}`): SimSend {
  return {
    requestId: `req-${seq++}`,
    messageId,
    operation: 'SendTextMessage',
    outcome,
    receivedAt: new Date(1_000 * attemptNo + seq).toISOString(),
    context: { [CONTEXT_WORKFLOW_ID]: `sms:${key}`, [CONTEXT_ATTEMPT]: String(attemptNo) },
  };
}

const noInjection = {
  duplicate: 0,
  reorder: 0,
  late: 0,
  drop: 0,
  poison: 0,
  workerKills: 0,
  ingesterKills: 0,
  temporalRestarts: 0,
};

describe('sendsAfterSuccess', () => {
  it('counts an attempt started after a delivered one finished', () => {
    const r = record('a', [
      attempt(1, { state: 'delivered', finishedAt: 1_500 }),
      attempt(2, { state: 'delivered', startedAt: 2_000, finishedAt: 2_500 }),
    ]);
    expect(sendsAfterSuccess(r).map((a) => a.attempt)).toEqual([2]);
  });

  it('does not count needless attempts sent before a late success arrived', () => {
    // Attempt 1 timed out at 4 s, attempt 2 went out at 4 s, attempt 1's receipt came at 5 s.
    const r = record(
      'b',
      [
        attempt(1, { state: 'delivered', startedAt: 1_000, finishedAt: 5_000 }),
        attempt(2, { state: 'superseded', startedAt: 4_000, finishedAt: 6_000 }),
      ],
      { needlessAttempts: [2] },
    );
    expect(sendsAfterSuccess(r)).toEqual([]);
  });
});

describe('analyze', () => {
  it('lost, stuck and sends after a success are fatal; the figures are not', () => {
    const ok = record('ok', [attempt(1, { finishedAt: 1_200 })]);
    const bad = record('bad', [attempt(1, { finishedAt: 1_200 }), attempt(2, { startedAt: 2_000, finishedAt: 2_200 })]);
    const a = analyze({
      messages: [
        final('ok', ok),
        final('bad', bad),
        { key: 'gone', workflowId: 'sms:gone', startedAt: 100, outcome: { kind: 'lost', why: 'workflow TERMINATED' } },
        { key: 'slow', workflowId: 'sms:slow', startedAt: 100, outcome: { kind: 'running' } },
      ],
      sends: [send('ok', 1), send('bad', 1), send('bad', 2)],
      chaosByMessageId: new Map(),
      injected: { ...noInjection, poison: 2 },
      deadLettered: 1,
      dlrBacklog: 0,
    });
    expect(a).toMatchObject({ lost: 1, stuck: 1, sendsAfterSuccess: 1, ok: false });
    expect(a.statuses).toEqual({ DELIVERED: 2, LOST: 1, STUCK: 1 });
    expect(a.examples.lost).toEqual(['gone: workflow TERMINATED']);
    expect(a.checks.map((c) => [c.name, c.pass, c.fatal])).toEqual([
      ['messages lost', false, true],
      ['messages stuck', false, true],
      ['sends after a success', false, true],
      ['duplicate sends', true, false], // bad#2 followed an accepted send: not owed to ambiguity
      ['dead-lettered DLR messages', false, false],
    ]);
  });

  it('attributes extra sends: ambiguity and repeats are duplicates; dropped/late and slow receipts are not', () => {
    const two = (key: string) =>
      final(
        key,
        record(key, [
          attempt(1, { state: 'timed-out', finishedAt: 3_000 }),
          attempt(2, { startedAt: 3_000, finishedAt: 3_500 }),
        ]),
      );
    const sends = [
      send('amb', 1, 'ambiguous'),
      send('amb', 2),
      send('rep', 1),
      send('rep', 1),
      send('drop', 1),
      send('drop', 2),
      send('slow', 1),
      send('slow', 2),
      send('refused', 1, 'rejected'),
      send('refused', 2),
      send('other-run', 1, 'ambiguous'),
    ];
    const a = analyze({
      messages: ['amb', 'rep', 'drop', 'slow', 'refused'].map(two),
      sends: sends.filter((s) => s.context![CONTEXT_WORKFLOW_ID] !== 'sms:other-run'),
      chaosByMessageId: new Map([['m-drop-1', ['drop']]]),
      injected: noInjection,
      deadLettered: 0,
      dlrBacklog: 0,
    });
    expect(a.sends).toMatchObject({
      requests: 10,
      reachedCarrier: 9,
      extra: 4,
      afterAmbiguous: 1,
      repeatedAttempt: 1,
      afterLostOrLateReceipt: 1,
      afterSlowReceipt: 1,
      duplicate: 2,
      duplicatePerMessage: { mean: 2 / 5, max: 1 },
      unrecorded: 0,
    });
    expect(a.injected.ambiguous).toBe(1);
    expect(a.checks.find((c) => c.name === 'duplicate sends')).toMatchObject({ value: 2, pass: false });
    expect(a.ok).toBe(true);
  });

  it('flags sends that no status record lists, and measures the drain from the records', () => {
    const r = record('x', [attempt(1, { finishedAt: 1_200 })], { finishedAt: 9_100 });
    const a = analyze({
      messages: [final('x', r)],
      sends: [send('x', 1), send('x', 7)],
      chaosByMessageId: new Map(),
      injected: noInjection,
      deadLettered: 0,
      dlrBacklog: 3,
    });
    expect(a.sends.unrecorded).toBe(1);
    expect(a.drainMs).toBe(9_000);
    expect(a.dlrBacklog).toBe(3);
  });
});
