/** The pumping game day's figures (src/gameday/pumping-figures.ts) from status records. */
import type { StatusRecord } from '../../src/domain/status';
import { pumpingFigures, type PumpingMessage } from '../../src/gameday/pumping-figures';

function msg(kind: 'attack' | 'normal', startedAt: number, status: string, reason: string, accounts: string[] = []) {
  const record = { status, reason, attempts: accounts.map((account) => ({ account })) } as unknown as StatusRecord;
  return { kind, startedAt, record } as PumpingMessage;
}

it('measures the attack after the first guard stop, normal traffic stopped, and attack sends on the secondary', () => {
  const f = pumpingFigures(
    [
      msg('attack', 1, 'DELIVERED', 'delivered', ['primary']),
      msg('attack', 2, 'STOPPED', 'VELOCITY_LIMIT: prefix +1900234 over 20 per 60s for otp'),
      msg('attack', 3, 'DELIVERED', 'delivered', ['primary', 'secondary']),
      msg('attack', 4, 'STOPPED', 'PUMPING_BLOCKED: prefix +1900234 blocked until x (…)'),
      msg('normal', 1, 'CONFIRMED', 'confirmed', ['primary']),
      msg('normal', 2, 'STOPPED', 'VELOCITY_LIMIT: number #12345678 over 3 per 10m for otp'),
    ],
    'secondary',
  );
  expect(f.trippedAt).toBe(2);
  expect(f.afterTrip).toEqual({ started: 3, stoppedBeforeSend: 2, share: 66.67 });
  expect(f.normal).toMatchObject({ started: 2, stoppedByGuard: 1, share: 50, onSecondary: 0 });
  expect(f.attackSendsOnSecondary).toBe(1);
  expect(f.targets.map((t) => t.pass)).toEqual([false, false, false]);
});
