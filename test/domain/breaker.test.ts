/**
 * The breaker state machine (src/domain/breaker.ts): opening per class (ratio, consecutive failures, minimum volume),
 * cooldown → half-open → closed by probes or open again, silent filtering from receipts still awaited, AWS Health
 * holds, counts of several processes adding up, and carried state that is old or malformed.
 */
import { Breakers, type BreakerConfig } from '../../src/domain/breaker';
import type { ReportedCounts } from '../../src/domain/breaker-counts';
import { breakerThresholdsSchema } from '../../src/domain/route-health-config';

const T0 = 1_800_000_000_000; // a whole second
const REGION = 'region:us-east-1';
const ORIG = 'originator:primary/us-east-1/pool-sc@US';

function config(over: Partial<Record<string, object>> = {}): BreakerConfig {
  const th = (o: object = {}) => breakerThresholdsSchema.parse({ window: 30_000, cooldown: 10_000, ...o });
  return {
    breakers: {
      'send-error': th(over['send-error']),
      'receipt-failure': th({ minVolume: 10, failureRatio: 0.8, ...over['receipt-failure'] }),
      'no-receipt': th({ minVolume: 5, failureRatio: 0.8, ...over['no-receipt'] }),
    },
    overdueAfter: 10_000,
    latencyFactor: 3,
  };
}

const sec = (at: number) => Math.floor(at / 1000);
const sends = (
  key: string,
  at: number,
  ok: number,
  failed = 0,
  reason = 'InternalServerException',
): ReportedCounts => ({
  key,
  second: sec(at),
  ok,
  failures: failed ? { 'send-error': failed } : {},
  lastReason: failed ? reason : undefined,
});

