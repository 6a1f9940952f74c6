/** The pumpingGuard workflow's state (src/workflows/pumping-guard-state.ts), without a server. */
import { pumpingSchema } from '../../src/domain/pumping-config';
import { PumpingGuardState } from '../../src/workflows/pumping-guard-state';

const section = pumpingSchema.parse({
  enabled: true,
  velocity: { otp: [{ scope: 'prefix', limit: 20, window: '60s' }] },
  conversion: { minVolume: 5, threshold: 0.5, feedbackWait: '10s', window: '5m', blockFor: '10m' },
});
const T = 1_800_000_000_000;
const S = T / 1000;

function state(): PumpingGuardState {
  return new PumpingGuardState({ velocity: section.velocity, conversion: section.conversion });
}

describe('PumpingGuardState', () => {
  it('refuses malformed records by name and counts the rest', () => {
    const st = state();
    const { rejected } = st.record(
      [
        { key: 'otp|prefix:+1900', second: S, admitted: 6 },
        { key: 'otp|number:+19005550100', second: S, admitted: 1 },
        { key: 'otp|prefix:+1900', second: S + 3600, admitted: 1 },
        { key: 'otp|prefix:+1900', second: S, admitted: -1 },
        null,
      ],
      T,
    );
    expect(rejected).toEqual([
      'bad key "otp|number:+19005550100"',
      `otp|prefix:+1900: second ${S + 3600} is ahead of the clock`,
      'otp|prefix:+1900: counts must be integers 0…1000000',
      'not an object',
    ]);
    expect(st.snapshot(T).admitted).toEqual({ 'otp|prefix:+1900': [[S, 6]] });
  });

  it('blocks a prefix without feedback once its sends are decided, and shows it in snapshot and view', () => {
    const st = state();
    st.record([{ key: 'otp|prefix:+1900', second: S, admitted: 6 }], T);
    expect(st.tick(T + 5_000).started).toEqual([]);
    expect(st.nextDue(T + 5_000)).toBe(T + 10_000);
    const { started } = st.tick(T + 10_000);
    expect(started.map((b) => b.key)).toEqual(['prefix:+1900']);
    expect(st.snapshot(T + 10_000).entries).toEqual([
      expect.objectContaining({ key: 'prefix:+1900', state: 'blocked' }),
    ]);
    expect(st.view(T + 10_000).keys[0]).toMatchObject({ key: 'prefix:+1900', state: 'blocked', sends: 6, received: 0 });
  });

  it('marks a prefix tripped while a velocity stop is in its window', () => {
    const st = state();
    st.record([{ key: 'otp|prefix:+1900', second: S, stopped: 2 }], T);
    expect(st.entries(T + 1_000)).toEqual([
      expect.objectContaining({ key: 'prefix:+1900', state: 'tripped', since: T }),
    ]);
    expect(st.entries(T + 61_000)).toEqual([]);
  });

  it('carries counts and blocks over continue-as-new', () => {
    const st = state();
    st.record([{ key: 'otp|prefix:+1900', second: S, admitted: 6 }], T);
    st.tick(T + 10_000);
    const next = new PumpingGuardState(st.config, JSON.parse(JSON.stringify(st.serialize())));
    expect(next.restoreNotes).toEqual([]);
    expect(next.entries(T + 11_000).map((e) => e.state)).toEqual(['blocked']);
    expect(new PumpingGuardState(st.config, { v: 9 }).restoreNotes).toEqual([
      'carried state of an unknown version dropped',
    ]);
  });
});
