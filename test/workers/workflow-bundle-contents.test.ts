/**
 * What the workflow bundle carries besides our workflow code: only the Temporal SDK's own packages. A worker that
 * keeps messages cached instantiates the bundle's modules once per workflow run, so a library pulled in through a
 * shared domain module costs every cached message its module state: zod, reached through src/domain/pacing.ts, cost
 * about 1 MB each, and the worker's workflow thread ran out of memory with about 550 messages waiting
 * (`npm run bench -- --only memory`).
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowsPath } from '../../src/workers/worker';
import { SILENT_BUNDLER_LOGGER } from '../helpers/temporal-env';

/** The SDK's packages and theirs. */
const ALLOWED = new Set(['@temporalio/common', '@temporalio/workflow', 'nexus-rpc', 'long', 'ms']);

it('holds no npm package but the Temporal SDK and its dependencies', async () => {
  const { code } = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: SILENT_BUNDLER_LOGGER });
  const packages = new Set([...code.matchAll(/node_modules\/((?:@[\w.-]+\/)?[\w.-]+)\//g)].map((m) => m[1]));
  expect([...packages].filter((p) => !ALLOWED.has(p)).sort()).toEqual([]);
  expect(packages.has('@temporalio/workflow')).toBe(true); // the pattern does find packages
}, 120_000);
