/**
 * The breaker state machine (src/domain/breaker.ts), property: whatever the thresholds and timing, a stream of
 * successes never opens it; a failure stream above the threshold always does; half-open closes only on probe
 * successes; an AWS Health open never closes on counts.
 */
import fc from 'fast-check';
import { Breakers, type BreakerConfig } from '../../src/domain/breaker';
import type { ReportedCounts } from '../../src/domain/breaker-counts';
import { breakerThresholdsSchema } from '../../src/domain/route-health-config';

const T0 = 1_800_000_000_000;
const KEYS = ['region:us-east-1', 'route:primary/us-east-1', 'originator:primary/us-east-1/pool-sc@US'];

const thresholds = fc.record({
  minVolume: fc.integer({ min: 1, max: 50 }),
  failureRatio: fc.oneof(fc.constant(1), fc.double({ min: 0.05, max: 0.95, noNaN: true })),
  consecutiveFailures: fc.integer({ min: 0, max: 20 }),
  window: fc.integer({ min: 1_000, max: 120_000 }),
  cooldown: fc.integer({ min: 0, max: 60_000 }),
  halfOpenProbes: fc.integer({ min: 1, max: 5 }),
});
const configArb: fc.Arbitrary<BreakerConfig> = fc
  .record({ se: thresholds, rf: thresholds, nr: thresholds, overdueAfter: fc.integer({ min: 1_000, max: 30_000 }) })
  .map(({ se, rf, nr, overdueAfter }) => ({
    breakers: {
      'send-error': breakerThresholdsSchema.parse(se),
      'receipt-failure': breakerThresholdsSchema.parse(rf),
      'no-receipt': breakerThresholdsSchema.parse(nr),
    },
    overdueAfter,
    latencyFactor: 3,
  }));

/** Steps of time (ms) between batches. */
const gaps = fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 40 });

/** Successful sends, each with its delivered receipt reported (in the same or a later batch). */
function successes(key: string, at: number, n: number): ReportedCounts[] {
  const second = Math.floor(at / 1000);
  return [
    { key, second, ok: n, failures: {}, awaitingReceipt: key.startsWith('originator:') ? n : undefined },
    ...(key.startsWith('originator:') ? [{ key, second, ok: n, delivered: n, failures: {}, awaitingReceipt: -n }] : []),
  ];
}

describe('Breakers (property)', () => {
  it('never opens on a stream of successes', () => {
    fc.assert(
      fc.property(configArb, gaps, fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 40 }), (cfg, dts, ns) => {
        const b = new Breakers(cfg);
        let now = T0;
        dts.forEach((dt, i) => {
          now += dt;
          for (const key of KEYS) b.record(successes(key, now, ns[i] ?? 1), { [key]: [800, 1200] }, now);
          expect(b.tick(now)).toEqual([]);
          expect(b.views(now).every((v) => v.state === 'closed')).toBe(true);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('always opens on a failure stream above the threshold', () => {
    const arb = fc.record({
      cfg: configArb,
      ok: fc.integer({ min: 0, max: 200 }),
      extra: fc.integer({ min: 0, max: 50 }),
      spread: fc.integer({ min: 1, max: 5 }),
      cls: fc.constantFrom('send-error' as const, 'receipt-failure' as const),
    });
    fc.assert(
      fc.property(arb, ({ cfg, ok: okWanted, extra, spread, cls }) => {
        const th = cfg.breakers[cls];
        const ok = th.failureRatio >= 1 ? 0 : okWanted; // a ratio of 1 needs every outcome to fail
        // Enough failures for the ratio rule: failures / (ok + failures) >= failureRatio, volume >= minVolume.
        const forRatio = th.failureRatio >= 1 ? 0 : Math.ceil((th.failureRatio * ok) / (1 - th.failureRatio));
        let failed = Math.max(1, th.minVolume - ok, extra, forRatio);
        while (failed / (ok + failed) < th.failureRatio) failed++;
        const b = new Breakers(cfg);
        const key = KEYS[2];
        // Spread over `spread` batches within the window (≤ 1 s apart, the shortest window is 1 s).
        const now = T0 + 999;
        for (let i = 0; i < spread; i++) {
          const part = (n: number) => Math.floor(n / spread) + (i < n % spread ? 1 : 0);
          const okPart = part(ok);
          b.record(
            [
              {
                key,
                second: Math.floor(T0 / 1000),
                ok: okPart,
                delivered: cls === 'receipt-failure' ? okPart : 0,
                failures: { [cls]: part(failed) },
              },
            ],
            {},
            now,
          );
        }
        expect(b.view(key, now)!.state).toBe('open');
      }),
      { numRuns: 300 },
    );
  });

  type Step = { kind: 'fail' | 'ok' | 'tick'; dt: number; n: number };
  const steps = fc.array(
    fc.record({
      kind: fc.constantFrom('fail' as const, 'ok' as const, 'tick' as const),
      dt: fc.integer({ min: 0, max: 30_000 }),
      n: fc.integer({ min: 1, max: 6 }),
    }),
    { minLength: 1, maxLength: 60 },
  );

  it('closes a half-open breaker only on probe successes, never on time or failures', () => {
    fc.assert(
      fc.property(configArb, steps, (cfg, plan: Step[]) => {
        const b = new Breakers(cfg);
        const key = KEYS[0];
        let now = T0;
        let successesSinceHalfOpen = 0;
        for (const step of plan) {
          now += step.dt;
          const before = b.view(key, now)?.state ?? 'closed';
          const second = Math.floor(now / 1000);
          let transitions;
          if (step.kind === 'tick') transitions = b.tick(now);
          else {
            const counts: ReportedCounts =
              step.kind === 'ok'
                ? { key, second, ok: step.n, failures: {} }
                : { key, second, ok: 0, failures: { 'send-error': step.n } };
            transitions = b.record([counts], {}, now).transitions;
          }
          if (before === 'half-open' && step.kind === 'ok') successesSinceHalfOpen += step.n;
          for (const t of transitions) {
            if (t.from === 'half-open' && t.to === 'closed') {
              expect(step.kind).toBe('ok');
              expect(successesSinceHalfOpen).toBeGreaterThanOrEqual(cfg.breakers['send-error'].halfOpenProbes);
            }
            if (t.to === 'half-open') successesSinceHalfOpen = 0;
            expect(t.from === 'open' && t.to === 'closed').toBe(false); // open never closes directly
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never closes an AWS Health open on counts or time', () => {
    fc.assert(
      fc.property(configArb, steps, (cfg, plan: Step[]) => {
        const b = new Breakers(cfg);
        const key = KEYS[0];
        const ev = { eventArn: 'arn:e1', region: 'us-east-1', eventTypeCode: 'AWS_SMS_OPERATIONAL_ISSUE', at: T0 };
        b.healthEvent({ ...ev, statusCode: 'open' }, T0);
        let now = T0;
        for (const step of plan) {
          now += step.dt;
          const second = Math.floor(now / 1000);
          if (step.kind === 'tick') b.tick(now);
          else b.record([{ key, second, ok: step.kind === 'ok' ? step.n * 10 : 0, failures: {} }], {}, now);
          expect(b.view(key, now)!.state).toBe('open');
        }
        expect(b.healthEvent({ ...ev, statusCode: 'closed' }, now).transitions.length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200 },
    );
  });
});
