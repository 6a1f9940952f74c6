/**
 * A process's view of the pumping guard (src/pumping/ledger.ts): its own admissions count at once, the others' once
 * a snapshot brings them, and nothing twice; blocks and trips come from the snapshot (and its own stops).
 */
import { pumpingSchema } from '../../src/domain/pumping-config';
import type { PumpingSubject } from '../../src/domain/pumping';
import { PumpingLedger } from '../../src/pumping/ledger';

const section = pumpingSchema.parse({
  enabled: true,
  prefixLength: 4,
  velocity: { otp: [{ scope: 'prefix', limit: 3, window: '60s' }] },
  conversion: { useCases: ['otp'] },
});
const T = 1_800_000_000_000;
const s = (i: number): PumpingSubject => ({
  useCase: 'otp',
  country: 'US',
  prefix: '+1900',
  numberTag: i.toString(16).padStart(16, '0'),
});

describe('PumpingLedger', () => {
  it('stops the message past the limit from its own admissions alone, with the reason', () => {
    const l = new PumpingLedger(section);
    expect([1, 2, 3].map((i) => l.check(s(i), true, T + i).stop)).toEqual([undefined, undefined, undefined]);
    const v = l.check(s(4), true, T + 4);
    expect(v.stop).toBe('VELOCITY_LIMIT: prefix +1900 over 3 per 60s for otp');
    expect(v.tripped).toContain('prefix +1900');
    expect(l.check(s(5), false, T + 5).tripped).toContain('VELOCITY_LIMIT');
  });

  it('keeps a flooded prefix closed while the flood goes on: stopped requests count against its limit', () => {
    const l = new PumpingLedger(section);
    [1, 2, 3].forEach((i) => l.check(s(i), true, T));
    for (const at of [45, 50, 55]) expect(l.check(s(at), true, T + at * 1000).stop).toContain('VELOCITY_LIMIT');
    // The three let through have left the window; the requests stopped at T + 45…55 s have not, nor their followers.
    expect(l.check(s(7), true, T + 61_000).stop).toContain('VELOCITY_LIMIT');
    expect(l.check(s(8), true, T + 62_000).stop).toContain('VELOCITY_LIMIT');
    expect(l.check(s(9), true, T + 123_000).stop).toBeUndefined();
  });

  it('counts its admissions once: after the snapshot says it applied their batch, from the snapshot only', () => {
    const l = new PumpingLedger(section);
    l.check(s(1), true, T);
    l.check(s(2), true, T);
    const batch = l.drain()!;
    expect(batch.counts.find((c) => c.key === 'otp|prefix:+1900')).toMatchObject({ admitted: 2 });
    const snapshot = { at: T, admitted: { 'otp|prefix:+1900': [[T / 1000, 2]] as [number, number][] }, entries: [] };
    // A snapshot that has not applied the batch yet: the local admissions still count, once.
    l.snapshotArrived({ ...snapshot, admitted: {} }, 0, T);
    expect(l.count('otp|prefix:+1900', 60_000, T)).toBe(2);
    l.snapshotArrived(snapshot, batch.seq, T);
    expect(l.count('otp|prefix:+1900', 60_000, T)).toBe(2);
    l.check(s(3), true, T);
    expect(l.count('otp|prefix:+1900', 60_000, T)).toBe(3);
  });

  it("adds other processes' admissions from the snapshot", () => {
    const l = new PumpingLedger(section);
    l.snapshotArrived({ at: T, admitted: { 'otp|prefix:+1900': [[T / 1000, 3]] }, entries: [] }, 0, T);
    expect(l.check(s(1), true, T).stop).toContain('VELOCITY_LIMIT');
  });

  it('keeps a failed flush for the next one', () => {
    const l = new PumpingLedger(section);
    l.check(s(1), true, T);
    const batch = l.drain()!;
    expect(l.drain()).toBeUndefined();
    l.restore(batch);
    l.check(s(2), true, T);
    expect(l.drain()!.counts.find((c) => c.key === 'otp|prefix:+1900')).toMatchObject({ admitted: 2 });
  });

  it('stops a watched use case on a blocked prefix, and counts feedback under the second it was let through', () => {
    const l = new PumpingLedger(section);
    const entry = { key: 'prefix:+1900', state: 'blocked' as const, why: 'conversion 0%', since: T, until: T + 60_000 };
    l.snapshotArrived({ at: T, admitted: {}, entries: [entry] }, 0, T);
    expect(l.check(s(1), true, T).stop).toBe(
      `PUMPING_BLOCKED: prefix +1900 blocked until ${new Date(T + 60_000).toISOString()} (conversion 0%)`,
    );
    expect(l.check(s(1), true, T + 61_000).stop).toBeUndefined();
    l.drain();
    l.received(s(1), T + 61_000);
    const counts = l.drain()!.counts;
    expect(counts).toContainEqual({ key: 'otp|prefix:+1900', second: (T + 61_000) / 1000, received: 1 });
    expect(counts.some((c) => c.key.includes('number:'))).toBe(false);
  });
});
