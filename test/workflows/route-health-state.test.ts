/**
 * RouteHealthState (src/workflows/route-health-state.ts) without a server: drain validation and expiry, what
 * messages and people see (snapshot, views, the Web UI's table), carried state, and the input's config read
 * defensively.
 */
import { breakerConfigOf, drainProblem, RouteHealthState } from '../../src/workflows/route-health-state';

const T0 = 1_800_000_000_000;
const REGION = 'region:us-east-1';
const state = () => new RouteHealthState(breakerConfigOf({}));

describe('RouteHealthState', () => {
  it('refuses bad drains with a message naming what is wrong', () => {
    expect(drainProblem({ key: 'primary-use1', reason: 'x', by: 'ops' })).toBe(
      'drain: "primary-use1" is not a route-health key (region:<region>, route:<account>/<region> or ' +
        'originator:<account>/<region>/<originator>@<country|*>)',
    );
    expect(drainProblem({ key: REGION, reason: '', by: 'ops' })).toBe('drain region:us-east-1: a reason is required');
    expect(drainProblem({ key: REGION, reason: 'r', by: '' })).toBe(
      'drain region:us-east-1: who asks (by) is required',
    );
    expect(drainProblem({ key: REGION, reason: 'r', by: 'ops', forMs: 0 })).toMatch(/forMs must be a whole number/);
    expect(drainProblem({ key: REGION, reason: 'r', by: 'ops', forMs: 1.5 })).toMatch(/forMs must be a whole number/);
    expect(drainProblem(null as never)).toBe('drain: the request is not an object');
    expect(
      drainProblem({ key: 'originator:primary/us-east-1/+12065550100@*', reason: 'r', by: 'ops' }),
    ).toBeUndefined();
    expect(state().undrainProblem({ key: REGION, by: 'ops' })).toBe('undrain: region:us-east-1 is not drained');
  });

  it('drains, shows the drain to messages and people, and ends it at its expiry', () => {
    const s = state();
    const change = s.drain({ key: REGION, reason: 'carrier maintenance', by: 'ops', forMs: 60_000 }, T0);
    expect(change).toMatchObject({ what: 'drained', from: 'closed', to: 'drained', wake: true });
    expect(s.drain({ key: REGION, reason: 'longer', by: 'ops' }, T0 + 1).wake).toBe(false); // already drained
    s.drain({ key: REGION, reason: 'carrier maintenance', by: 'ops', forMs: 60_000 }, T0);
    expect(s.snapshot(T0).entries).toEqual([
      {
        key: REGION,
        condition: 'drained',
        since: T0,
        why: 'drained by ops: carrier maintenance until 2027-01-15T08:01:00.000Z',
      },
    ]);
    expect(s.details(T0)).toContain(
      '| region:us-east-1 | drained | 2027-01-15T08:00:00.000Z | drained by ops: carrier maintenance until',
    );
    expect(s.nextDue(T0)).toBe(T0 + 60_000);
    expect(s.tick(T0 + 59_999)).toEqual([]);
    expect(s.tick(T0 + 60_000)).toEqual([
      expect.objectContaining({ key: REGION, what: 'drain-expired', from: 'drained', to: 'closed' }),
    ]);
    expect(s.snapshot(T0 + 60_000).entries).toEqual([]);
    expect(s.details(T0 + 60_000)).toMatch(/every route and originator closed$/);
  });

  it('keeps a drained key drained for messages while its breaker opens underneath, and does not wake twice', () => {
    const s = state();
    s.drain({ key: REGION, reason: 'r', by: 'ops' }, T0);
    const { transitions } = s.breakers.record(
      [{ key: REGION, second: T0 / 1000, ok: 0, failures: { 'send-error': 5 } }],
      {},
      T0,
    );
    expect(s.fromTransitions(transitions)).toEqual([expect.objectContaining({ to: 'open', wake: false })]);
    expect(s.view(REGION, T0)).toMatchObject({ state: 'open', condition: 'drained' });
    expect(s.undrain({ key: REGION, by: 'ops' }, T0)).toMatchObject({ from: 'drained', to: 'open' });
  });

  it('carries drains and breakers over, dropping what it cannot read', () => {
    const s = state();
    s.drain({ key: REGION, reason: 'r', by: 'ops' }, T0);
    const again = new RouteHealthState(breakerConfigOf({}), JSON.parse(JSON.stringify(s.serialize())));
    expect(again.snapshot(T0)).toEqual(s.snapshot(T0));
    const junk = new RouteHealthState(breakerConfigOf({}), { drains: { nope: {}, [REGION]: { reason: 1 } } });
    expect(junk.snapshot(T0).entries).toEqual([]);
    expect(junk.restoreNotes).toHaveLength(2);
    expect(new RouteHealthState(breakerConfigOf({}), 'garbage').snapshot(T0).entries).toEqual([]);
  });

  it('reads the config of its input defensively: missing or malformed values take their defaults', () => {
    const cfg = breakerConfigOf({ breakers: { 'send-error': { minVolume: 2, cooldown: 'x' } }, overdueAfter: -1 });
    expect(cfg.breakers['send-error']).toMatchObject({ minVolume: 2, cooldown: 30_000 });
    expect(cfg.breakers['no-receipt'].minVolume).toBe(5);
    expect(cfg.overdueAfter).toBe(10_000);
    expect(breakerConfigOf(undefined).latencyFactor).toBe(3);
  });
});
