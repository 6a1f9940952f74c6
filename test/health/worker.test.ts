/**
 * A worker with `routeHealth.enabled` on the real Temporal dev server: what a message reports through the
 * `routeHealth` sink reaches the routeHealth workflow in a batch (started by signalWithStart with the config's
 * thresholds as input, on the deployment's shared-state task queue, which the worker's second Worker polls), and the
 * `readRouteHealth` local activity answers from the cached snapshot, a half-open key as a probe for its first
 * callers. The routeHealth workflow is a stub (test/helpers/route-health-stub-workflow.ts):
 * the real one is not in this branch. Without `routeHealth.enabled` the worker installs neither sink nor activity.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { configSchema, type Config } from '../../src/domain/config';
import { keysOfRung, type RouteHealthSnapshot } from '../../src/domain/route-health';
import { routeHealthWorkflowInput } from '../../src/health';
import { sharedStateTaskQueue } from '../../src/domain/shared-state';
import { SHARED_STATE_WORKER_LIMITS } from '../../src/workers/shared-state-worker';
import { createWorker } from '../../src/workers/worker';
import { routeHealthWorkflowId } from '../../src/workflows/route-health-definitions';
import { receivedQuery, reporter, setSnapshotSignal, type Received } from '../helpers/route-health-stub-workflow';
import { connectTestEnv, uniqueTaskQueue, uniqueWorkflowId, SILENT_BUNDLER_LOGGER } from '../helpers/temporal-env';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

const KEYS = keysOfRung({ channel: 'sms', account: 'primary', region: 'us-east-1', originator: 'pool-1' }, 'US');
const ORIG = 'originator:primary/us-east-1/pool-1@US';

function config(taskQueue: string, enabled: boolean): Config {
  return configSchema.parse({
    temporal: { taskQueue },
    accounts: { primary: { credentials: { type: 'static', accessKeyId: 'AKIDX', secretAccessKey: 'x' } } },
    routes: [{ id: 'r', account: 'primary', region: 'us-east-1', endpoint: 'http://127.0.0.1:1' }],
    originators: { US: [{ route: 'r', identity: 'pool-1', type: 'short-code' }] },
    policies: { otp: {} },
    routeHealth: { enabled, flushInterval: '200ms', refreshInterval: '200ms' },
  });
}

async function waitFor<T>(what: string, fn: () => Promise<T>, until: (v: T) => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: T | undefined;
    try {
      last = await fn();
      if (until(last)) return last;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  env = await connectTestEnv();
  bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../helpers/route-health-stub-workflow'),
    logger: SILENT_BUNDLER_LOGGER,
  });
}, 120_000);

afterAll(async () => {
  await env?.teardown();
});

it('sends what messages report to the routeHealth workflow and serves its snapshot to them', async () => {
  const taskQueue = uniqueTaskQueue('rh-worker');
  const cfg = config(taskQueue, true);
  const { runUntil, close, routeHealth } = await createWorker({
    config: cfg,
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
  });
  expect(routeHealth).toBeDefined();
  const at = Date.now();
  const runReporter = () =>
    env.client.workflow.execute(reporter, {
      taskQueue,
      workflowId: uniqueWorkflowId('reporter'),
      args: [
        [
          { kind: 'send', at, keys: KEYS, outcome: 'ok', probe: false },
          { kind: 'receipt', at: at + 700, key: ORIG, sentAt: at, ok: true, probe: false },
        ],
        KEYS,
      ],
    });
  const handle = env.client.workflow.getHandle(routeHealthWorkflowId(taskQueue));
  try {
    await runUntil(async () => {
      expect(await runReporter()).toEqual({ at: expect.any(Number), entries: [] });
      const received = await waitFor<Received>(
        'a batch at the routeHealth workflow',
        () => handle.query(receivedQuery),
        (r) => r.batches.length > 0,
      );
      // Started by the flusher on the shared-state queue; the id still names the deployment's queue.
      expect((await handle.describe()).taskQueue).toBe(sharedStateTaskQueue(taskQueue));
      expect(received.input).toEqual(routeHealthWorkflowInput(cfg));
      expect(received.batches[0].source).toMatch(/^worker@.+:\d+$/);
      const origin = received.batches.flatMap((b) => b.counts).filter((c) => c.key === ORIG);
      expect(origin.reduce((n, c) => n + c.ok, 0)).toBe(2); // the accepted send and its delivered receipt
      expect(origin.reduce((n, c) => n + (c.delivered ?? 0), 0)).toBe(1);
      expect(origin.reduce((n, c) => n + (c.awaitingReceipt ?? 0), 0)).toBe(0);
      expect(received.batches.find((b) => b.receiptLatencyMs)?.receiptLatencyMs).toEqual({ [ORIG]: [700] });

      const snapshot: RouteHealthSnapshot = {
        at: 123,
        entries: [
          { key: 'route:primary/us-east-1', condition: 'half-open', since: 5, why: 'cooling down' },
          { key: 'region:eu-west-1', condition: 'open', since: 4, why: 'not asked' },
        ],
      };
      await handle.signal(setSnapshotSignal, snapshot);
      const read = await waitFor('the snapshot at the reporter', runReporter, (s) => s.at === 123);
      expect(read.entries).toEqual([{ ...snapshot.entries[0], probe: true }]);
    });
  } finally {
    await routeHealth?.stop();
    close();
    await handle.terminate().catch(() => undefined);
  }
});

it('installs no route-health process when it is not enabled; its read says "all healthy"', async () => {
  const taskQueue = uniqueTaskQueue('rh-off');
  const { worker, sharedStateWorker, runUntil, close, routeHealth } = await createWorker({
    config: config(taskQueue, false),
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
  });
  expect(routeHealth).toBeUndefined();
  expect(worker.options.sinks?.routeHealth).toBeUndefined();
  expect([...worker.options.activities.keys()]).toContain('sendSms');
  // Still registered, so a message whose plan has route health on replays on this worker too (no failed read
  // without a marker): it answers that nothing is known to be unhealthy.
  const read = worker.options.activities.get('readRouteHealth') as (i: { keys: string[] }) => Promise<unknown>;
  await expect(read({ keys: ['region:us-east-1'] })).resolves.toEqual({ at: 0, entries: [] });
  // The shared-state Worker: its own queue, the one activity routeHealth schedules, small limits.
  expect(sharedStateWorker.options.taskQueue).toBe(`${taskQueue}-shared-state`);
  expect([...sharedStateWorker.options.activities.keys()]).toEqual(['wakeMessagesOnRoute']);
  const limits = SHARED_STATE_WORKER_LIMITS;
  // Each Worker must run and shut down to release its native half (here before the checks, which may fail).
  await runUntil(() => Promise.resolve());
  // The SDK turns the slot limits into fixed-size slot suppliers.
  expect(sharedStateWorker.options).toMatchObject({
    maxCachedWorkflows: limits.maxCachedWorkflows,
    tuner: {
      workflowTaskSlotSupplier: { numSlots: limits.maxConcurrentWorkflowTaskExecutions },
      activityTaskSlotSupplier: { numSlots: limits.maxConcurrentActivityTaskExecutions },
    },
  });
  close();
});
