import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configSchema, type ConfigInput } from '../../src/domain/config';
import {
  bundlePaths,
  prebuiltWorkflowBundle,
  staleReason,
  withoutSourcesContent,
} from '../../src/workers/workflow-bundle';
import { workerHeapMb, workerNodeOptions, workerTuningOptions } from '../../src/workers/worker-tuning';

const base: ConfigInput = {
  accounts: { primary: { credentials: { type: 'default' } } },
  routes: [{ id: 'r', account: 'primary', region: 'us-east-1' }],
  originators: { US: [{ route: 'r', identity: 'pool-1', kind: 'pool', type: 'short-code' }] },
  policies: { otp: {} },
};

describe('worker tuning', () => {
  it('maps the config section to worker options, with our cache and workflow-slot defaults', () => {
    // Eight workflow task slots: a burst waits on the server, where a one-time password's priority overtakes it.
    expect(workerTuningOptions(configSchema.parse(base))).toEqual({
      maxCachedWorkflows: 1000,
      maxConcurrentWorkflowTaskExecutions: 8,
    });
    const tuned = configSchema.parse({
      ...base,
      worker: {
        maxCachedWorkflows: 300,
        maxConcurrentWorkflowTaskPolls: 4,
        reuseV8Context: true,
        workflowBundle: 'prebuilt',
      },
    });
    expect(workerTuningOptions(tuned)).toEqual({
      maxCachedWorkflows: 300,
      maxConcurrentWorkflowTaskExecutions: 8,
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 4 },
      reuseV8Context: true,
    });
  });

  it('sizes the heap to the cache and lets an explicit NODE_OPTIONS limit win', () => {
    expect(workerHeapMb(configSchema.parse(base))).toBe(408);
    expect(workerNodeOptions(configSchema.parse(base), '--max-old-space-size=2048')).toBe(
      '--max-old-space-size=408 --max-old-space-size=2048',
    );
  });

  it('rejects unknown tuning fields, naming them', () => {
    expect(() => configSchema.parse({ ...base, ingester: { receivers: 2 } })).toThrow(/receivers/);
    expect(() => configSchema.parse({ ...base, ingester: { intermediateEvents: 'some' } })).toThrow();
  });
});

describe('prebuilt workflow bundle', () => {
  let lib: string;
  const map = (sources: string[]) =>
    `//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(
      JSON.stringify({ version: 3, sources, sourcesContent: sources.map(() => 'long source text'), mappings: 'AAAA' }),
    ).toString('base64')}`;

  beforeEach(() => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-bundle-'));
    lib = path.join(root, 'lib');
    fs.mkdirSync(path.join(lib, 'src', 'workflows'), { recursive: true });
    fs.writeFileSync(path.join(lib, 'src', 'workflows', 'index.js'), 'exports.a = 1;');
    const { code, manifest } = bundlePaths(lib, false);
    fs.writeFileSync(code, `var x = 1;\n${map([path.join(root, 'src', 'workflows', 'index.ts')])}`);
    const sdkVersion = (
      JSON.parse(fs.readFileSync(require.resolve('@temporalio/workflow/package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    const hash = createHash('sha256').update('exports.a = 1;').digest('hex');
    fs.writeFileSync(
      manifest,
      JSON.stringify({
        sdkVersion,
        failureConverter: false,
        builtAt: '',
        inputs: { 'lib/src/workflows/index.js': hash },
      }),
    );
  });

  it('is used while every compiled input is unchanged, and never once one changed', () => {
    expect(staleReason(lib, false)).toBeUndefined();
    expect(prebuiltWorkflowBundle('auto', false, undefined, lib)).toEqual({ codePath: bundlePaths(lib, false).code });
    expect(staleReason(lib, true)).toMatch(/not built/);

    fs.writeFileSync(path.join(lib, 'src', 'workflows', 'index.js'), 'exports.a = 2;');
    expect(staleReason(lib, false)).toMatch(/lib\/src\/workflows\/index.js changed/);
    const warnings: string[] = [];
    expect(prebuiltWorkflowBundle('auto', false, (m) => warnings.push(m), lib)).toBeUndefined();
    expect(warnings[0]).toMatch(/bundling workflows at start/);
    expect(() => prebuiltWorkflowBundle('prebuilt', false, undefined, lib)).toThrow(/cannot be used/);
    expect(prebuiltWorkflowBundle('bundle-at-start', false, undefined, lib)).toBeUndefined();
  });

  it('drops the source text from the inline source map, keeping the positions', () => {
    const code = `var x = 1;\n${map(['/a.ts'])}`;
    const stripped = withoutSourcesContent(code);
    const m = /base64,(.*)$/.exec(stripped)!;
    const parsed = JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')) as Record<string, unknown>;
    expect(parsed).toEqual({ version: 3, sources: ['/a.ts'], mappings: 'AAAA' });
    expect(stripped.startsWith('var x = 1;\n//# sourceMappingURL=')).toBe(true);
  });
});
