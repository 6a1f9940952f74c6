/** The pumping guard's keys, sliding counts and velocity check (src/domain/pumping.ts), and its config section. */
import { configSchema } from '../../src/domain/config';
import {
  countKey,
  countKeysOf,
  isCountKey,
  numberKeyTag,
  prefixOf,
  pumpingSubject,
  SlidingCounts,
  velocityBreach,
  type PumpingSubject,
} from '../../src/domain/pumping';
import { pumpingSchema } from '../../src/domain/pumping-config';
import { fixtureConfigInput } from '../helpers/fixtures';

const subject: PumpingSubject = pumpingSubject({ useCase: 'otp', destination: '+447700900123' }, 'GB', {
  prefixLength: 4,
});

describe('keys', () => {
  it('counts a number under a tag, never the number itself, the same in every message', () => {
    expect(subject.numberTag).toMatch(/^[0-9a-f]{16}$/);
    expect(subject.numberTag).toBe(numberKeyTag('+447700900123'));
    expect(JSON.stringify(countKeysOf(subject))).not.toContain('7700900123');
    expect(countKeysOf(subject)).toEqual([`otp|number:${subject.numberTag}`, 'otp|prefix:+4477', 'otp|country:GB']);
    expect(countKeysOf(subject).every(isCountKey)).toBe(true);
  });

  it('takes the prefix from the digits after +', () => {
    expect(prefixOf('+14254147755', 6)).toBe('+142541');
    expect(prefixOf('+4470', 8)).toBe('+4470');
  });

  it('refuses keys of other shapes', () => {
    for (const k of ['otp|number:+447700900123', 'otp|prefix:4470', 'OTP|country:GB', 'otp|country:gb', 'x', 3]) {
      expect(isCountKey(k)).toBe(false);
    }
  });
});

describe('SlidingCounts', () => {
  it('sums a field over a range of seconds and forgets what is pruned', () => {
    const c = new SlidingCounts();
    c.add({ key: 'k', second: 10, admitted: 2 });
    c.add({ key: 'k', second: 11, admitted: 1, stopped: 1 });
    c.add({ key: 'k', second: 20, admitted: 5 });
    expect(c.sum('k', 'admitted', 10, 11)).toBe(3);
    expect(c.sum('k', 'stopped', 0, 100)).toBe(1);
    expect(c.newest('k', 'admitted')).toBe(20);
    expect(c.firstAfter('k', 'admitted', 10)).toBe(11);
    c.prune(12);
    expect(c.sum('k', 'admitted', 0, 100)).toBe(5);
  });

  it('refuses a key past its bound', () => {
    const c = new SlidingCounts(1);
    expect(c.add({ key: 'a', second: 1, admitted: 1 })).toBe(true);
    expect(c.add({ key: 'b', second: 1, admitted: 1 })).toBe(false);
    expect(c.add({ key: 'a', second: 2, admitted: 1 })).toBe(true);
  });
});

describe('velocityBreach', () => {
  const limits = [
    { scope: 'number' as const, limit: 3, window: 600_000 },
    { scope: 'prefix' as const, limit: 20, window: 60_000 },
  ];

  it('lets the message through while every key is under its limit', () => {
    expect(velocityBreach(limits, subject, (key) => (key.includes('prefix') ? 19 : 2))).toBeUndefined();
  });

  it('names the key, the limit, the window and the use case of the first limit exceeded', () => {
    const breach = velocityBreach(limits, subject, (key, w) =>
      key === countKey('otp', 'prefix:+4477') && w === 60_000 ? 20 : 0,
    );
    expect(breach?.reason).toBe('VELOCITY_LIMIT: prefix +4477 over 20 per 60s for otp');
    const byNumber = velocityBreach(limits, subject, () => 3);
    expect(byNumber?.reason).toBe(`VELOCITY_LIMIT: number #${subject.numberTag.slice(0, 8)} over 3 per 10m for otp`);
  });
});

describe('the pumping config section', () => {
  it('has defaults and refuses a bad window, naming it', () => {
    const s = pumpingSchema.parse({ enabled: true, conversion: {} });
    expect(s).toMatchObject({ prefixLength: 6, velocity: {}, conversion: { threshold: 0.2, minVolume: 20 } });
    const bad = pumpingSchema.safeParse({ velocity: { otp: [{ scope: 'prefix', limit: 5, window: '2h' }] } });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('window must be between 1s and 1h');
  });

  it('refuses a use case that is not a policy (a typo would guard nothing)', () => {
    const config = {
      ...fixtureConfigInput(),
      pumping: { enabled: true, velocity: { otpp: [{ scope: 'prefix', limit: 5, window: '60s' }] } },
    };
    const r = configSchema.safeParse(config);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('pumping.velocity.otpp: unknown use case \\"otpp\\"');
  });
});
