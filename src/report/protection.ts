/**
 * What the delivery report says of SMS pumping defence, over the status records it read: attempts a protect
 * configuration blocked (the `TEXT_PROTECT_BLOCKED` event, or a send refused with
 * `DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION` / `DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE`),
 * by reason and country; and messages the pumping guard stopped (docs/pumping.md), by kind. Pure; no numbers.
 */
import type { StatusRecord } from '../domain/status';

export interface ProtectionSummary {
  /** Attempts blocked by a protect configuration, by outcome (`TEXT_PROTECT_BLOCKED`, …). */
  protectBlocked: Record<string, number>;
  /** The same by destination country. */
  protectBlockedByCountry: Record<string, number>;
  /** Messages stopped by the pumping guard: `VELOCITY_LIMIT`, `PUMPING_BLOCKED`, `PUMPING_SPEND_LIMIT`. */
  guardStopped: Record<string, number>;
}

const GUARD = /^(VELOCITY_LIMIT|PUMPING_BLOCKED|PUMPING_SPEND_LIMIT):/;

/** Is this attempt outcome or failure reason a protect configuration's block? */
export function isProtectBlock(outcome: string | undefined): boolean {
  return outcome !== undefined && /PROTECT/.test(outcome) && /BLOCKED/.test(outcome);
}

export function protectionSummary(records: StatusRecord[]): ProtectionSummary {
  const out: ProtectionSummary = { protectBlocked: {}, protectBlockedByCountry: {}, guardStopped: {} };
  const add = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);
  for (const r of records) {
    const guard = r.status === 'STOPPED' ? GUARD.exec(r.reason) : null;
    if (guard) add(out.guardStopped, guard[1]);
    for (const a of r.attempts) {
      const reason = isProtectBlock(a.outcome)
        ? a.outcome
        : isProtectBlock(a.failure?.reason)
          ? a.failure!.reason
          : undefined;
      if (!reason) continue;
      add(out.protectBlocked, reason);
      add(out.protectBlockedByCountry, r.country);
    }
  }
  return out;
}

/** The report's text lines for it (none when nothing was blocked or stopped). */
export function protectionLines(p: ProtectionSummary | undefined): string[] {
  if (!p) return [];
  const fmt = (m: Record<string, number>) =>
    Object.entries(m)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(' · ');
  const lines: string[] = [];
  if (Object.keys(p.protectBlocked).length > 0) {
    lines.push(
      `Blocked by a protect configuration: ${fmt(p.protectBlocked)} (by country: ${fmt(p.protectBlockedByCountry)})`,
    );
  }
  if (Object.keys(p.guardStopped).length > 0) lines.push(`Stopped by the pumping guard: ${fmt(p.guardStopped)}`);
  return lines.length > 0 ? ['', ...lines] : [];
}
