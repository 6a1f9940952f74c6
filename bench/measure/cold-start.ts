/**
 * 5. Cold start: a worker process spawned -> its first workflow-task poll seen by the server (describeTaskQueue
 * lists it as a poller), with the prebuilt workflow bundle and with bundling at start, alternately. Each sample
 * is a fresh `node lib/src/cli/main.js worker` (the production entry point, as in the Dockerfile) on a task queue
 * of its own.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { RUN_ID } from '../lib/drive';
import { root, type BenchStack } from '../lib/stack';
import { sleep, summarize, type Summary } from '../lib/stats';
import { waitForExit } from '../../src/tools/service-process';

export type BundleMode = 'prebuilt' | 'bundle-at-start';

export interface ColdStartResult {
  entry: string;
  samples: number;
  prebuiltMs?: Summary;
  bundleAtStartMs?: Summary;
  errors: string[];
}

async function once(stack: BenchStack, mode: BundleMode, i: number, dir: string): Promise<number> {
  const taskQueue = `bench-${RUN_ID}-cold-${mode}-${i}`;
  const config = JSON.parse(fs.readFileSync(stack.info.configPath, 'utf8')) as Record<string, Record<string, unknown>>;
  config.temporal = { ...config.temporal, taskQueue };
  config.worker = { ...config.worker, workflowBundle: mode };
  const file = path.join(dir, `cold-${mode}-${i}.json`);
  fs.writeFileSync(file, JSON.stringify(config));
  const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: stack.info.temporalAddress };
  delete env.METRICS_PORT;
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(root, 'lib', 'src', 'cli', 'main.js'), '--config', file, 'worker'], {
    cwd: root,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  try {
    for (;;) {
      if (await stack.polled(taskQueue)) return Date.now() - started;
      if (child.exitCode !== null) throw new Error(`worker exited (${child.exitCode}): ${stderr.trim().slice(-500)}`);
      if (Date.now() - started > 120_000) throw new Error('no poll within 120 s');
      await sleep(10);
    }
  } finally {
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 15_000))) child.kill('SIGKILL');
    fs.rmSync(file, { force: true });
  }
}

export async function measureColdStart(
  stack: BenchStack,
  opts: { samples: number; dir: string },
  log: (line: string) => void,
): Promise<ColdStartResult> {
  const times: Record<BundleMode, number[]> = { prebuilt: [], 'bundle-at-start': [] };
  const errors: string[] = [];
  for (let i = 0; i < opts.samples; i++) {
    for (const mode of ['prebuilt', 'bundle-at-start'] as const) {
      try {
        times[mode].push(await once(stack, mode, i, opts.dir));
      } catch (err) {
        errors.push(`${mode}: ${(err as Error).message}`);
      }
    }
  }
  const result: ColdStartResult = {
    entry: 'node lib/src/cli/main.js worker',
    samples: opts.samples,
    prebuiltMs: summarize(times.prebuilt),
    bundleAtStartMs: summarize(times['bundle-at-start']),
    errors,
  };
  log(`  prebuilt: ${times.prebuilt.join(', ')} ms; bundle at start: ${times['bundle-at-start'].join(', ')} ms`);
  return result;
}
