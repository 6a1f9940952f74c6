/**
 * `resilient-sms routes`: the table (local time and age of `since`, drains, recent counts, the empty cases) and the
 * exit code of a bad target (2, before anything connects: the --address here has nothing listening).
 */
import path from 'node:path';
import { formatRecent, formatRoutes, formatSince } from '../../src/cli/routes';
import { main } from '../../src/cli/main';
import type { RoutesAnswer } from '../../src/health/operators';
import type { RouteView } from '../../src/workflows/route-health-definitions';

const CONFIG = path.join(__dirname, '../../config/local.yaml');
const at = (h: number, m: number, s: number) => new Date(2026, 10, 30, h, m, s).getTime();

const open: RouteView = {
  key: 'region:us-east-1',
  state: 'open',
  condition: 'open',
  since: at(10, 42, 7),
  why: '14 of 15 sends failed (send-error: InternalServerException)',
  recent: { ok: 1, failures: { 'send-error': 14 }, probes: 2 },
};
const drained: RouteView = {
  key: 'route:primary/us-west-2',
  state: 'closed',
  condition: 'drained',
  since: at(10, 40, 0),
  why: 'drained',
  recent: { ok: 0, failures: {}, probes: 0 },
  drain: { reason: 'carrier maintenance', by: 'cli:ops@host', since: at(10, 40, 0), until: at(11, 10, 0) },
};

describe('formatSince', () => {
  it('says the local time and the age', () => {
    expect(formatSince(at(10, 42, 7), at(10, 45, 7))).toBe('10:42:07 (3m ago)');
    expect(formatSince(at(11, 10, 0), at(10, 45, 0))).toBe('11:10:00 (in 25m)');
  });

  it('adds the date when it is not today', () => {
    expect(formatSince(new Date(2026, 10, 29, 23, 0, 0).getTime(), at(1, 0, 0))).toBe('2026-11-29 23:00:00 (2h ago)');
  });
});

describe('formatRoutes', () => {
  const base = { workflowId: 'route-health:resilient-sms', running: true, enabled: true };

  it('prints one row per key: state, condition, why (the drain when drained), since, recent counts', () => {
    const text = formatRoutes({ ...base, routes: [open, drained] }, at(10, 45, 7));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^KEY\s+STATE\s+CONDITION\s+WHY\s+SINCE\s+RECENT$/);
    expect(lines[1]).toMatch(/^region:us-east-1\s+open\s+open\s+14 of 15 sends failed/);
    expect(lines[1]).toContain('10:42:07 (3m ago)');
    expect(lines[1]).toContain('ok 1 · send-error 14 · probes 2');
    expect(lines[2]).toContain('drained by cli:ops@host: carrier maintenance until 11:10:00 (in 25m)');
    expect(text).toContain('2 key(s) in route-health:resilient-sms; route health is enabled in this config');
  });

  it('says route health has seen nothing yet, and whether the config enables it', () => {
    const none: RoutesAnswer = { ...base, running: false, enabled: false, routes: [] };
    expect(formatRoutes(none, 0)).toBe(
      'route health has seen nothing yet (no workflow route-health:resilient-sms); ' +
        'route health is disabled in this config (routeHealth.enabled): messages do not read it',
    );
    expect(formatRoutes({ ...base, routes: [] }, 0)).toContain('no keys yet in route-health:resilient-sms');
  });

  it('leaves out failure classes with no count', () => {
    expect(formatRecent({ ok: 3, failures: { 'no-receipt': 0, 'receipt-failure': 2 }, probes: 0 })).toBe(
      'ok 3 · receipt-failure 2',
    );
  });
});

describe('routes drain / undrain with a bad target', () => {
  let errors: string[];
  beforeEach(() => {
    errors = [];
    jest.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
  });
  afterEach(() => jest.restoreAllMocks());

  it.each([
    [['routes', 'drain', 'eu-west-1', '--reason', 'maintenance']],
    [['routes', 'undrain', 'route:nobody/us-east-1']],
  ])('exits 2 naming the target and the accepted forms, without connecting: %j', async (args) => {
    const code = await main(['node', 'resilient-sms', '--config', CONFIG, '--address', '127.0.0.1:1', ...args]);
    expect(code).toBe(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^resilient-sms: bad target "(eu-west-1|route:nobody\/us-east-1)": /);
    expect(errors[0]).toContain('A target is a health key (region:<region>');
  });
});
