/**
 * The project as an application team gets it: `npm pack` of the repository (lib/ as the integration project's
 * global setup built it), installed into a scratch application in a temporary folder outside the repository.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * The environment without npm's own variables: under `npm test` they name the repository (`npm_config_local_prefix`,
 * `npm_package_*`), and an npm started with them could act on the repository instead of the scratch app.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!/^npm_/i.test(name)) env[name] = value;
  return { ...env, ...extra };
}

export interface PackedFile {
  path: string;
  size: number;
}

export interface Packed {
  tarball: string;
  files: PackedFile[];
}

/** `npm pack` into `dir`. Scripts are not run: `prepack` would rebuild lib/ while other suites' stacks run it. */
export async function packProject(dir: string): Promise<Packed> {
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
    cwd: REPO_ROOT,
    env: cleanEnv(),
    maxBuffer: 64 * 1024 * 1024,
  });
  const [result] = JSON.parse(stdout) as { filename: string; files: PackedFile[] }[];
  return { tarball: path.join(dir, result.filename), files: result.files };
}

export interface ScratchApp {
  dir: string;
  /** Runs a command in the app's folder, with npm's variables removed from the environment. */
  exec(file: string, args: string[], env?: Record<string, string>): Promise<{ stdout: string; stderr: string }>;
  remove(): void;
}

/**
 * A new folder under the system's temporary directory with a package.json, `npm install`ed with the tarball and
 * `extra` packages in one install. `--prefer-offline` takes what npm's cache has; `--ignore-scripts` as the
 * repository's own `allowScripts` (no install scripts of dependencies run).
 */
export async function installScratchApp(tarball: string, extra: string[] = []): Promise<ScratchApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-scratch-app-'));
  if (path.relative(REPO_ROOT, dir).split(path.sep)[0] !== '..') {
    throw new Error(`the scratch app ${dir} must be outside the repository ${REPO_ROOT}`);
  }
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'scratch-app', version: '1.0.0', private: true }, null, 2),
  );
  const exec = async (file: string, args: string[], env: Record<string, string> = {}) => {
    try {
      return await run(file, args, { cwd: dir, env: cleanEnv(env), maxBuffer: 64 * 1024 * 1024 });
    } catch (err) {
      // tsc and npm say what went wrong on stdout as well as stderr: keep both in the message.
      const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
      throw new Error(`${file} ${args.join(' ')} failed: ${(err as Error).message}\n${stdout}\n${stderr}`.trim(), {
        cause: err,
      });
    }
  };
  await exec('npm', [
    'install',
    '--prefer-offline',
    '--no-audit',
    '--no-fund',
    '--ignore-scripts',
    '--loglevel=error',
    tarball,
    ...extra,
  ]);
  return { dir, exec, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
