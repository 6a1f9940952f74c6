/** The simulator's protect configurations (src/simulator/protect.ts): what each country rule mode does to a send. */
import { ProtectConfigurations } from '../../src/simulator/protect';

const store = new ProtectConfigurations();
store.set('pc-otp', {
  sms: { GB: 'FILTER', FR: 'BLOCK', DE: 'MONITOR' },
  aitPrefixes: ['+44700', '+49151'],
  numberOverrides: { '+447700900123': 'ALLOW', '+14255550100': 'BLOCK' },
});

describe('ProtectConfigurations.verdict', () => {
  it('refuses a blocked country and a blocked number with the ConflictException reasons AWS lists', () => {
    expect(store.verdict('pc-otp', '+33612345678', 'FR')).toMatchObject({
      kind: 'refuse',
      reason: 'DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION',
    });
    expect(store.verdict('pc-otp', '+14255550100', 'US')).toMatchObject({
      kind: 'refuse',
      reason: 'DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE',
    });
  });

  it('filters AIT-suspected destinations of a FILTER country, monitors those of a MONITOR country, allows the rest', () => {
    expect(store.verdict('pc-otp', '+447000123456', 'GB')).toEqual({ kind: 'filter' });
    expect(store.verdict('pc-otp', '+447911123456', 'GB')).toBeUndefined();
    expect(store.verdict('pc-otp', '+447700900123', 'GB')).toBeUndefined(); // an ALLOW override wins
    expect(store.verdict('pc-otp', '+4915112345678', 'DE')).toEqual({ kind: 'monitor' });
    expect(store.verdict('pc-otp', '+12065550100', 'US')).toBeUndefined(); // default ALLOW
  });

  it('does nothing for a send without a protect configuration, or one it does not know', () => {
    expect(store.verdict(undefined, '+33612345678', 'FR')).toBeUndefined();
    expect(store.verdict('pc-other', '+33612345678', 'FR')).toBeUndefined();
  });

  it('refuses a malformed configuration, naming the field', () => {
    expect(() => store.set('bad', { sms: { GB: 'DENY' } })).toThrow(/sms\.GB/);
    expect(() => store.set('bad', { aitPrefixes: ['4470'] })).toThrow(/a number prefix such as \+44700/);
  });
});
