/**
 * Local time of a recipient, for quiet hours. Pure (Intl only), so safe in workflow code: the same
 * instant and zone always give the same answer.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Is `timeZone` an IANA zone this runtime knows? */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Minutes to add to UTC to get local time in `timeZone` at `atMs`. */
export function utcOffsetMinutes(timeZone: string, atMs: number): number {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(atMs))
      .map((p) => [p.type, p.value]),
  );
  const localAsUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
  );
  const minuteStart = atMs - (((atMs % 60_000) + 60_000) % 60_000);
  return Math.round((localAsUtc - minuteStart) / 60_000);
}

/** "21:00" -> 1260. */
export function minutesOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/** Is local minute-of-day `m` inside [start, end), a window that may wrap midnight? */
export function inWindow(m: number, start: number, end: number): boolean {
  if (start === end) return false;
  return start < end ? m >= start && m < end : m >= start || m < end;
}

export interface QuietWindow {
  start: number;
  end: number;
}

/**
 * Milliseconds from `nowMs` until no zone in `timeZones` is inside `window` (0 when none is now).
 * Offsets are taken at `nowMs` and held for the next 24 hours (a DST change inside the wait shifts
 * the end by at most an hour). Null when the window never opens (it covers the whole day everywhere).
 */
export function msUntilOutside(window: QuietWindow, timeZones: string[], nowMs: number): number | null {
  const offsets = timeZones.map((tz) => utcOffsetMinutes(tz, nowMs));
  const nowMinute = Math.floor(nowMs / 60_000);
  for (let step = 0; step <= 24 * 60; step++) {
    const quiet = offsets.some((off) =>
      inWindow((((nowMinute + step + off) % 1440) + 1440) % 1440, window.start, window.end),
    );
    if (!quiet) return step === 0 ? 0 : (nowMinute + step) * 60_000 - nowMs;
  }
  return null;
}
