/**
 * The aggregator under any sequence of observations and flushes: a batch that failed and was put back is sent later
 * with nothing lost, whatever the order of failures and successes.
 */
import fc from 'fast-check';
import { ObservationAggregator } from '../../src/health/aggregator';
import { keysOfRung, type RouteObservation } from '../../src/domain/route-health';
import type { KeyCounts } from '../../src/workflows/route-health-definitions';

const KEYS = keysOfRung({ channel: 'sms', account: 'primary', region: 'us-east-1', originator: 'pool-1' }, 'US');
const ORIG = 'originator:primary/us-east-1/pool-1@US';
const T0 = 1_700_000_000_000;

const observationArb: fc.Arbitrary<RouteObservation> = fc.oneof(
  fc.record({
    kind: fc.constant('send' as const),
    at: fc.integer({ min: T0, max: T0 + 5_000 }),
    keys: fc.constant(KEYS),
    outcome: fc.constantFrom('ok' as const, 'failure' as const),
    blamed: fc.constantFrom(...KEYS),
    probe: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('receipt' as const),
    at: fc.integer({ min: T0, max: T0 + 5_000 }),
    key: fc.constant(ORIG),
    sentAt: fc.integer({ min: T0 - 5_000, max: T0 }),
    ok: fc.boolean(),
    probe: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('no-receipt' as const),
    at: fc.integer({ min: T0, max: T0 + 5_000 }),
    key: fc.constant(ORIG),
    sentAt: fc.integer({ min: T0 - 5_000, max: T0 }),
    probe: fc.boolean(),
  }),
);

function totals(counts: KeyCounts[]) {
  let ok = 0;
  let failures = 0;
  let probes = 0;
  let awaiting = 0;
  let delivered = 0;
  for (const c of counts) {
    ok += c.ok;
    awaiting += c.awaitingReceipt ?? 0;
    delivered += c.delivered ?? 0;
    failures += Object.values(c.failures).reduce((s, n) => s + (n ?? 0), 0);
    probes += (c.probeOk ?? 0) + (c.probeFailures ?? 0);
  }
  return { ok, failures, probes, awaiting, delivered };
}

describe('ObservationAggregator: a batch put back', () => {
  it('loses no count when flushes fail and succeed in any order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(observationArb, fc.constantFrom('none', 'fail', 'ok'))), (steps) => {
        const reference = new ObservationAggregator();
        const a = new ObservationAggregator();
        const sent: KeyCounts[] = [];
        for (const [o, flush] of steps) {
          reference.observe(o);
          a.observe(o);
          if (flush === 'none') continue;
          const batch = a.drain('w');
          if (batch && flush === 'fail') a.restore(batch);
          else if (batch) sent.push(...batch.counts);
        }
        sent.push(...(a.drain('w')?.counts ?? []));
        expect(totals(sent)).toEqual(totals(reference.drain('w')?.counts ?? []));
      }),
    );
  });
});
