/**
 * SMS encoding and message parts (`smsParts`, `smsBodyProblem`): GSM 7-bit vs UCS-2 as 3GPP TS 23.038
 * and AWS's SMS character limits define them, the 160/153 and 70/67 part sizes, and the largest body
 * AWS accepts (1530 GSM characters, 630 non-GSM).
 */
import { describeSmsParts, smsBodyProblem, smsParts } from '../../src/domain/sms-parts';

describe('smsParts', () => {
  it.each([
    ['Your code is 123456', 'GSM', 19, 1],
    ['x'.repeat(160), 'GSM', 160, 1],
    ['x'.repeat(161), 'GSM', 161, 2],
    ['x'.repeat(306), 'GSM', 306, 2],
    ['x'.repeat(307), 'GSM', 307, 3],
    ['x'.repeat(1530), 'GSM', 1530, 10],
    // Extension characters take two septets: 80 fill one message, 81 need two parts.
    ['€'.repeat(80), 'GSM', 160, 1],
    ['€'.repeat(81), 'GSM', 162, 2],
    // Every character of the default alphabet, and every extension character.
    ['@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà', 'GSM', 65, 1],
    ['\f^{}\\[~]|€', 'GSM', 20, 1],
    // One character outside GSM 03.38 makes the whole body UCS-2.
    ['Your code is 123456 ✓', 'UCS2', 21, 1],
    ['ж'.repeat(70), 'UCS2', 70, 1],
    ['ж'.repeat(71), 'UCS2', 71, 2],
    ['ж'.repeat(134), 'UCS2', 134, 2],
    ['ж'.repeat(135), 'UCS2', 135, 3],
    // Emoji outside the BMP are surrogate pairs: two UTF-16 code units each.
    ['😀'.repeat(35), 'UCS2', 70, 1],
    ['😀'.repeat(36), 'UCS2', 72, 2],
    ['ç', 'UCS2', 1, 1], // 0x09 of the default alphabet is Ç; small ç is not in it
    ['`', 'UCS2', 1, 1], // neither is the backtick
  ])('%j is %s, %i units, %i part(s)', (body, encoding, units, parts) => {
    expect(smsParts(body)).toEqual({ encoding, units, parts });
  });

  it('never splits an extension character between two parts', () => {
    // 152 septets, then a two-septet €: it cannot end part 1, so part 1 holds 152 and part 2 the rest.
    const body = 'x'.repeat(152) + '€' + 'x'.repeat(152);
    expect(smsParts(body)).toEqual({ encoding: 'GSM', units: 306, parts: 3 });
  });

  it('never splits a surrogate pair between two parts', () => {
    const body = 'ж'.repeat(66) + '😀' + 'ж'.repeat(66);
    expect(smsParts(body)).toEqual({ encoding: 'UCS2', units: 134, parts: 3 });
  });

  it('says it for people', () => {
    expect(describeSmsParts(smsParts('hi'))).toBe('1 SMS part (GSM 7-bit, 2 characters)');
    expect(describeSmsParts(smsParts('ж'.repeat(71)))).toBe('2 SMS parts (UCS-2, 71 characters)');
  });
});

describe('smsBodyProblem', () => {
  it.each([['x'], ['x'.repeat(1530)], ['€'.repeat(765)], ['ж'.repeat(630)], ['😀'.repeat(315)], ['  code 1  ']])(
    'accepts %#',
    (body) => {
      expect(smsBodyProblem(body)).toBeUndefined();
    },
  );

  it.each([
    ['', /must not be empty/],
    [' \t\n\r ', /more than whitespace/],
    ['\u3000\u00a0', /more than whitespace/],
    ['a\u0000b', /NUL/],
    ['x'.repeat(1531), /^is 1531 GSM 7-bit characters .*at most 1530 \(10 parts of 153\)/],
    ['€'.repeat(766), /^is 1532 GSM 7-bit characters/],
    ['ж'.repeat(631), /^is 631 UCS-2 characters .*U\+0436 is outside the GSM 7-bit alphabet.*at most 630/],
    ['😀'.repeat(316), /^is 632 UCS-2 characters .*U\+1F600/],
    ['😀'.repeat(801), /^is 1602 UCS-2 characters/],
  ])('rejects %#', (body, message) => {
    expect(smsBodyProblem(body)).toMatch(message);
  });

  it('never quotes the body (personal data) in its message', () => {
    const body = 'Secret 123456 ' + 'ж'.repeat(700);
    expect(smsBodyProblem(body)).not.toContain('Secret');
  });
});
