/**
 * Personal data never goes into logs, search attributes or summaries. Pure helpers, safe in workflows.
 */

/** `+14255550156` -> `+1425*****56`: enough to tell numbers apart in an incident, not enough to dial. */
export function maskPhone(e164: string): string {
  const plus = e164.startsWith('+') ? '+' : '';
  const digits = e164.slice(plus.length);
  if (!/^\d+$/.test(digits) || digits.length < 5) return e164.replace(/[0-9]/g, '*');
  // Show at most 40 % of the digits at the front and one or two at the end; short numbers show less.
  const head = Math.min(4, Math.floor(digits.length * 0.4));
  const tail = digits.length >= 10 ? 2 : 1;
  return `${plus}${digits.slice(0, head)}${'*'.repeat(digits.length - head - tail)}${digits.slice(-tail)}`;
}
