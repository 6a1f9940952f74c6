/** The game day's figures and targets, on hand-made status records, simulator logs and breaker readings. */
import {
  analyzePhase,
  stateAt,
  type GamedayMessage,
  type GamedaySend,
  type PhaseInput,
} from '../../src/gameday/analyze';
import type { BreakerSample } from '../../src/gameday/breaker-probe';
import { scenario } from '../../src/gameday/scenarios';
import { invariantsHold, targetRows } from '../../src/gameday/targets';
import { CONTEXT_ATTEMPT, CONTEXT_WORKFLOW_ID } from '../../src/domain/sending';
import type { AttemptRecord, StatusRecord } from '../../src/domain/status';

const PRIMARY = { account: 'primary', region: 'us-east-1', originator: 'pool-us-shortcode', country: 'US' };
const WEST = { account: 'primary', region: 'us-west-2', originator: 'pool-us-west' };
const T = 1_800_000_000_000;
const timeline = { startedAt: T, faultAt: T + 10_000, clearedAt: T + 70_000, endedAt: T + 130_000 };

type Where = { account: string; region: string; originator: string };

/** A message started at `at` whose attempts went to `places` in order; the last one delivered 500 ms after start. */
function message(i: number, at: number, places: Where[], over: Partial<StatusRecord> = {}): GamedayMessage {
  const key = `k${i}`;
  const attempts: AttemptRecord[] = places.map((p, n) => {
    const last = n === places.length - 1;
    return {
      attempt: n + 1,
      rungIndex: n,
      channel: 'sms',
      level: n === 0 ? 'initial' : 'region',
      routeId: `${p.account}-${p.region}`,
      ...p,
      originatorType: 'pool',
      state: last ? 'delivered' : 'send-failed',
      outcome: last ? 'DELIVERED' : 'InternalServerException',
      startedAt: at + n * 100,
      finishedAt: at + (last ? 500 : n * 100 + 50),
      feedbackEnabled: false,
      events: last ? [{ type: 'TEXT_DELIVERED', status: 'DELIVERED', at: at + 450, receivedAt: at + 500 }] : [],
    };
  });
  const record: StatusRecord = {
    workflowId: `sms:${key}`,
    idempotencyKey: key,
    useCase: 'otp',
    country: 'US',
    destination: '+1206*****01',
    status: 'DELIVERED',
    reason: 'delivered',
    attempts,
    skipped: [],
    successfulAttempt: attempts.length,
    needlessAttempts: [],
    duplicateEvents: 0,
    unmatchedEvents: 0,
    startedAt: at,
    ...over,
  };
  return { key, workflowId: `sms:${key}`, startedAt: at, outcome: { kind: 'final', record } };
}

function sendOf(m: GamedayMessage, attempt: number, at: number, where: Where, outcome = 'rejected'): GamedaySend {
  return {
    requestId: `${m.key}-${attempt}`,
    operation: 'SendTextMessage',
    outcome,
    receivedAt: new Date(at).toISOString(),
    context: { [CONTEXT_WORKFLOW_ID]: m.workflowId, [CONTEXT_ATTEMPT]: String(attempt) },
    ...where,
  };
}

/** One start a second over the whole phase: primary before the fault and from `backAt` on, else us-west-2. */
function steadyTraffic(opts: { firstTryFaultyAfterOpen: number; openedAt: number; backAt: number }): GamedayMessage[] {
  const out: GamedayMessage[] = [];
  let faultyLeft = opts.firstTryFaultyAfterOpen;
  for (let s = 0; s < 130; s++) {
    const at = T + s * 1_000;
    if (at < timeline.faultAt || at >= opts.backAt) out.push(message(s, at, [PRIMARY]));
    else if (at < opts.openedAt || (at < timeline.clearedAt && faultyLeft-- > 0))
      out.push(message(s, at, [PRIMARY, WEST]));
    else out.push(message(s, at, [WEST]));
  }
  return out;
}

function input(over: Partial<PhaseInput> = {}): PhaseInput {
  const openedAt = timeline.faultAt + 3_000;
  const messages = steadyTraffic({ firstTryFaultyAfterOpen: 0, openedAt, backAt: timeline.clearedAt + 10_000 });
  const breaker: BreakerSample[] = [
    { at: T, state: 'closed' },
    { at: openedAt, state: 'open' },
    { at: timeline.clearedAt + 5_000, state: 'half-open' },
    { at: timeline.clearedAt + 9_000, state: 'closed' },
  ];
  return {
    scenario: scenario('region-outage', PRIMARY),
    mode: 'on',
    timeline,
    messages,
    sends: [],
    breaker,
    cooldownMs: 30_000,
    ...over,
  };
}

