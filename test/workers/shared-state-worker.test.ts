/**
 * The shared-state task queue on the real Temporal dev server, with the worker process's own Workers (createWorker,
 * the real workflow bundle): a routeHealth and a pumpingGuard started on the main task queue (as an older release
 * started them) continue, at their next continue-as-new, on `<taskQueue>-shared-state`; there, with the main Worker
 * shut down (as if a burst held every one of its slots), the small shared-state Worker alone answers their queries
 * and updates, with the state carried over, and runs routeHealth's wake-up activity.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { configSchema, type Config } from '../../src/domain/config';
import { sharedStateTaskQueue } from '../../src/domain/shared-state';
import { routeHealthWorkflowInput } from '../../src/health';
import { createWorker, workflowsPath } from '../../src/workers/worker';
import { pumpingCountsSignal, pumpingGuardWorkflowId, pumpingViewQuery } from '../../src/workflows/pumping-definitions';
import {
  drainUpdate,
  observationsSignal,
  routeHealthWorkflowId,
  routesQuery,
} from '../../src/workflows/route-health-definitions';
import { connectTestEnv, uniqueTaskQueue, SILENT_BUNDLER_LOGGER } from '../helpers/temporal-env';
import { until } from '../helpers/until';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

function config(taskQueue: string): Config {
  return configSchema.parse({
    temporal: { taskQueue },
    accounts: { primary: { credentials: { type: 'static', accessKeyId: 'AKIDX', secretAccessKey: 'x' } } },
    routes: [{ id: 'r', account: 'primary', region: 'us-east-1', endpoint: 'http://127.0.0.1:1' }],
    originators: { US: [{ route: 'r', identity: 'pool-1', type: 'short-code' }] },
    policies: { otp: {} },
  });
}

/** Signals with `signal` until the workflow has continued as new; the new run's description. */
async function untilContinued(handle: WorkflowHandle, signal: () => Promise<void>) {
  const first = (await handle.describe()).runId;
  return await until(
    async () => {
      await signal();
      return await handle.describe();
    },
    (d) => d.runId !== first,
    `${handle.workflowId} to continue as new`,
    30_000,
  );
}

beforeAll(async () => {
  env = await connectTestEnv();
  bundle = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: SILENT_BUNDLER_LOGGER });
}, 120_000);

afterAll(async () => {
  await env?.teardown();
});

it('moves runs of the main queue onto the shared-state queue, where the small Worker alone serves them', async () => {
  const taskQueue = uniqueTaskQueue('shared-state');
  const cfg = config(taskQueue);
  const created = await createWorker({
    config: cfg,
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
  });
  const rhInput = routeHealthWorkflowInput(cfg);
  const routeHealth = await env.client.workflow.start('routeHealth', {
    taskQueue,
    workflowId: routeHealthWorkflowId(taskQueue),
    args: [{ ...rhInput, config: { ...rhInput.config, maxHistoryEvents: 30 } }],
  });
  const pumping = await env.client.workflow.start('pumpingGuard', {
    taskQueue,
    workflowId: pumpingGuardWorkflowId(taskQueue),
    args: [{ config: { velocity: {}, maxHistoryEvents: 20 } }],
  });
  const shared = sharedStateTaskQueue(taskQueue);
  try {
    // Only the main Worker: the runs on the main queue do their work there and continue onto the shared-state queue.
    await created.worker.runUntil(async () => {
      const drain = { key: 'route:primary/us-east-1', reason: 'maintenance', by: 'ops' };
      await routeHealth.executeUpdate(drainUpdate, { args: [drain] });
      const observe = () =>
        routeHealth.signal(observationsSignal, {
          source: 'test',
          counts: [{ key: 'region:us-east-1', second: Math.floor(Date.now() / 1000), ok: 1, failures: {} }],
        });
      expect((await untilContinued(routeHealth, observe)).taskQueue).toBe(shared);
      let seq = 0;
      const count = () => pumping.signal(pumpingCountsSignal, { source: 'test', counts: [], seq: ++seq });
      expect((await untilContinued(pumping, count)).taskQueue).toBe(shared);
    });
    // Only the shared-state Worker (the main one is shut down): queries, an update and its wake-up are served.
    await created.sharedStateWorker.runUntil(async () => {
      const latest = env.client.workflow.getHandle(routeHealth.workflowId);
      const routes = await latest.query(routesQuery);
      expect(routes).toContainEqual(expect.objectContaining({ key: 'route:primary/us-east-1', condition: 'drained' }));
      const view = await latest.executeUpdate(drainUpdate, {
        args: [{ key: 'region:us-east-1', reason: 'outage', by: 'ops' }],
      });
      expect(view).toMatchObject({ key: 'region:us-east-1', condition: 'drained' });
      // The drain wakes the Region's messages (none here) through wakeMessagesOnRoute, run by this Worker.
      const history = await until(
        () => latest.fetchHistory(),
        (h) => (h.events ?? []).some((e) => e.activityTaskCompletedEventAttributes),
        'the wake-up activity to complete on the shared-state Worker',
        30_000,
      );
      expect((history.events ?? []).filter((e) => e.activityTaskFailedEventAttributes)).toEqual([]);
      const pumpingView = await env.client.workflow.getHandle(pumping.workflowId).query(pumpingViewQuery);
      expect(pumpingView).toMatchObject({ at: expect.any(Number), blocks: [] });
    });
  } finally {
    // A created Worker must run and shut down to release its native half, also when a step above failed.
    if (created.sharedStateWorker.getState() === 'INITIALIZED')
      await created.sharedStateWorker.runUntil(Promise.resolve());
    created.close();
    await routeHealth.terminate('test over').catch(() => undefined);
    await pumping.terminate('test over').catch(() => undefined);
  }
});
