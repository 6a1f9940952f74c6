/**
 * lib/ is what the local stack, chaos and the benchmark run (`node lib/src/cli/main.js …`). The integration
 * project's global setup (test/global-setup.ts) builds it ONCE, before any test starts: suites that compiled it
 * themselves rewrote lib/ while another suite's stack was loading modules from it, and a child then read a
 * half-written file ("addMessageCommands is not a function").
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/** Compiles src/ and bench/ (tsconfig.bench.json, incremental) and prebuilds the workflow bundles. */
export function buildLib(): void {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.bench.json'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [path.join('lib', 'src', 'workers', 'workflow-bundle.js')], {
    cwd: root,
    stdio: 'inherit',
  });
}

/** For suites that run lib/: fails clearly when the global setup did not build it. */
export function requireBuiltLib(): void {
  const cli = path.join(root, 'lib', 'src', 'cli', 'main.js');
  if (!fs.existsSync(cli)) {
    throw new Error(
      `${cli} is missing: the integration project's global setup builds lib/ (run the test through jest)`,
    );
  }
}
