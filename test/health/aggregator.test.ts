/**
 * The observe sink's aggregator: observations become per-key-per-send-second deltas (KeyCounts) with the classes
 * the breakers count - a receipt or a no-receipt under its send's second, `awaitingReceipt` signed, `delivered`
 * telling receipts from sends - and the bound on records holds.
 */
import { ObservationAggregator, originatorKeyOf, secondOf } from '../../src/health/aggregator';
import { keysOfRung, type RouteObservation } from '../../src/domain/route-health';
import type { KeyCounts } from '../../src/workflows/route-health-definitions';

const RUNG = { channel: 'sms' as const, account: 'primary', region: 'us-east-1', originator: 'pool-1' };
const KEYS = keysOfRung(RUNG, 'US');
const ORIG = 'originator:primary/us-east-1/pool-1@US';
const T0 = 1_700_000_000_000;
const S0 = secondOf(T0);

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
  it('counts an accepted send as a success of every key of the rung, awaiting its receipt on the originator key', () => {
    const a = new ObservationAggregator();
    a.observe(sendOk(T0 + 10));
    a.observe(sendOk(T0 + 900, true));
    const batch = a.drain('w1')!;
    expect(batch.source).toBe('w1');
    expect(batch.counts.map((c) => c.key).sort()).toEqual([...KEYS].sort());
    for (const c of batch.counts) {
      expect(c).toMatchObject({ second: S0, ok: 2, failures: {}, probeOk: 1 });
      expect(c.awaitingReceipt).toBe(c.key === ORIG ? 2 : undefined);
    }
    expect(a.drain('w1')).toBeUndefined(); // drained
  });

  it('counts a failed or ambiguous send against the key its scope blames only, with the reason', () => {
    const a = new ObservationAggregator();
    const failure = { kind: 'send', at: T0, keys: KEYS, probe: false } as const;
    a.observe({ ...failure, outcome: 'failure', blamed: 'region:us-east-1', reason: 'InternalServerException' });
    a.observe({ ...failure, outcome: 'ambiguous', blamed: 'region:us-east-1' });
    a.observe({ ...failure, outcome: 'failure', reason: 'OptedOut' }); // the recipient's business: no key
    expect(a.drain('w')!.counts).toEqual([
      {
        key: 'region:us-east-1',
        second: S0,
        ok: 0,
        failures: { 'send-error': 2 },
        lastReason: 'ambiguous send',
        reasons: { 'send-error': 'ambiguous send' },
      },
    ]);
  });

  it("counts receipts under their send's second: delivered, failed, awaiting down, latency sampled", () => {
    const a = new ObservationAggregator();
    a.observe(sendOk(T0));
    a.observe(sendOk(T0 + 1));
    a.observe(receipt(T0 + 1500, T0));
    a.observe(receipt(T0 + 2500, T0 + 1, false));
    const batch = a.drain('w')!;
    expect(byKey(batch.counts, ORIG)).toEqual([
      {
        key: ORIG,
        second: S0,
        ok: 3,
        delivered: 1,
        failures: { 'receipt-failure': 1 },
        awaitingReceipt: 0,
        lastReason: 'TEXT_BLOCKED',
        reasons: { 'receipt-failure': 'TEXT_BLOCKED' },
      },
    ]);
    expect(batch.receiptLatencyMs).toEqual({ [ORIG]: [1500, 2499] });
  });

  it('reports the longest processing lag of the batch, and keeps it when the batch is put back', () => {
    const a = new ObservationAggregator();
    const late = (o: RouteObservation, lagMs: number) => ({ ...o, lagMs }) as RouteObservation;
    a.observe(late(sendOk(T0), 1200));
    a.observe(late(receipt(T0 + 9000, T0), 8000));
    a.observe(late(receipt(T0 + 9500, T0), Number.NaN));
    const batch = a.drain('w1')!;
    expect(batch.processingLagMs).toBe(8000);
    a.restore(batch);
    expect(a.drain('w1')!.processingLagMs).toBe(8000);
    // Nothing late: no field.
    a.observe(sendOk(T0 + 20_000));
    expect(a.drain('w1')).not.toHaveProperty('processingLagMs');
  });

  it('reports a receipt of a send another process saw as a negative awaiting delta', () => {
    const a = new ObservationAggregator();
    a.observe(receipt(T0 + 5_000, T0 - 3_000));
    a.observe({ kind: 'no-receipt', at: T0 + 120_000, key: ORIG, sentAt: T0 - 3_000, probe: true });
    expect(a.drain('w')!.counts).toEqual([
      {
        key: ORIG,
        second: S0 - 3,
        ok: 1,
        delivered: 1,
        failures: { 'no-receipt': 1 },
        awaitingReceipt: -2,
        probeFailures: 1,
        lastReason: 'no final receipt within the step',
        reasons: { 'no-receipt': 'no final receipt within the step' },
      },
    ]);
  });

  it('keeps at most 50 latency samples per key per batch, the newest', () => {
    const a = new ObservationAggregator();
    for (let i = 0; i < 60; i++) a.observe(receipt(T0 + 1000 + i, T0));
    expect(a.drain('w')!.receiptLatencyMs![ORIG]).toEqual(Array.from({ length: 50 }, (_, i) => 1010 + i));
  });

  it('drops the oldest records past maxBuckets and counts them', () => {
    const a = new ObservationAggregator({ maxBuckets: 3 });
    for (let i = 0; i < 5; i++) a.observe(receipt(T0 + 60_000, T0 + i * 1000));
    expect(a.drain('w')!.counts.map((c) => c.second)).toEqual([S0 + 2, S0 + 3, S0 + 4]);
    expect(a.dropped.buckets).toBe(2);
  });

  it('finds the country-specific originator key of a rung', () => {
    expect(originatorKeyOf(KEYS)).toBe(ORIG);
    expect(originatorKeyOf(['region:us-east-1'])).toBeUndefined();
  });
});
