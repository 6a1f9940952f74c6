import fc from 'fast-check';
import { maskPhone } from '../../src/domain/privacy';

describe('maskPhone', () => {
  it('keeps country code, area code and the last two digits of a US number', () => {
    expect(maskPhone('+14255550156')).toBe('+1425*****56');
  });

  it('masks other lengths the same way', () => {
    expect(maskPhone('+442071838750')).toBe('+4420******50');
    expect(maskPhone('+4915123456789')).toBe('+4915*******89');
    expect(maskPhone('+6834002')).toBe('+68****2');
  });

  it('shows less of short numbers and nothing of very short ones', () => {
    expect(maskPhone('+123456')).toBe('+12***6');
    expect(maskPhone('1234567')).toBe('12****7');
    expect(maskPhone('+1234')).toBe('+****');
    expect(maskPhone('+1')).toBe('+*');
    expect(maskPhone('')).toBe('');
  });

  it('keeps the length, hides at least one digit, and never returns the number', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+[1-9]\d{1,14}$/), (e164) => {
        const masked = maskPhone(e164);
        expect(masked).toHaveLength(e164.length);
        expect(masked).toContain('*');
        expect(masked).not.toBe(e164);
        // Whatever is shown is shown in place.
        [...masked].forEach((ch, i) => ch === '*' || expect(ch).toBe(e164[i]));
        // At least 40 % of the digits are hidden, whatever the length.
        const hidden = [...masked].filter((ch) => ch === '*').length;
        expect(hidden).toBeGreaterThanOrEqual(Math.ceil((e164.length - 1) * 0.4));
        expect(masked.startsWith('+')).toBe(true);
      }),
    );
  });
});
