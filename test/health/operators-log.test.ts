/** The log line a process writes for each change an operator made (who, what, why), as the CLI writes it to stderr. */
import { routeChangeLogLine } from '../../src/health/operators';

it('is one JSON line in the shape of the other logs, with who, what and why', () => {
  const line = routeChangeLogLine(
    {
      action: 'drain',
      target: 'primary-use1',
      key: 'route:primary/us-east-1',
      by: 'cli:ops@host',
      reason: 'carrier maintenance',
      forMs: 1_800_000,
    },
    'cli',
    new Date('2026-11-30T10:42:07.000Z'),
  );
  expect(line).not.toContain('\n');
  expect(JSON.parse(line)).toEqual({
    time: '2026-11-30T10:42:07.000Z',
    level: 'info',
    msg: 'route drained',
    process: 'cli',
    action: 'drain',
    target: 'primary-use1',
    key: 'route:primary/us-east-1',
    by: 'cli:ops@host',
    reason: 'carrier maintenance',
    forMs: 1_800_000,
  });
  const undrain = JSON.parse(
    routeChangeLogLine({ action: 'undrain', target: 'us-east-1', key: 'region:us-east-1', by: 'api:app' }, 'api'),
  ) as Record<string, unknown>;
  expect(undrain).toMatchObject({ msg: 'route undrained', by: 'api:app', key: 'region:us-east-1' });
});
