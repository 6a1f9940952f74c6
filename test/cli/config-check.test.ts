/**
 * `resilient-sms config check` as a user runs it: the built CLI (lib/) in a child process, with --config before or
 * after the command, text and --json output, and its exit codes: 0 with warnings only (the local stack's config), 2
 * when there is an error, 1 when the file cannot be read or parsed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireBuiltLib } from '../helpers/build-lib';

const root = path.resolve(__dirname, '..', '..');
const LOCAL = path.join(root, 'config', 'local.yaml');
let dir: string;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'lib', 'src', 'cli', 'main.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  requireBuiltLib();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-config-check-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it("passes the local stack's config (exit 0), printing its warning with path and severity", () => {
  const r = cli('config', 'check', '--config', LOCAL);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^warning policies\.otp\.ttl: .* \[otp-ttl\]$/m);
  expect(r.stdout).toMatch(/0 errors, 1 warning$/m);
});

function variant(name: string, edit: (text: string) => string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, edit(fs.readFileSync(LOCAL, 'utf8')));
  return file;
}

it('exits 2 on an error; --json lists every finding, warnings too', () => {
  const file = variant('no-configuration-set.yaml', (t) => t.replace(/ {6}configurationSet: rsms-events,\n/, ''));
  const r = cli('--config', file, 'config', 'check', '--json');
  expect(r.status).toBe(2);
  const report = JSON.parse(r.stdout) as { errors: number; warnings: number; findings: unknown[] };
  expect(report).toMatchObject({ errors: 1, warnings: 1 });
  expect(report.findings).toEqual([
    expect.objectContaining({ path: 'routes[0].configurationSet', severity: 'error', rule: 'configuration-set' }),
    expect.objectContaining({ path: 'policies.otp.ttl', severity: 'warning', rule: 'otp-ttl' }),
  ]);
});

it('exits 2 on a MaxPrice the API would refuse, naming the field', () => {
  const file = variant('max-price.yaml', (t) => t.replace("maxPrice: '0.50'", "maxPrice: '1'"));
  const r = cli('config', 'check', '--config', file);
  expect(r.status).toBe(2);
  expect(r.stdout).toMatch(/^error {3}policies\.otp\.maxPrice: "1" is not a price the API takes.*\[max-price\]$/m);
});

it('exits 1 with one line when the file does not parse', () => {
  const file = path.join(dir, 'broken.yaml');
  fs.writeFileSync(file, 'routes: [\n');
  const r = cli('config', 'check', '--config', file);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/^resilient-sms: config .*broken\.yaml is not valid YAML/);
});