describe('Breakers', () => {
  it('opens on the failure ratio once the minimum volume is reached, saying why for people', () => {
    const b = new Breakers(config());
    expect(b.record([sends(REGION, T0, 0, 4)], {}, T0).transitions).toEqual([]); // 4 < minVolume 5 and < 5 in a row
    const { transitions } = b.record([sends(REGION, T0 + 500, 1, 10)], {}, T0 + 500);
    expect(transitions).toEqual([
      {
        key: REGION,
        from: 'closed',
        to: 'open',
        at: T0 + 500,
        why: '14 of 15 sends failed (send-error: InternalServerException)',
      },
    ]);
    expect(b.view(REGION, T0 + 500)).toMatchObject({ state: 'open', since: T0 + 500 });
  });

  it('does not open below the ratio, and not on failures older than the window', () => {
    const b = new Breakers(config());
    b.record([sends(REGION, T0, 10, 4)], {}, T0);
    expect(b.view(REGION, T0)!.state).toBe('closed');
    const later = T0 + 31_000; // the first second's counts left the 30 s window
    b.record([sends(REGION, later, 0, 4)], {}, later);
    expect(b.view(REGION, later)!.state).toBe('closed');
  });

  it('opens on consecutive failures whatever the volume, and a success breaks the run', () => {
    const b = new Breakers(config({ 'send-error': { minVolume: 1000, consecutiveFailures: 3 } }));
    b.record([sends(REGION, T0, 0, 2)], {}, T0);
    b.record([sends(REGION, T0 + 1000, 1, 0)], {}, T0 + 1000);
    b.record([sends(REGION, T0 + 2000, 0, 2)], {}, T0 + 2000);
    expect(b.view(REGION, T0 + 2000)!.state).toBe('closed');
    const { transitions } = b.record([sends(REGION, T0 + 3000, 0, 1)], {}, T0 + 3000);
    expect(transitions[0]).toMatchObject({
      to: 'open',
      why: '3 sends failed in a row (send-error: InternalServerException)',
    });
  });

  it('adds up the counts of several processes for the same key and second', () => {
    const b = new Breakers(config({ 'send-error': { consecutiveFailures: 0 } }));
    b.record([sends(REGION, T0, 1, 2)], {}, T0); // process A
    expect(b.view(REGION, T0)!.state).toBe('closed');
    b.record([sends(REGION, T0, 0, 2)], {}, T0 + 200); // process B, same send second
    expect(b.view(REGION, T0 + 200)).toMatchObject({
      state: 'open',
      why: expect.stringMatching(/^4 of 5 sends failed/),
    });
  });

  it('turns half-open after the cooldown and closes after the probe successes', () => {
    const b = new Breakers(config({ 'send-error': { halfOpenProbes: 2 } }));
    b.record([sends(REGION, T0, 0, 5)], {}, T0);
    expect(b.nextDue(T0)).toBe(T0 + 10_000);
    expect(b.tick(T0 + 9_999)).toEqual([]);
    expect(b.tick(T0 + 10_000)).toEqual([expect.objectContaining({ from: 'open', to: 'half-open' })]);
    // A success of a send made before the half-open second is not a probe.
    expect(b.record([sends(REGION, T0 + 9_000, 5)], {}, T0 + 10_100).transitions).toEqual([]);
    expect(b.record([sends(REGION, T0 + 10_100, 1)], {}, T0 + 10_200).transitions).toEqual([]);
    const { transitions } = b.record([sends(REGION, T0 + 10_300, 1)], {}, T0 + 10_400);
    expect(transitions).toEqual([
      expect.objectContaining({ from: 'half-open', to: 'closed', why: '2 probes succeeded after the cooldown' }),
    ]);
    // The failures from before it closed do not count again.
    expect(b.record([sends(REGION, T0 + 10_500, 0, 1)], {}, T0 + 10_500).transitions).toEqual([]);
  });

  it('opens again with a new cooldown when a probe fails', () => {
    const b = new Breakers(config());
    b.record([sends(REGION, T0, 0, 5)], {}, T0);
    b.tick(T0 + 10_000);
    const { transitions } = b.record([sends(REGION, T0 + 10_500, 0, 1)], {}, T0 + 11_000);
    expect(transitions).toEqual([expect.objectContaining({ from: 'half-open', to: 'open' })]);
    expect(transitions[0].why).toMatch(/^a probe failed \(send-error: InternalServerException\); open again$/);
    expect(b.nextDue(T0 + 11_000)).toBe(T0 + 21_000);
  });

  it('detects silent filtering: sends still awaiting a receipt after overdueAfter count as no-receipt', () => {
    const b = new Breakers(config());
    // One second of healthy traffic: 5 sends, all delivered (the receipts come under the same send second).
    b.record([{ key: ORIG, second: sec(T0), ok: 5, failures: {}, awaitingReceipt: 5 }], {}, T0);
    b.record([{ key: ORIG, second: sec(T0), ok: 5, delivered: 5, failures: {}, awaitingReceipt: -5 }], {}, T0 + 900);
    // Then 5 sends whose receipts never come.
    const at = T0 + 2000;
    b.record([{ key: ORIG, second: sec(at), ok: 5, failures: {}, awaitingReceipt: 5 }], {}, at);
    // Without batches a timer checks on whole 5 s (T0 + 15 s); a tick or a batch at any time checks at once.
    expect(b.nextDue(at)).toBe(T0 + 15_000);
    expect(b.tick(at + 10_999)).toEqual([]);
    const opened = b.tick(at + 11_000);
    expect(opened).toEqual([expect.objectContaining({ key: ORIG, to: 'open' })]);
    expect(opened[0].why).toBe('5 sends got no final receipt within 10 s in a row (no-receipt)');
  });

  it('waits the processing lag a process reported in the last minute on top: its messages see receipts late', () => {
    const b = new Breakers(config());
    // A process 20 s behind (a burst's backlog): its sends are awaited 10 s + 20 s before they count as no-receipt.
    b.record([{ key: ORIG, second: sec(T0), ok: 5, failures: {}, awaitingReceipt: 5 }], {}, T0, 20_000);
    expect(b.lagAt(T0 + 1000)).toBe(20_000);
    expect(b.tick(T0 + 29_999)).toEqual([]);
    expect(b.view(ORIG, T0 + 29_999)?.recent.failures).toEqual({});
    // The receipts come 25 s late: nothing was counted against the route.
    b.record([{ key: ORIG, second: sec(T0), ok: 5, delivered: 5, failures: {}, awaitingReceipt: -5 }], {}, T0 + 25_000);
    expect(b.tick(T0 + 40_000)).toEqual([]);
    expect(b.view(ORIG, T0 + 40_000)).toMatchObject({ state: 'closed', recent: { failures: {} } });
  });

  it('forgets a processing lag after a minute, and ignores one that is not a positive number', () => {
    const b = new Breakers(config());
    b.record([], {}, T0, 20_000);
    b.record([], {}, T0 + 1000, 'late');
    b.record([], {}, T0 + 2000, -5);
    expect(b.lagAt(T0 + 59_999)).toBe(20_000);
    expect(b.lagAt(T0 + 60_000)).toBe(0);
    // Then sends of a process no longer behind are overdue after overdueAfter alone.
    const at = T0 + 61_000;
    b.record([{ key: ORIG, second: sec(at), ok: 5, failures: {}, awaitingReceipt: 5 }], {}, at);
    expect(b.tick(at + 11_000)).toEqual([expect.objectContaining({ key: ORIG, to: 'open' })]);
  });

  it('finds overdue sends when a batch touches the key, between timer checks', () => {
    const b = new Breakers(config());
    b.record([{ key: ORIG, second: sec(T0), ok: 5, failures: {}, awaitingReceipt: 5 }], {}, T0);
    const later = T0 + 11_000; // overdue, before the 5 s timer (T0 + 15 s)
    const { transitions } = b.record(
      [{ key: ORIG, second: sec(later), ok: 1, failures: {}, awaitingReceipt: 1 }],
      {},
      later,
    );
    expect(transitions).toEqual([expect.objectContaining({ key: ORIG, to: 'open' })]);
  });

  it('waits latencyFactor × the p95 receipt latency when that is longer than overdueAfter', () => {
    const b = new Breakers(config());
    b.record([{ key: ORIG, second: sec(T0), ok: 5, failures: {}, awaitingReceipt: 5 }], {}, T0);
    b.record([], { [ORIG]: [4000, 5000, 5000, 5000, 6000] }, T0 + 100);
    expect(b.nextDue(T0 + 100)).toBe(T0 + 20_000); // 1 s + 18 s, on whole 5 s
    expect(b.tick(T0 + 12_000)).toEqual([]);
    expect(b.tick(T0 + 19_000)).toEqual([expect.objectContaining({ to: 'open' })]);
  });

  it('opens on failed receipts by ratio, receipts counted under their send second', () => {
    const b = new Breakers(config());
    const r = (n: number, failed: number): ReportedCounts => ({
      key: ORIG,
      second: sec(T0),
      ok: n,
      delivered: n,
      failures: { 'receipt-failure': failed },
      reasons: { 'receipt-failure': 'TEXT_BLOCKED' },
    });
    b.record([r(2, 7)], {}, T0 + 3000);
    expect(b.view(ORIG, T0 + 3000)!.state).toBe('closed');
    const { transitions } = b.record([r(0, 1)], {}, T0 + 3100);
    expect(transitions[0].why).toBe('8 of 10 receipts were failures (receipt-failure: TEXT_BLOCKED)');
  });

  it('holds a Region open on an AWS Health open event until its closed event, whatever the counts', () => {
    const b = new Breakers(config());
    const ev = {
      eventArn: 'arn:aws:health:us-east-1::event/SMS/AWS_SMS_OPERATIONAL_ISSUE/1',
      region: 'us-east-1',
      eventTypeCode: 'AWS_SMS_OPERATIONAL_ISSUE',
      at: T0 - 5000,
      description: 'Increased error rates',
    };
    const opened = b.healthEvent({ ...ev, statusCode: 'open' }, T0);
    expect(opened.transitions).toEqual([
      expect.objectContaining({ to: 'open', why: 'AWS Health AWS_SMS_OPERATIONAL_ISSUE: Increased error rates' }),
    ]);
    expect(b.view(REGION, T0)!.since).toBe(T0 - 5000);
    b.record([sends(REGION, T0 + 100_000, 50)], {}, T0 + 100_000);
    b.tick(T0 + 200_000);
    expect(b.view(REGION, T0 + 200_000)!.state).toBe('open');
    expect(b.healthEvent({ ...ev, eventArn: 'other', statusCode: 'closed' }, T0).note).toMatch(/no open AWS Health/);
    const closed = b.healthEvent({ ...ev, statusCode: 'closed' }, T0 + 300_000);
    expect(closed.transitions).toEqual([expect.objectContaining({ from: 'open', to: 'closed' })]);
    expect(b.healthEvent({ ...ev, statusCode: 'upcoming' }, T0).transitions).toEqual([]);
  });

  it('refuses malformed counts with a sentence naming what is wrong, and keeps the good ones', () => {
    const b = new Breakers(config());
    const { rejected } = b.record(
      [
        { key: 'us-east-1', second: sec(T0), ok: 1, failures: {} },
        { key: REGION, second: -1, ok: 1, failures: {} },
        { key: REGION, second: sec(T0), ok: 1.5, failures: {} },
        { key: REGION, second: sec(T0), ok: 1, failures: { 'send-error': -2 } },
        { key: REGION, second: sec(T0) + 3600, ok: 1, failures: {} },
        sends(REGION, T0, 0, 5),
      ],
      {},
      T0,
    );
    expect(rejected).toEqual([
      'key "us-east-1" is not one of region:<region>, route:<account>/<region> or originator:<account>/<region>/<originator>@<country|*>',
      'region:us-east-1: bad second',
      'region:us-east-1: bad count',
      'region:us-east-1: bad send-error count',
      'region:us-east-1: second is in the future',
    ]);
    expect(b.view(REGION, T0)!.state).toBe('open');
  });

  it('holds at most 10,000 keys: counts of further new keys are refused, known keys still count', () => {
    const b = new Breakers(config());
    const many = Array.from({ length: 10_000 }, (_, i) => sends(`route:a${i}/us-east-1`, T0, 1));
    expect(b.record(many, {}, T0).rejected).toEqual([]);
    const { rejected } = b.record(
      [sends('route:extra/us-east-1', T0, 1), sends('route:a7/us-east-1', T0, 0, 9)],
      {},
      T0,
    );
    expect(rejected).toEqual(['route:extra/us-east-1: 10000 keys known']);
    expect(b.view('route:a7/us-east-1', T0)!.state).toBe('open');
  });

  it('carries its state over (serialize → new Breakers) and survives old or malformed state', () => {
    const b = new Breakers(config());
    b.record([sends(REGION, T0, 0, 5)], {}, T0);
    const carried = JSON.parse(JSON.stringify(b.serialize())) as unknown;
    const again = new Breakers(config(), carried);
    expect(again.view(REGION, T0)).toEqual(b.view(REGION, T0));
    expect(again.tick(T0 + 10_000)).toEqual([expect.objectContaining({ to: 'half-open' })]);

    for (const junk of [42, 'x', { version: 0 }, { version: 1, keys: 'no' }]) {
      const fresh = new Breakers(config(), junk);
      expect(fresh.views(T0)).toEqual([]);
      expect(fresh.restoreNotes).toHaveLength(1);
    }
    const partly = new Breakers(config(), {
      version: 1,
      keys: [{ key: 'nope' }, { key: REGION, state: 'open', buckets: [{ second: 'x' }, null] }],
    });
    expect(partly.restoreNotes).toHaveLength(1);
    expect(partly.view(REGION, T0)!.state).toBe('open');
    expect(partly.tick(T0)).toEqual([expect.objectContaining({ to: 'half-open' })]); // no cooldown: over at once
  });

  it('forgets a closed key once its counts left the window', () => {
    const b = new Breakers(config());
    b.record([sends(REGION, T0, 3)], {}, T0);
    expect(b.views(T0)).toHaveLength(1);
    b.tick(T0 + 60_000);
    expect(b.views(T0 + 60_000)).toEqual([]);
  });
});
