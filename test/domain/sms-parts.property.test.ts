/**
 * Properties of `smsParts` against a direct model of the rules: encoding is GSM exactly when every
 * character is in GSM 03.38, units are the sum of each character's size, and the part count is what
 * cutting the body into parts of 153 septets / 67 code units (never inside a character) gives.
 */
import fc from 'fast-check';
import { SMS_LIMITS, smsBodyProblem, smsParts } from '../../src/domain/sms-parts';

const GSM_BASIC = [
  ...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
];
const GSM_EXT = [...'\f^{}\\[~]|€'];
const OTHER = ['ж', 'ç', '✓', '😀', '𝄞', 'é\u0301', '中'];

const charArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...GSM_BASIC) },
  { weight: 2, arbitrary: fc.constantFrom(...GSM_EXT) },
  { weight: 1, arbitrary: fc.constantFrom(...OTHER) },
);
const bodyArb = fc.array(charArb, { maxLength: 1700 }).map((cs) => cs.join(''));

/** The rules written out the slow, obvious way: cut into parts one character at a time. */
function model(body: string) {
  const chars = Array.from(body);
  const gsm = chars.every((c) => GSM_BASIC.includes(c) || GSM_EXT.includes(c));
  const size = (c: string) => (gsm ? (GSM_EXT.includes(c) ? 2 : 1) : c.length);
  const units = chars.reduce((n, c) => n + size(c), 0);
  const limits = SMS_LIMITS[gsm ? 'GSM' : 'UCS2'];
  if (units <= limits.single) return { encoding: gsm ? 'GSM' : 'UCS2', units, parts: 1 };
  const parts: number[] = [0];
  for (const c of chars) {
    if (parts[parts.length - 1] + size(c) > limits.perPart) parts.push(0);
    parts[parts.length - 1] += size(c);
  }
  return { encoding: gsm ? 'GSM' : 'UCS2', units, parts: parts.length };
}

describe('smsParts', () => {
  it('agrees with the model on every body', () => {
    fc.assert(
      fc.property(bodyArb, (body) => {
        expect(smsParts(body)).toEqual(model(body));
      }),
      { numRuns: 500 },
    );
  });

  it('accepts a non-blank body exactly when it fits the AWS maximum, which is at most 10 parts', () => {
    fc.assert(
      fc.property(bodyArb, (body) => {
        fc.pre(body.trim() !== '');
        const p = smsParts(body);
        const fits = p.units <= SMS_LIMITS[p.encoding].max;
        expect(smsBodyProblem(body) === undefined).toBe(fits);
        if (fits) expect(p.parts).toBeLessThanOrEqual(10);
      }),
      { numRuns: 500 },
    );
  });
});
