/**
 * AWS's destination simulator numbers as this project holds them (src/domain/simulator-numbers.ts), what the local
 * simulator answers for them, and that DLR faults pass them by while API faults do not.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { SIMULATOR_NUMBERS, simulatorNumber, simulatorNumberFor } from '../../src/domain/simulator-numbers';
import { FaultStore } from '../../src/simulator/faults';
import { simulatorFinal } from '../../src/simulator/sms-voice-front';

describe('simulator numbers', () => {
  it('has one success and one failure number in each of the 25 countries of AWS table, all different', () => {
    const countries = [...new Set(SIMULATOR_NUMBERS.map((s) => s.country))];
    expect(countries).toHaveLength(25);
    for (const c of countries) {
      expect(SIMULATOR_NUMBERS.filter((s) => s.country === c).map((s) => s.outcome)).toEqual(['success', 'failure']);
    }
    expect(new Set(SIMULATOR_NUMBERS.map((s) => s.number)).size).toBe(50);
  });

  it("every number is an E.164 number of its country, valid for libphonenumber except Norway's", () => {
    // libphonenumber's metadata has no Norwegian range for +47594…: possible, not valid. The request schema refuses
    // such numbers, so a canary cannot use them (src/canaries/plan.ts skips a country it cannot resolve).
    for (const s of SIMULATOR_NUMBERS) {
      const parsed = parsePhoneNumberFromString(s.number);
      expect({ number: s.number, possible: parsed?.isPossible(), country: parsed?.country }).toEqual({
        number: s.number,
        possible: true,
        country: s.country,
      });
      expect({ number: s.number, valid: parsed?.isValid() }).toEqual({ number: s.number, valid: s.country !== 'NO' });
    }
  });

  it('looks numbers up both ways', () => {
    expect(simulatorNumberFor('US')).toBe('+14254147755');
    expect(simulatorNumberFor('US', 'failure')).toBe('+14254147167');
    expect(simulatorNumberFor('GB')).toBe('+447860019066');
    expect(simulatorNumberFor('DE')).toBeUndefined();
    expect(simulatorNumber('+447860019067')).toEqual({ country: 'GB', outcome: 'failure', number: '+447860019067' });
    expect(simulatorNumber('+14255550123')).toBeUndefined();
  });
});

describe('the local simulator', () => {
  it('delivers texts to a success number and fails those to a failure number; other numbers and voice are left alone', () => {
    expect(simulatorFinal('SendTextMessage', '+14254147755')).toBe('TEXT_DELIVERED');
    expect(simulatorFinal('SendTextMessage', '+14254147167')).toBe('TEXT_BLOCKED');
    expect(simulatorFinal('SendTextMessage', '+14255550123')).toBeUndefined();
    expect(simulatorFinal('SendVoiceMessage', '+14254147755')).toBeUndefined();
  });

  it('lets DLR faults pass a simulator destination by, not API faults', () => {
    const faults = new FaultStore(['primary'], () => 0);
    faults.add({ match: {}, effect: { dlr: 'none' }, count: 1 });
    const send = {
      operation: 'SendTextMessage' as const,
      account: 'primary',
      region: 'us-east-1',
      originator: 'pool-x',
      destination: '+14254147755',
    };
    expect(faults.take({ ...send, simulatorDestination: true })).toBeUndefined();
    expect(faults.size).toBe(1); // not consumed
    faults.add({ match: { region: 'us-east-1' }, effect: { api: 'internal-error' } });
    expect(faults.take({ ...send, simulatorDestination: true })?.effect).toEqual({ api: 'internal-error' });
    expect(faults.take(send)?.effect).toEqual({ dlr: 'none' });
  });
});
