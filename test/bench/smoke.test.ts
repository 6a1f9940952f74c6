/**
 * The benchmark (`npm run bench`) is not part of the test run, but this smoke run of it is, so it never rots:
 * tiny counts on a stack of its own, then checks that it ran every phase and wrote well-formed results.
 * It asserts nothing about timings: those depend on the machine (README "Performance").
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireBuiltLib } from '../helpers/build-lib';

const root = path.join(__dirname, '..', '..');

interface Summary {
  n: number;
  min: number;
  median: number;
  p99: number;
}

function expectSummary(s: Summary | undefined): void {
  expect(s).toEqual(
    expect.objectContaining({
      n: expect.any(Number),
      min: expect.any(Number),
      median: expect.any(Number),
      p99: expect.any(Number),
    }),
  );
  expect(s!.n).toBeGreaterThan(0);
  expect(s!.min).toBeLessThanOrEqual(s!.median);
  expect(s!.median).toBeLessThanOrEqual(s!.p99);
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-bench-smoke-'));
  requireBuiltLib(); // lib/ and lib/bench/, built once by the global setup
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

it('runs every measurement and writes well-formed results', async () => {
  const out = path.join(dir, 'results.json');
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      ['lib/bench/run.js', '--smoke', '--out', out],
      { cwd: root, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
    child.stdin?.end();
  });
  // Exit 1 means a phase threw (a MISS verdict does not fail the run).
  expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
  expect(output).toContain('measurement');

  const r = JSON.parse(fs.readFileSync(out, 'utf8')) as {
    schema: number;
    smoke: boolean;
    machine: { cpus: number };
    configuration: { worker: Record<string, unknown>; ingester: Record<string, unknown> };
    results: Record<string, Record<string, unknown>>;
    verdicts: { id: number; name: string; target: string; pass: boolean | null }[];
    errors: unknown[];
  };
  expect(r).toMatchObject({ schema: 1, smoke: true, errors: [] });
  expect(r.machine.cpus).toBeGreaterThan(0);
  expect(r.configuration.worker).toHaveProperty('maxCachedWorkflows');
  expect(r.configuration.ingester).toHaveProperty('intermediateEvents');
  expect(Object.keys(r.results).sort()).toEqual(
    [
      'coldStart',
      'evictedLatency',
      'failover',
      'history',
      'ingestion',
      'memory',
      'receiptLatency',
      'throughput',
    ].sort(),
  );
  expect([...new Set(r.verdicts.map((v) => v.id))]).toEqual([1, 2, 3, 4, 5, 6, 7]);
  for (const v of r.verdicts) expect(typeof v.pass === 'boolean' || v.pass === null).toBe(true);

  const t = r.results.throughput as { ours: { ratePerS: number }[]; noop: { ratePerS: number }[]; ratio: number };
  expect(t.ours[0].ratePerS).toBeGreaterThan(0);
  expect(t.noop[0].ratePerS).toBeGreaterThan(0);
  expect(t.ratio).toBeGreaterThan(0);
  expectSummary((r.results.receiptLatency as { finalMs?: Summary }).finalMs);
  expectSummary((r.results.failover as { reactionMs?: Summary }).reactionMs);
  expectSummary((r.results.coldStart as { prebuiltMs?: Summary }).prebuiltMs);
  expectSummary((r.results.coldStart as { bundleAtStartMs?: Summary }).bundleAtStartMs);
  expectSummary((r.results.evictedLatency as { evictedMs?: Summary }).evictedMs);
  expect(r.results.memory).toMatchObject({ waiting: expect.any(Number), rssMb: expect.any(Number) });
  expect(r.results.history).toMatchObject({
    happy: { events: expect.any(Number), payloadBytes: expect.any(Number), status: 'DELIVERED' },
    ladder: { status: 'DELIVERED' },
  });
  expect(r.results.ingestion).toMatchObject({ plainPerS: expect.any(Number), ingesterPerS: expect.any(Number) });
}, 360_000);
