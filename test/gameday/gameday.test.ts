/**
 * The game day's smoke run (`npm run gameday -- --smoke`) on a local stack of its own: the spend limit for a few
 * seconds at 2 messages/s, route health off and then on. Checks that it ran both phases, switched route health on
 * for the second (the worker restarted on the new config), wrote a well-formed report, and that the invariants hold:
 * no message lost or stuck, no send after a success. It asserts nothing about timings or their targets: those
 * depend on the machine and on route health being built (the coordinator's measurement, README "Game day").
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GamedayReport } from '../../src/gameday/runner';
import { requireBuiltLib } from '../helpers/build-lib';

const root = path.join(__dirname, '..', '..');

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-gameday-smoke-'));
  requireBuiltLib(); // built once by the global setup
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['lib/src/gameday/main.js', ...args],
      { cwd: root, timeout: 400_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
    child.stdin?.end();
  });
}

it('plays the smoke game day with route health off, then on, and loses nothing', async () => {
  const out = path.join(dir, 'gameday.json');
  const { code, output } = await run(['--smoke', '--quiet', '--out', out]);
  expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
  expect(output).toContain('invariants hold');

  const r = JSON.parse(fs.readFileSync(out, 'utf8')) as GamedayReport;
  expect(r).toMatchObject({ schema: 1, smoke: true, errors: [], invariantsHold: true });
  expect(r.setup.primary).toEqual({
    account: 'primary',
    region: 'us-east-1',
    originator: 'pool-us-shortcode',
    country: 'US',
  });
  expect(r.setup.routeHealth).toEqual({
    off: expect.objectContaining({ enabled: false }),
    on: expect.objectContaining({ enabled: true }),
  });
  // The stack starts on config/local.yaml (route health on): each mode's switch changed the config and restarted the
  // worker, ingester and API, nothing else.
  expect(r.timings.switches.map((s) => [s.mode, s.restarted.map((c) => c.child)])).toEqual([
    ['off', ['worker', 'ingester', 'api']],
    ['on', ['worker', 'ingester', 'api']],
  ]);

  expect(r.phases.map((p) => [p.scenario, p.mode])).toEqual([
    ['spend-limit', 'off'],
    ['spend-limit', 'on'],
  ]);
  for (const p of r.phases) {
    expect(p.messages).toBeGreaterThan(0);
    expect({ lost: p.lost, stuck: p.stuck, sendsAfterSuccess: p.sendsAfterSuccess }).toEqual({
      lost: 0,
      stuck: 0,
      sendsAfterSuccess: 0,
    });
    expect(p.timeline.startedAt).toBeLessThan(p.timeline.faultAt);
    expect(p.timeline.faultAt).toBeLessThan(p.timeline.clearedAt);
    expect(p.timeline.clearedAt).toBeLessThanOrEqual(p.timeline.endedAt);
    // Every message of the phase ended delivered (the spend limit leaves the secondary account's route).
    expect(p.statuses).toEqual({ DELIVERED: p.messages });
    expect(p.timeToDeliver.duringFault.messages).toBeGreaterThan(0);
    expect(p.timeToDeliver.duringFault.delivered).toBe(p.timeToDeliver.duringFault.messages);
    expect(typeof p.breaker.available).toBe('boolean');
    expect(p).toHaveProperty('duplicateSends');
    expect(p).toHaveProperty('needlessSends');
  }
  // The invariants are rows of the targets table in both modes; timing targets only with route health on.
  const invariants = r.targets.filter((t) => t.invariant);
  expect(invariants).toHaveLength(4);
  for (const t of invariants) expect(t.pass).toBe(true);
  expect(r.targets.filter((t) => !t.invariant).every((t) => t.mode === 'on')).toBe(true);
}, 420_000);