describe('analyzePhase', () => {
  it('times the breaker from the fault start, and its closing from the recovery', () => {
    const f = analyzePhase(input());
    expect(f.breaker).toMatchObject({ available: true, openedAfterMs: 3_000, closedAfterRecoveryMs: 9_000 });
    expect(f.breaker.transitions.map((t) => t.state)).toEqual(['closed', 'open', 'half-open', 'closed']);
  });

  it('reports the breaker figures as n/a when no routeHealth workflow answered', () => {
    const f = analyzePhase(input({ breaker: [{ at: T, state: 'n/a' }] }));
    expect(f.breaker.available).toBe(false);
    expect(f.breaker.openedAfterMs).toBeUndefined();
    expect(f.sendsIntoOpenRoute).toBeUndefined();
    expect(f.timeToDeliver.afterOpen).toBeUndefined();
    const rows = targetRows([f]);
    expect(rows.find((r) => r.name === 'breaker opens')?.pass).toBeNull();
    expect(rows.find((r) => r.name.startsWith('p99'))?.pass).toBeNull();
  });

  it('counts the messages that tried the faulty route first after it opened', () => {
    const openedAt = timeline.faultAt + 3_000;
    const messages = steadyTraffic({ firstTryFaultyAfterOpen: 2, openedAt, backAt: timeline.clearedAt });
    const f = analyzePhase(input({ messages }));
    // 57 starts between the opening (13 s) and recovery (70 s), 2 of them first on us-east-1.
    expect(f.firstTryFaulty.afterOpen).toBeCloseTo(2 / 57);
    // During the whole fault: the 3 before the opening too.
    expect(f.firstTryFaulty.duringFault).toBeCloseTo(5 / 60);
    const row = targetRows([f]).find((r) => r.name === 'new messages trying the faulty route first');
    expect(row).toMatchObject({ pass: false, figure: '3.5 %' });
  });

  it('measures time-to-deliver from the start call to the delivery receipt', () => {
    const f = analyzePhase(input());
    expect(f.timeToDeliver.duringFault).toEqual({ messages: 60, delivered: 60, p50Ms: 500, p99Ms: 500 });
    expect(f.timeToDeliver.afterOpen).toMatchObject({ messages: 57, delivered: 57 });
    const stuck = message(999, timeline.faultAt + 1, [PRIMARY], { status: 'IN_PROGRESS' });
    stuck.outcome = { kind: 'running', record: stuck.outcome.record! };
    const g = analyzePhase(input({ messages: [...input().messages, stuck] }));
    expect(g.timeToDeliver.duringFault).toMatchObject({ messages: 61, delivered: 60 });
    expect(g.stuck).toBe(1);
  });

  it('counts sends into the open route, probes (half-open, other workflows) apart', () => {
    const base = input();
    const [m] = base.messages.filter((x) => x.startedAt! > timeline.faultAt + 3_000);
    const halfOpenAt = timeline.faultAt + 40_000;
    const breaker: BreakerSample[] = [
      { at: T, state: 'closed' },
      { at: timeline.faultAt + 3_000, state: 'open' },
      { at: halfOpenAt, state: 'half-open' },
      { at: halfOpenAt + 2_000, state: 'open' },
    ];
    const foreign = {
      ...sendOf(m, 1, timeline.faultAt + 20_000, PRIMARY),
      context: { [CONTEXT_WORKFLOW_ID]: 'sms:canary' },
    };
    const sends = [
      sendOf(m, 1, timeline.faultAt + 1_000, PRIMARY), // before the opening: not counted
      sendOf(m, 1, timeline.faultAt + 5_000, PRIMARY), // into the open route
      sendOf(m, 1, halfOpenAt + 500, PRIMARY), // a half-open probe
      sendOf(m, 2, timeline.faultAt + 6_000, WEST, 'accepted'), // elsewhere
      foreign,
      sendOf(m, 1, timeline.clearedAt + 1_000, PRIMARY, 'accepted'), // after recovery
    ];
    const f = analyzePhase({ ...base, breaker, sends });
    expect(f.sendsIntoOpenRoute).toMatchObject({ messages: 1, probes: 2 });
    // The records: no message of this traffic tried us-east-1 after the opening.
    expect(f.sendsIntoOpenRoute).toMatchObject({ recordedAttempts: 0, recordedProbes: 0 });
    const tried = steadyTraffic({
      firstTryFaultyAfterOpen: 2,
      openedAt: timeline.faultAt + 3_000,
      backAt: timeline.clearedAt,
    });
    expect(analyzePhase({ ...base, messages: tried }).sendsIntoOpenRoute).toMatchObject({ recordedAttempts: 2 });
  });

  it('finds when the primary route carries ≥ 90 % of new messages again', () => {
    const f = analyzePhase(input());
    expect(f.backOnPrimaryAfterMs).toBe(10_000);
    expect(f.baselinePrimaryShare).toBe(1);
    const row = targetRows([f]).find((r) => r.name === 'back on the primary route');
    expect(row).toMatchObject({ pass: true, target: '≤ cooldown + 15 s = 45.0 s' });
    const never = analyzePhase(
      input({ messages: steadyTraffic({ firstTryFaultyAfterOpen: 0, openedAt: T + 13_000, backAt: T + 999_000 }) }),
    );
    expect(never.backOnPrimaryAfterMs).toBeUndefined();
    expect(targetRows([never]).find((r) => r.name === 'back on the primary route')?.pass).toBe(false);
  });

  it('breaks the invariants on a lost message and on a send after a success', () => {
    const base = input();
    const late = message(500, timeline.faultAt + 2_000, [PRIMARY, WEST]);
    // Attempt 2 started after attempt 1 had been delivered.
    const record = late.outcome.record!;
    record.attempts[0] = { ...record.attempts[0], state: 'delivered', finishedAt: late.startedAt! + 50 };
    record.attempts[1] = { ...record.attempts[1], startedAt: late.startedAt! + 100 };
    const lost: GamedayMessage = {
      key: 'gone',
      workflowId: 'sms:gone',
      outcome: { kind: 'lost', why: 'never started' },
    };
    const f = analyzePhase({ ...base, messages: [...base.messages, late, lost] });
    expect(f).toMatchObject({ lost: 1, sendsAfterSuccess: 1 });
    const rows = targetRows([f]);
    expect(rows.filter((r) => r.invariant).map((r) => r.pass)).toEqual([false, false]);
    expect(invariantsHold(rows)).toBe(false);
    expect(invariantsHold(targetRows([analyzePhase(base)]))).toBe(true);
  });
});

