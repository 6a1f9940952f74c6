/**
 * The observe sink's aggregator: observations become per-key-per-second counts with the classes the breakers count,
 * sends awaiting a receipt are counted overdue once late, the bounds hold, and a failed batch put back loses nothing.
 */
import { ObservationAggregator, originatorKeyOf, secondOf } from '../../src/health/aggregator';
import { keysOfRung, type RouteObservation } from '../../src/domain/route-health';
import type { KeyCounts } from '../../src/workflows/route-health-definitions';

const RUNG = { channel: 'sms' as const, account: 'primary', region: 'us-east-1', originator: 'pool-1' };
const KEYS = keysOfRung(RUNG, 'US');
const ORIG = 'originator:primary/us-east-1/pool-1@US';
const T0 = 1_700_000_000_000;

function aggregator(now = { t: T0 }, more: Partial<ConstructorParameters<typeof ObservationAggregator>[0]> = {}) {
  return new ObservationAggregator({ overdueAfterMs: 10_000, latencyFactor: 3, now: () => now.t, ...more });
}

const sendOk = (at: number, probe = false): RouteObservation => ({
  kind: 'send',
  at,
  keys: KEYS,
  outcome: 'ok',
  probe,
});
const receipt = (at: number, sentAt: number, ok = true): RouteObservation => ({
  kind: 'receipt',
  at,
  key: ORIG,
  sentAt,
  ok,
  probe: false,
  ...(ok ? {} : { reason: 'TEXT_BLOCKED' }),
});

function byKey(counts: KeyCounts[], key: string): KeyCounts[] {
  return counts.filter((c) => c.key === key);
}

describe('ObservationAggregator', () => {
  it('counts an accepted send as a success of every key of the rung, in its second', () => {
    const a = aggregator();
    a.observe(sendOk(T0 + 10));
    a.observe(sendOk(T0 + 900, true));
    const batch = a.drain('w1')!;
    expect(batch.source).toBe('w1');
    expect(batch.counts.map((c) => c.key).sort()).toEqual([...KEYS].sort());
    for (const c of batch.counts) {
      expect(c).toMatchObject({ second: secondOf(T0), ok: 2, failures: {}, probeOk: 1 });
    }
    expect(byKey(batch.counts, ORIG)[0].awaitingReceipt).toBe(2);
  });

  it('counts a failed send against the key its scope blames only, with the reason', () => {
    const a = aggregator();
    a.observe({
      kind: 'send',
      at: T0,
      keys: KEYS,
      outcome: 'failure',
      blamed: 'region:us-east-1',
      reason: 'InternalServerException',
      probe: false,
    });
    a.observe({ kind: 'send', at: T0, keys: KEYS, outcome: 'failure', reason: 'OptedOut', probe: false });
    a.observe({ kind: 'send', at: T0, keys: KEYS, outcome: 'ambiguous', probe: false });
    const { counts } = a.drain('w')!;
    expect(counts).toEqual([
      {
        key: 'region:us-east-1',
        second: secondOf(T0),
        ok: 0,
        failures: { 'send-error': 1 },
        lastReason: 'InternalServerException',
      },
    ]);
  });

  it('counts receipts on the originator key with their latency, and settles the awaited send', () => {
    const a = aggregator();
    a.observe(sendOk(T0));
    a.observe(sendOk(T0 + 1));
    a.observe(receipt(T0 + 1500, T0));
    a.observe(receipt(T0 + 2500, T0 + 1, false));
    const batch = a.drain('w')!;
    const orig = byKey(batch.counts, ORIG);
    expect(orig).toEqual([
      { key: ORIG, second: secondOf(T0), ok: 2, failures: {} },
      { key: ORIG, second: secondOf(T0) + 1, ok: 1, failures: {} },
      { key: ORIG, second: secondOf(T0) + 2, ok: 0, failures: { 'receipt-failure': 1 }, lastReason: 'TEXT_BLOCKED' },
    ]);
    expect(batch.receiptLatencyMs).toEqual({ [ORIG]: [1500, 2499] });
    expect(a.size.pending).toBe(0);
  });

  it('counts a send with no receipt after overdueAfter as no-receipt at once, and the step end does not count it again', () => {
    const now = { t: T0 };
    const a = aggregator(now);
    a.observe(sendOk(T0));
    a.drain('w');
    now.t = T0 + 9_999;
    expect(a.drain('w')).toBeUndefined();
    now.t = T0 + 10_000;
    const { counts } = a.drain('w')!;
    expect(counts).toEqual([
      {
        key: ORIG,
        second: secondOf(T0 + 10_000),
        ok: 0,
        failures: { 'no-receipt': 1 },
        lastReason: 'no final receipt within 10 s',
      },
    ]);
    a.observe({ kind: 'no-receipt', at: T0 + 120_000, key: ORIG, sentAt: T0, probe: false });
    expect(a.drain('w')).toBeUndefined();
  });

  it('counts the step end as no-receipt when the detector had not yet', () => {
    const a = aggregator();
    a.observe(sendOk(T0));
    a.observe({ kind: 'no-receipt', at: T0 + 5_000, key: ORIG, sentAt: T0, probe: false });
    a.observe({ kind: 'no-receipt', at: T0 + 5_000, key: ORIG, sentAt: T0 - 1, probe: false }); // sent elsewhere
    const orig = byKey(a.drain('w')!.counts, ORIG);
    expect(orig[1]).toMatchObject({ failures: { 'no-receipt': 2 } });
    expect(a.size.pending).toBe(0);
  });

  it('waits latencyFactor x the p95 of recent receipt latencies when that is longer than overdueAfter', () => {
    const now = { t: T0 };
    const a = aggregator(now);
    for (let i = 0; i < 20; i++) {
      a.observe(sendOk(T0 + i));
      a.observe(receipt(T0 + i + 8_000, T0 + i));
    }
    expect(a.overdueAfter(ORIG)).toBe(24_000);
    a.observe(sendOk(T0 + 100));
    a.drain('w');
    now.t = T0 + 100 + 23_999;
    expect(a.drain('w')).toBeUndefined();
    now.t = T0 + 100 + 24_000;
    expect(a.drain('w')!.counts[0].failures).toEqual({ 'no-receipt': 1 });
  });

  it('drops the oldest seconds past maxBuckets and counts them', () => {
    const a = aggregator({ t: T0 }, { maxBuckets: 3 });
    for (let i = 0; i < 5; i++) {
      a.observe({ kind: 'receipt', at: T0 + i * 1000, key: ORIG, sentAt: T0, ok: true, probe: false });
    }
    const { counts } = a.drain('w')!;
    expect(counts.map((c) => c.second)).toEqual([2, 3, 4].map((i) => secondOf(T0) + i));
    expect(a.dropped.buckets).toBe(2);
  });

  it('forgets the oldest awaited sends past maxPending and counts them', () => {
    const a = aggregator({ t: T0 }, { maxPending: 2 });
    for (let i = 0; i < 4; i++) a.observe(sendOk(T0 + i));
    expect(a.size.pending).toBe(2);
    expect(a.dropped.pending).toBe(2);
  });

  it('finds the country-specific originator key of a rung', () => {
    expect(originatorKeyOf(KEYS)).toBe(ORIG);
    expect(originatorKeyOf(['region:us-east-1'])).toBeUndefined();
  });
});
