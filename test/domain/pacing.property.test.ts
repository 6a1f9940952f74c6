/**
 * dispatchRate (src/domain/pacing.ts) against the server's limiter (at most rate x (W + 1) + 1 tasks in any W s):
 * from 2 MPS up, the opening burst fits one second of MPS and no 5 s window passes 110 % of the MPS; below, the
 * second send of a burst comes after the bucket has refilled. maxInWindow, which reads that 5 s figure from a send
 * log, against counting every window that starts at one of the times.
 */
import fc from 'fast-check';
import { dispatchRate, maxInWindow } from '../../src/domain/pacing';

describe('dispatchRate', () => {
  it('stays within the bucket and the 5 s target for every MPS from 2', () => {
    fc.assert(
      fc.property(fc.double({ min: 2, max: 10_000, noNaN: true }), (mps) => {
        const rate = dispatchRate(mps);
        expect(rate).toBeGreaterThan(0);
        expect(rate + 1).toBeLessThanOrEqual(mps + 1e-9);
        expect(rate * 6 + 1).toBeLessThanOrEqual(5.5 * mps + 1e-9);
      }),
    );
  });

  it('below 2 MPS, spaces the second send of a burst 10 % beyond the bucket’s refill time', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 1.999, noNaN: true }), (mps) => {
        const rate = dispatchRate(mps);
        expect(rate).toBeLessThan(1); // an opening burst of one task
        expect(1 / rate - 1).toBeGreaterThanOrEqual(1.1 / mps - 1e-6);
      }),
    );
  });

  it('is positive and below the MPS for any MPS', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 10_000, noNaN: true }), (mps) => {
        const rate = dispatchRate(mps);
        expect(rate).toBeGreaterThan(0);
        expect(rate).toBeLessThan(mps);
      }),
    );
  });
});

describe('maxInWindow', () => {
  it('is the most times in any window [t, t + W) that starts at one of them, whatever their order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20_000 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 6_000 }),
        (times, windowMs) => {
          const brute = Math.max(0, ...times.map((s) => times.filter((t) => t >= s && t < s + windowMs).length));
          expect(maxInWindow(times, windowMs)).toBe(brute);
        },
      ),
    );
  });

  it('counts a time exactly one window after another in the next window', () => {
    expect(maxInWindow([5_000, 0, 4_999], 5_000)).toBe(2);
    expect(maxInWindow([], 5_000)).toBe(0);
  });
});