describe('targetRows', () => {
  it('applies the timing targets with route health on only, the invariants in every mode', () => {
    const off = analyzePhase(input({ mode: 'off', breaker: [{ at: T, state: 'n/a' }] }));
    expect(targetRows([off]).map((r) => r.name)).toEqual([
      'messages lost (not ended or stuck)',
      'sends after a success',
    ]);
    const on = targetRows([analyzePhase(input())]);
    expect(on.map((r) => [r.name, r.pass])).toEqual([
      ['breaker opens', true],
      ['new messages trying the faulty route first', true],
      ['p99 time-to-deliver after it opened', true],
      ['back on the primary route', true],
      ['messages lost (not ended or stuck)', true],
      ['sends after a success', true],
    ]);
  });

  it('misses the opening target when the breaker opened late or never', () => {
    const slow = input();
    slow.breaker = [
      { at: T, state: 'closed' },
      { at: timeline.faultAt + 6_000, state: 'open' },
    ];
    expect(targetRows([analyzePhase(slow)])[0]).toMatchObject({ name: 'breaker opens', figure: '6.0 s', pass: false });
    const never = input({ breaker: [{ at: T, state: 'closed' }] });
    expect(targetRows([analyzePhase(never)])[0]).toMatchObject({ figure: 'n/a', pass: false });
  });

  it('gives silent filtering its 30 s detection target and no time-to-deliver target', () => {
    const s = scenario('silent-filtering', PRIMARY);
    const rows = targetRows([analyzePhase(input({ scenario: s }))]);
    expect(rows[0]).toMatchObject({ name: 'filtering detected', pass: true });
    expect(rows.some((r) => r.name.startsWith('p99'))).toBe(false);
  });
});

describe('stateAt', () => {
  it('is the last reading at or before the time', () => {
    const samples: BreakerSample[] = [
      { at: 10, state: 'closed' },
      { at: 20, state: 'open' },
    ];
    expect([stateAt(samples, 5), stateAt(samples, 10), stateAt(samples, 19), stateAt(samples, 25)]).toEqual([
      undefined,
      'closed',
      'closed',
      'open',
    ]);
  });
});
