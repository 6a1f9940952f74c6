import ms from 'ms';
import { z } from 'zod';

/**
 * The longest duration accepted anywhere: a year. Nothing in a message's life comes near it (AWS keeps
 * an SMS for at most 72 h, `TimeToLive`); a larger value is a typo such as `1000000y`, which would
 * otherwise overflow into a timer that never fires or fires at once.
 */
export const MAX_DURATION_MS = 365 * 24 * 3600_000;

/**
 * A duration in config and requests: a number of milliseconds, or a string such as `72h`, `90s`,
 * `250ms`, `1.5d`. Parsed once at the boundary; everything downstream works in milliseconds.
 */
export const durationSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  let parsed: number | undefined;
  try {
    parsed = typeof value === 'number' ? value : ms(value as ms.StringValue);
  } catch {
    parsed = undefined; // ms() throws on "" and on over-long strings
  }
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < 0) {
    ctx.addIssue({
      code: 'custom',
      message: `not a duration: ${JSON.stringify(value)} (use e.g. "90s", "15m", "72h" or milliseconds)`,
    });
    return z.NEVER;
  }
  if (parsed > MAX_DURATION_MS) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is longer than the maximum, 365d` });
    return z.NEVER;
  }
  return Math.round(parsed);
});

export function formatDuration(msValue: number): string {
  return ms(msValue, { long: false });
}
