/** The conversion watch (src/domain/conversion-watch.ts): when a prefix is blocked, for how long, and what counts. */
import { ConversionWatch, conversionOf } from '../../src/domain/conversion-watch';
import { SlidingCounts } from '../../src/domain/pumping';
import { conversionWatchSchema } from '../../src/domain/pumping-config';

const cfg = conversionWatchSchema.parse({
  threshold: 0.5,
  minVolume: 10,
  window: '10m',
  feedbackWait: '30s',
  blockFor: '15m',
});
const T0 = 1_800_000_000_000;
const s0 = T0 / 1000;

function sends(counts: SlidingCounts, key: string, second: number, admitted: number, received: number): void {
  counts.add({ key: `otp|${key}`, second, admitted, received });
}

describe('ConversionWatch', () => {
  it('blocks a prefix whose decided sends convert below the threshold at the minimum volume, with why', () => {
    const counts = new SlidingCounts();
    sends(counts, 'prefix:+1900', s0, 12, 1);
    const watch = new ConversionWatch(cfg);
    expect(watch.evaluate(counts, T0 + 29_000)).toEqual([]); // feedback wait not over yet
    const [block] = watch.evaluate(counts, T0 + 31_000);
    expect(block).toMatchObject({ key: 'prefix:+1900', since: T0 + 31_000, until: T0 + 31_000 + 15 * 60_000 });
    expect(block.why).toBe('conversion 8.3% (1 RECEIVED of 12 sends) below 50% for prefix +1900');
    expect(watch.evaluate(counts, T0 + 40_000)).toEqual([]); // once
  });

  it('does not block below the minimum volume, nor at or above the threshold', () => {
    const counts = new SlidingCounts();
    sends(counts, 'prefix:+1212', s0, 9, 0);
    sends(counts, 'prefix:+1303', s0, 10, 5);
    expect(new ConversionWatch(cfg).evaluate(counts, T0 + 60_000)).toEqual([]);
  });

  it('watches only the configured use cases, and countries only when asked', () => {
    const counts = new SlidingCounts();
    counts.add({ key: 'notice|prefix:+1900', second: s0, admitted: 50 });
    counts.add({ key: 'otp|country:US', second: s0, admitted: 50 });
    expect(new ConversionWatch(cfg).evaluate(counts, T0 + 60_000)).toEqual([]);
    const byCountry = new ConversionWatch({ ...cfg, countries: true }).evaluate(counts, T0 + 60_000);
    expect(byCountry.map((b) => b.key)).toEqual(['country:US']);
  });

  it('ends a block after blockFor, and never blocks again for the sends it was blocked for', () => {
    const counts = new SlidingCounts();
    sends(counts, 'prefix:+1900', s0, 20, 0);
    const watch = new ConversionWatch({ ...cfg, blockFor: 60_000 });
    expect(watch.evaluate(counts, T0 + 31_000)).toHaveLength(1);
    expect(watch.expire(T0 + 91_000).map((b) => b.key)).toEqual(['prefix:+1900']);
    expect(watch.evaluate(counts, T0 + 92_000)).toEqual([]);
  });

  it('an operator unblock ends the block now; the sends before it do not count again', () => {
    const counts = new SlidingCounts();
    sends(counts, 'prefix:+1900', s0, 20, 0);
    const watch = new ConversionWatch(cfg);
    watch.evaluate(counts, T0 + 31_000);
    expect(watch.unblock('prefix:+1900', T0 + 35_000)?.key).toBe('prefix:+1900');
    expect(watch.unblock('prefix:+1900', T0 + 35_000)).toBeUndefined();
    expect(watch.evaluate(counts, T0 + 70_000)).toEqual([]);
    expect(conversionOf(counts, 'prefix:+1900', cfg, T0 + 70_000, watch.ignoreBefore.get('prefix:+1900'))).toEqual({
      sends: 0,
      received: 0,
    });
  });

  it('says when the oldest undecided sends become decided', () => {
    const counts = new SlidingCounts();
    sends(counts, 'prefix:+1900', s0, 1, 0);
    sends(counts, 'prefix:+1900', s0 + 5, 1, 0);
    expect(new ConversionWatch(cfg).nextDecision(counts, T0)).toBe(T0 + 30_000);
    expect(new ConversionWatch(cfg).nextDecision(counts, T0 + 31_000)).toBe(T0 + 35_000);
  });
});
