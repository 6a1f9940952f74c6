/**
 * Properties of the pumping guard's pure parts: counted exactly (one process), the velocity check never lets more
 * than `limit` messages of a key through in any window; the conversion watch blocks exactly when the decided sends
 * reach the minimum volume and convert below the threshold.
 */
import fc from 'fast-check';
import { ConversionWatch } from '../../src/domain/conversion-watch';
import { countKey, SlidingCounts, velocityBreach, windowStart, type PumpingSubject } from '../../src/domain/pumping';
import { conversionWatchSchema } from '../../src/domain/pumping-config';

const subject: PumpingSubject = { useCase: 'otp', country: 'US', prefix: '+1900', numberTag: '0123456789abcdef' };
const key = countKey('otp', 'prefix:+1900');

describe('velocity', () => {
  it('admits at most limit messages in every window of the limit, whatever the arrival times', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.integer({ min: 0, max: 120_000 }), { maxLength: 80 }),
        (limit, windowS, offsets) => {
          const windowMs = windowS * 1000;
          const counts = new SlidingCounts();
          const admitted: number[] = [];
          for (const at of [...offsets].sort((a, b) => a - b)) {
            const breach = velocityBreach([{ scope: 'prefix', limit, window: windowMs }], subject, (k, w) =>
              counts.sum(k, 'admitted', windowStart(at, w), Math.floor(at / 1000)),
            );
            if (breach) continue;
            counts.add({ key, second: Math.floor(at / 1000), admitted: 1 });
            admitted.push(Math.floor(at / 1000));
          }
          for (const s of admitted) {
            const inWindow = admitted.filter((x) => x >= s && x < s + windowS).length;
            expect(inWindow).toBeLessThanOrEqual(limit);
          }
        },
      ),
    );
  });
});

describe('conversion', () => {
  it('blocks if and only if sends ≥ minVolume and received / sends < threshold', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (minVolume, threshold, sent, receivedRaw) => {
          const received = Math.min(sent, receivedRaw);
          const cfg = conversionWatchSchema.parse({ minVolume, threshold, feedbackWait: '1s', window: '60s' });
          const counts = new SlidingCounts();
          counts.add({ key, second: 1000, admitted: sent, received });
          const blocks = new ConversionWatch(cfg).evaluate(counts, 1_010_000);
          expect(blocks.length === 1).toBe(sent >= minVolume && received / sent < threshold);
        },
      ),
    );
  });
});
