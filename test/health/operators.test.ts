/**
 * The operators' client side (src/health/operators.ts) on the real dev server, against a stand-in routeHealth
 * workflow that implements the contract (./route-health-stub-workflow.ts): `routes` before the workflow exists,
 * a drain that starts it (update-with-start) on the deployment's shared-state task queue with the config's routeHealth
 * section, drains of every key a target names, undrain, and the changes reported for the log.
 */
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { loadConfig } from '../../src/config/load';
import { routeHealthSchema } from '../../src/domain/route-health-config';
import { sharedStateTaskQueue } from '../../src/domain/shared-state';
import { BadTargetError } from '../../src/domain/route-targets';
import {
  NothingToUndrainError,
  RouteChangeRefusedError,
  RouteOperators,
  type RouteChange,
} from '../../src/health/operators';
import { connectTestEnv, uniqueTaskQueue, SILENT_BUNDLER_LOGGER } from '../helpers/temporal-env';
import { startArgsQuery } from './route-health-stub-workflow';

const shipped = loadConfig(path.join(__dirname, '../../config/local.yaml'));
const taskQueue = uniqueTaskQueue('route-ops');
const config = {
  ...shipped,
  temporal: { ...shipped.temporal, taskQueue },
  routeHealth: routeHealthSchema.parse({ enabled: true, unhealthyRungs: 'skip' }),
};

let env: TestWorkflowEnvironment;
let worker: Worker;
let workerRun: Promise<void>;
let changes: RouteChange[];
let ops: RouteOperators;

beforeAll(async () => {
  env = await connectTestEnv();
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('./route-health-stub-workflow'),
    logger: SILENT_BUNDLER_LOGGER,
  });
  // Only the shared-state queue is polled: the workflow the drain starts must be there.
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: sharedStateTaskQueue(taskQueue),
    workflowBundle: bundle,
  });
  workerRun = worker.run();
  changes = [];
  ops = new RouteOperators({ client: env.client, config, onChange: (c) => changes.push(c) });
}, 120_000);

afterAll(async () => {
  await env?.client.workflow
    .getHandle(`route-health:${taskQueue}`)
    .terminate('test over')
    .catch(() => undefined);
  if (worker) {
    worker.shutdown();
    await workerRun;
  }
  await env?.teardown();
});

it('says route health has seen nothing yet, then a drain starts the workflow and the routes show it', async () => {
  expect(await ops.routes()).toEqual({
    workflowId: `route-health:${taskQueue}`,
    running: false,
    enabled: true,
    routes: [],
  });
  await expect(ops.undrain({ target: 'us-east-1', by: 'cli:test' })).rejects.toThrow(NothingToUndrainError);

  const drained = await ops.drain({
    target: 'primary-use1',
    reason: 'carrier maintenance',
    by: 'cli:test',
    forMs: 60_000,
  });
  expect(drained.routes).toEqual([
    expect.objectContaining({
      key: 'route:primary/us-east-1',
      condition: 'drained',
      drain: expect.objectContaining({ reason: 'carrier maintenance', by: 'cli:test' }) as unknown,
    }),
  ]);
  const started = env.client.workflow.getHandle(`route-health:${taskQueue}`);
  expect((await started.describe()).taskQueue).toBe(`${taskQueue}-shared-state`);
  const [startArgs] = await started.query(startArgsQuery);
  // The same input the worker processes start it with (src/workflows/route-health-input.ts).
  expect(startArgs).toMatchObject({
    config: { taskQueue, wakeWaiting: true, breakers: { 'send-error': { minVolume: 5 } } },
  });

  const listed = await ops.routes();
  expect(listed.running).toBe(true);
  expect(listed.routes.map((r) => r.key)).toEqual(['route:primary/us-east-1']);
});

it('drains every key an originator identity names on the running workflow, then undrains them', async () => {
  const drained = await ops.drain({ target: 'ExampleCo', reason: 'sender id suspended', by: 'api:app' });
  expect(drained.routes.map((r) => r.key).sort()).toEqual([
    'originator:primary/us-east-1/ExampleCo@*',
    'originator:primary/us-west-2/ExampleCo@*',
    'originator:secondary/us-east-1/ExampleCo@*',
  ]);
  const undrained = await ops.undrain({ target: 'ExampleCo', by: 'api:app' });
  expect(undrained.routes.map((r) => r.condition)).toEqual(['closed', 'closed', 'closed']);
  expect((await ops.routes()).routes.map((r) => r.key)).toEqual(['route:primary/us-east-1']);
  expect(changes.map((c) => `${c.action} ${c.key} by ${c.by}${c.reason ? `: ${c.reason}` : ''}`)).toEqual([
    'drain route:primary/us-east-1 by cli:test: carrier maintenance',
    ...drained.routes.map((r) => `drain ${r.key} by api:app: sender id suspended`),
    ...drained.routes.map((r) => `undrain ${r.key} by api:app`),
  ]);
});

it('undrains only the keys of a target that are drained, and says when none is', async () => {
  await ops.drain({ target: 'originator:primary/us-west-2/ExampleCo@*', reason: 'one route only', by: 'cli:test' });
  const undrained = await ops.undrain({ target: 'ExampleCo', by: 'cli:test' });
  expect(undrained.routes.map((r) => r.key)).toEqual(['originator:primary/us-west-2/ExampleCo@*']);
  await expect(ops.undrain({ target: 'us-east-1', by: 'cli:test' })).rejects.toThrow(
    'nothing to undrain: region:us-east-1 is not drained',
  );
});

it("passes the workflow's refusal on with its reason", async () => {
  await expect(ops.drain({ target: 'us-west-2', reason: 'refuse me', by: 'cli:test' })).rejects.toThrow(
    new RouteChangeRefusedError('route health refused the change: drain region:us-west-2: refused by the stand-in'),
  );
});

it('refuses a bad target or an empty reason before anything reaches Temporal', async () => {
  const before = changes.length;
  await expect(ops.drain({ target: 'eu-west-1', reason: 'x', by: 'cli:test' })).rejects.toThrow(BadTargetError);
  await expect(ops.drain({ target: 'us-east-1', reason: '  ', by: 'cli:test' })).rejects.toThrow(
    'invalid drain request: reason: must not be empty',
  );
  await expect(ops.drain({ target: 'us-east-1', reason: 'x', by: 'cli:test', forMs: -5 })).rejects.toThrow(
    'for: must be a duration between 1ms and 365d',
  );
  expect(changes.length).toBe(before);
  expect((await ops.routes()).routes.map((r) => r.key)).toEqual(['route:primary/us-east-1']);
});

it('says which task queue has no worker when the workflow does not answer in time', async () => {
  const lonely = uniqueTaskQueue('route-ops-no-worker');
  await env.client.workflow.start('routeHealth', { taskQueue: lonely, workflowId: `route-health:${lonely}` });
  try {
    const slow = new RouteOperators({
      client: env.client,
      config: { ...config, temporal: { ...config.temporal, taskQueue: lonely } },
      timeoutMs: 1_500,
    });
    await expect(slow.routes()).rejects.toThrow(
      `routes: no answer from route-health:${lonely} within 1500 ms (is a worker running for task queue ${lonely}? ` +
        `route health runs on ${lonely}-shared-state)`,
    );
  } finally {
    await env.client.workflow.getHandle(`route-health:${lonely}`).terminate('test over');
  }
});
