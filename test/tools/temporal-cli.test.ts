import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  devServerArgs,
  findRepoRoot,
  projectLocalTemporalCli,
  requireTemporalCli,
  resolveTemporalCli,
} from '../../src/tools/temporal-cli';

function makeExe(file: string, mode = 0o755): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '#!/bin/sh\necho fake temporal\n');
  fs.chmodSync(file, mode);
  return file;
}

describe('resolveTemporalCli', () => {
  let tmp: string;
  let repo: string; // a fake repo root holding .tools/venv/bin/temporal
  let pathDir: string; // a directory put on PATH holding `temporal`
  let explicit: string; // the file TEMPORAL_CLI_PATH points to
  let emptyDir: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-cli-test-'));
    repo = path.join(tmp, 'repo');
    pathDir = path.join(tmp, 'bin');
    emptyDir = path.join(tmp, 'empty');
    fs.mkdirSync(emptyDir);
    makeExe(path.join(repo, '.tools', 'venv', 'bin', 'temporal'));
    makeExe(path.join(pathDir, 'temporal'));
    explicit = makeExe(path.join(tmp, 'custom', 'my-temporal'));
  });

  afterEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('prefers TEMPORAL_CLI_PATH over PATH and .tools', () => {
    const env = { TEMPORAL_CLI_PATH: explicit, PATH: pathDir };
    expect(resolveTemporalCli({ env, repoRoot: repo })).toBe(explicit);
  });

  it('resolves a relative TEMPORAL_CLI_PATH to an absolute path', () => {
    const rel = path.relative(process.cwd(), explicit);
    expect(resolveTemporalCli({ env: { TEMPORAL_CLI_PATH: rel }, repoRoot: repo })).toBe(explicit);
  });

  it('throws a clear error when TEMPORAL_CLI_PATH is not executable', () => {
    fs.chmodSync(explicit, 0o644);
    expect(() => resolveTemporalCli({ env: { TEMPORAL_CLI_PATH: explicit, PATH: pathDir }, repoRoot: repo })).toThrow(
      /TEMPORAL_CLI_PATH is set to .* not an executable file/,
    );
  });

  it('throws when TEMPORAL_CLI_PATH points to a missing file or a directory', () => {
    const env1 = { TEMPORAL_CLI_PATH: path.join(tmp, 'nope') };
    expect(() => resolveTemporalCli({ env: env1, repoRoot: repo })).toThrow(/TEMPORAL_CLI_PATH/);
    expect(() => resolveTemporalCli({ env: { TEMPORAL_CLI_PATH: pathDir }, repoRoot: repo })).toThrow(
      /TEMPORAL_CLI_PATH/,
    );
  });

  it('treats an empty TEMPORAL_CLI_PATH as unset', () => {
    expect(resolveTemporalCli({ env: { TEMPORAL_CLI_PATH: '', PATH: pathDir }, repoRoot: repo })).toBe(
      path.join(pathDir, 'temporal'),
    );
  });

  it('uses the first `temporal` on PATH, skipping non-executable ones, before .tools', () => {
    const first = path.join(tmp, 'first');
    makeExe(path.join(first, 'temporal'), 0o644); // not executable: skipped
    const env = { PATH: [emptyDir, first, pathDir].join(path.delimiter) };
    expect(resolveTemporalCli({ env, repoRoot: repo })).toBe(path.join(pathDir, 'temporal'));
  });

  it('falls back to <repo>/.tools/venv/bin/temporal', () => {
    expect(resolveTemporalCli({ env: { PATH: emptyDir }, repoRoot: repo })).toBe(projectLocalTemporalCli(repo));
    expect(resolveTemporalCli({ env: {}, repoRoot: repo })).toBe(path.join(repo, '.tools', 'venv', 'bin', 'temporal'));
  });

  it('returns undefined when nothing is found, and requireTemporalCli explains how to install', () => {
    const env = { PATH: emptyDir };
    expect(resolveTemporalCli({ env, repoRoot: emptyDir })).toBeUndefined();
    expect(() => requireTemporalCli({ env, repoRoot: emptyDir })).toThrow(/ensure-tools\.sh/);
  });
});

describe('findRepoRoot', () => {
  it('finds this repository from src/tools and from a compiled lib/src/tools location', () => {
    const root = path.resolve(__dirname, '..', '..');
    expect(findRepoRoot()).toBe(root);
    expect(findRepoRoot(path.join(root, 'lib', 'src', 'tools'))).toBe(root);
  });
});

describe('devServerArgs', () => {
  it('adds SQLite pragmas only with a db file, and search attributes', () => {
    const base = { ip: '127.0.0.1', port: 7233, headless: true, logLevel: 'warn' };
    expect(devServerArgs(base)).toEqual([
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      '7233',
      '--log-level',
      'warn',
      '--headless',
    ]);
    const withDb = devServerArgs({
      ...base,
      headless: false,
      uiPort: 8233,
      dbFile: '/tmp/x.db',
      searchAttributes: { SmsStatus: 'Keyword' },
    });
    expect(withDb).toEqual(
      expect.arrayContaining([
        '--ui-port',
        '8233',
        '--db-filename',
        '/tmp/x.db',
        '--search-attribute',
        'SmsStatus=Keyword',
      ]),
    );
    expect(withDb.join(' ')).toContain('--sqlite-pragma journal_mode=WAL --sqlite-pragma synchronous=OFF');
    expect(withDb).not.toContain('--headless');
    expect(
      devServerArgs({ ...base, dynamicConfig: { 'system.enableActivityEagerExecution': true } }).slice(-2),
    ).toEqual(['--dynamic-config-value', 'system.enableActivityEagerExecution=true']);
  });
});

describe('devServerArgs: the HTTP API and /metrics ports', () => {
  it('passes them when given, so the server does not pick ports of its own while a stack starts', () => {
    const args = devServerArgs({
      ip: '127.0.0.1',
      port: 1,
      httpPort: 2,
      metricsPort: 3,
      headless: true,
      logLevel: 'warn',
    });
    expect(args.slice(args.indexOf('--http-port'), args.indexOf('--http-port') + 2)).toEqual(['--http-port', '2']);
    expect(args.slice(args.indexOf('--metrics-port'), args.indexOf('--metrics-port') + 2)).toEqual([
      '--metrics-port',
      '3',
    ]);
  });
});
