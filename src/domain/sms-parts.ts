/**
 * How AWS End User Messaging will encode an SMS body, how many message parts it takes, and whether
 * the service accepts it at all — computed before anything is sent, so that a request the service
 * would refuse is refused at the boundary instead.
 *
 * AWS's rules (SMS character limits, AWS End User Messaging SMS User Guide,
 * https://docs.aws.amazon.com/sms-voice/latest/userguide/sms-limitations-character.html):
 *  - a body of GSM 03.38 characters only is sent in the GSM 7-bit alphabet: 160 characters in one
 *    message, 153 per part when split; any other character makes the whole body UCS-2: 70 in one
 *    message, 67 per part;
 *  - "The maximum supported size of any message is 1530 GSM characters or 630 non-GSM characters";
 *    a larger one fails. 1530 is 10 parts of 153.
 * The API model's own limit (`SendTextMessage` `MessageBody`, SDK model of
 * @aws-sdk/client-pinpoint-sms-voice-v2 / https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_SendTextMessage.html:
 * length 1 to 1600) is looser than both, so these are the binding ones.
 *
 * Units, as the carriers count them (3GPP TS 23.038, section 6.2.1): a character of the default
 * alphabet takes one septet, a character of the default alphabet extension table takes two (the
 * escape 0x1B and the character), and a part never ends between the two. In UCS-2 a character takes
 * one UTF-16 code unit, and one outside the Basic Multilingual Plane (most emoji) takes two — a
 * surrogate pair, never split between parts. The limits above are counted in these units, which
 * is never less than what the service counts, so what passes here passes there.
 */

export type SmsEncoding = 'GSM' | 'UCS2';

export interface SmsParts {
  encoding: SmsEncoding;
  /** Septets (GSM) or UTF-16 code units (UCS-2). */
  units: number;
  /** Message parts the body is split into (each one billed and counted against MPS). */
  parts: number;
}

/** 3GPP TS 23.038 section 6.2.1, the GSM 7-bit default alphabet (0x1B, the escape, is not a character). */
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
/** 3GPP TS 23.038 section 6.2.1.1, the default alphabet extension table: form feed ^ { } \ [ ~ ] | €. */
const GSM_EXTENSION = new Set('\f^{}\\[~]|€');

/** Per encoding: one unsplit message, one part of a split message, the most AWS accepts. */
export const SMS_LIMITS: Record<SmsEncoding, { single: number; perPart: number; max: number }> = {
  GSM: { single: 160, perPart: 153, max: 1530 },
  UCS2: { single: 70, perPart: 67, max: 630 },
};

/** Size of each character in its encoding's units; UCS-2 as soon as one character is outside GSM 03.38. */
function unitSizes(body: string): { encoding: SmsEncoding; sizes: number[] } {
  const sizes: number[] = [];
  for (const ch of body) {
    if (GSM_BASIC.has(ch)) sizes.push(1);
    else if (GSM_EXTENSION.has(ch)) sizes.push(2);
    else return { encoding: 'UCS2', sizes: Array.from(body, (c) => c.length) };
  }
  return { encoding: 'GSM', sizes };
}

/** Encoding, size and number of message parts of an SMS body. */
export function smsParts(body: string): SmsParts {
  const { encoding, sizes } = unitSizes(body);
  const { single, perPart } = SMS_LIMITS[encoding];
  let units = 0;
  for (const s of sizes) units += s;
  if (units <= single) return { encoding, units, parts: 1 };
  // Fill parts in order; a two-unit character that does not fit in what is left starts the next part.
  let parts = 1;
  let used = 0;
  for (const s of sizes) {
    if (used + s > perPart) {
      parts++;
      used = 0;
    }
    used += s;
  }
  return { encoding, units, parts };
}

/** The first character outside GSM 03.38, as U+XXXX (never the body itself: it is personal data). */
function firstNonGsm(body: string): string | undefined {
  for (const ch of body) {
    if (!GSM_BASIC.has(ch) && !GSM_EXTENSION.has(ch)) {
      return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    }
  }
  return undefined;
}

/** Why AWS would refuse this SMS body, or undefined when it is accepted. */
export function smsBodyProblem(body: string): string | undefined {
  if (body.length === 0) return 'must not be empty';
  if (body.includes('\u0000')) return 'must not contain NUL characters (U+0000)';
  if (body.trim() === '') return 'must contain more than whitespace';
  const { encoding, units } = smsParts(body);
  const { max, perPart } = SMS_LIMITS[encoding];
  if (units <= max) return undefined;
  return encoding === 'GSM'
    ? `is ${units} GSM 7-bit characters (extension characters such as € { } [ ] count twice); ` +
        `AWS accepts at most ${max} (${max / perPart} parts of ${perPart})`
    : `is ${units} UCS-2 characters (emoji count twice; ${firstNonGsm(body)} is outside the GSM 7-bit alphabet, ` +
        `so the whole body is UCS-2); AWS accepts at most ${max} in UCS-2`;
}

/** "2 SMS parts (GSM 7-bit, 200 characters)", for people. */
export function describeSmsParts(p: SmsParts): string {
  const unit = p.encoding === 'GSM' ? 'GSM 7-bit, ' : 'UCS-2, ';
  return `${p.parts} SMS part${p.parts === 1 ? '' : 's'} (${unit}${p.units} characters)`;
}
