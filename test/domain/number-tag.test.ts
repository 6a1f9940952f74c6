/** numberTag: the pure SHA-256 agrees with node:crypto, and tags are salted by the workflow id. */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { numberTag, sha256Hex } from '../../src/domain/number-tag';

describe('sha256Hex', () => {
  it('agrees with node:crypto on any text, across block boundaries', () => {
    for (const text of ['', 'abc', 'x'.repeat(55), 'x'.repeat(56), 'x'.repeat(64), 'é€😀'.repeat(40)]) {
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    }
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
      }),
    );
  });
});

describe('numberTag', () => {
  it('is 16 hex digits, the same for the same message and number, different across messages', () => {
    const tag = numberTag('sms:a', '+14255550156');
    expect(tag).toMatch(/^[0-9a-f]{16}$/);
    expect(numberTag('sms:a', '+14255550156')).toBe(tag);
    expect(numberTag('sms:b', '+14255550156')).not.toBe(tag);
    expect(numberTag('sms:a', '+14255550157')).not.toBe(tag);
  });
});
