/** The report's protect-configuration and pumping-guard lines (src/report/protection.ts). */
import type { StatusRecord } from '../../src/domain/status';
import { protectionLines, protectionSummary } from '../../src/report/protection';

function record(status: StatusRecord['status'], reason: string, outcomes: string[], country = 'GB'): StatusRecord {
  return {
    status,
    reason,
    country,
    attempts: outcomes.map((outcome) => ({ outcome })),
  } as unknown as StatusRecord;
}

it('counts protect blocks by outcome and country, and the guard stops by kind', () => {
  const p = protectionSummary([
    record('STOPPED', 'blocked by the protect configuration', ['TEXT_PROTECT_BLOCKED']),
    record('STOPPED', 'blocked', ['DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION'], 'FR'),
    record('STOPPED', 'VELOCITY_LIMIT: prefix +4470 over 20 per 60s for otp', []),
    record('STOPPED', 'PUMPING_BLOCKED: prefix +4470 blocked until …', []),
    record('DELIVERED', 'delivered', ['TEXT_DELIVERED']),
  ]);
  expect(p).toEqual({
    protectBlocked: { TEXT_PROTECT_BLOCKED: 1, DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION: 1 },
    protectBlockedByCountry: { GB: 1, FR: 1 },
    guardStopped: { VELOCITY_LIMIT: 1, PUMPING_BLOCKED: 1 },
  });
  expect(protectionLines(p)).toEqual([
    '',
    'Blocked by a protect configuration: TEXT_PROTECT_BLOCKED 1 · DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION 1 (by country: GB 1 · FR 1)',
    'Stopped by the pumping guard: VELOCITY_LIMIT 1 · PUMPING_BLOCKED 1',
  ]);
  expect(protectionLines(protectionSummary([]))).toEqual([]);
});
