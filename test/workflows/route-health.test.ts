/**
 * The routeHealth workflow on the real Temporal dev server, with short thresholds: batches open a breaker and the
 * queries show it, cooldown → half-open → closed by probes, drains (with expiry and validation errors), AWS Health
 * open/closed, continue-as-new keeping the state (a run on the main task queue continues on the shared-state queue,
 * one there stays there), and the wake-up of in-flight messages through visibility.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { temporal } from '@temporalio/proto';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { createRouteHealthActivities } from '../../src/activities/route-health';
import { SMS_ROUTE, SMS_STATUS } from '../../src/domain/search-attributes';
import { sharedStateTaskQueue } from '../../src/domain/shared-state';
import type { RouteHealthSnapshot } from '../../src/domain/route-health';
import {
  awsHealthEventSignal,
  drainUpdate,
  healthSnapshotQuery,
  observationsSignal,
  routesQuery,
  undrainUpdate,
  type KeyCounts,
} from '../../src/workflows/route-health-definitions';
import type { RouteHealthWorkflowInput } from '../../src/workflows/route-health-input';
import { historyFileText } from '../helpers/history-files';
import { connectTestEnv, uniqueTaskQueue, uniqueWorkflowId, SILENT_BUNDLER_LOGGER } from '../helpers/temporal-env';
import { routeChangesQuery, type routeChangedListener, type routeHealth } from '../helpers/route-health-workflows';

const REGION = 'region:us-east-1';
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

function input(over: Partial<RouteHealthWorkflowInput['config']> = {}): RouteHealthWorkflowInput {
  const th = {
    minVolume: 3,
    failureRatio: 0.5,
    consecutiveFailures: 0,
    window: 60_000,
    cooldown: 1500,
    halfOpenProbes: 2,
  };
  return {
    config: {
      breakers: { 'send-error': th, 'receipt-failure': th, 'no-receipt': th },
      overdueAfter: 1000,
      latencyFactor: 3,
      wakeWaiting: true,
      ...over,
    },
  };
}

const counts = (key: string, ok: number, failed = 0): KeyCounts => ({
  key,
  second: Math.floor(Date.now() / 1000),
  ok,
  failures: failed ? { 'send-error': failed } : {},
  lastReason: failed ? 'InternalServerException' : undefined,
});

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

/** The message an update was rejected with (WorkflowUpdateFailedError carries it as its cause). */
async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const e = err as Error & { cause?: Error };
    return `${e.message}: ${e.cause?.message ?? ''}`;
  }
  throw new Error('the update was accepted');
}

const entryOf = (s: RouteHealthSnapshot, key: string) => s.entries.find((e) => e.key === key);

/** Histories of the runs below, replayed at the end (and recorded for test/workflows/replay.test.ts). */
const histories: { workflowId: string; history: temporal.api.history.v1.IHistory }[] = [];

/** Runs `fn` with a worker and a fresh routeHealth workflow; keeps its history under `name`. */
async function withRouteHealth(
  name: string,
  wfInput: RouteHealthWorkflowInput,
  fn: (h: WorkflowHandle<typeof routeHealth>, taskQueue: string) => Promise<void>,
): Promise<void> {
  const taskQueue = uniqueTaskQueue('route-health');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: createRouteHealthActivities({ client: env.client }),
  });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof routeHealth>('routeHealth', {
      taskQueue,
      workflowId: uniqueWorkflowId('route-health'),
      args: [{ ...wfInput, config: { ...wfInput.config, taskQueue } }],
    });
    try {
      await fn(handle, taskQueue);
      histories.push({ workflowId: `route-health-${name}`, history: await handle.fetchHistory() });
    } finally {
      await handle.terminate('test over');
    }
  });
}

beforeAll(async () => {
  env = await connectTestEnv();
  bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../helpers/route-health-workflows'),
    logger: SILENT_BUNDLER_LOGGER,
  });
}, 120_000);

afterAll(async () => {
  await env?.teardown();
});

describe('routeHealth workflow', () => {
  it('opens on a failing batch, shows it, turns half-open after the cooldown and closes on probe successes', async () => {
    await withRouteHealth('open-close', input(), async (h) => {
      await h.signal(observationsSignal, { source: 'test@a', counts: [counts(REGION, 0, 2)] });
      await h.signal(observationsSignal, { source: 'test@b', counts: [counts(REGION, 0, 2)] });
      const open = await until(
        () => h.query(healthSnapshotQuery),
        (s) => entryOf(s, REGION) !== undefined,
        'open',
      );
      expect(entryOf(open, REGION)).toMatchObject({
        condition: 'open',
        why: '4 of 4 sends failed (send-error: InternalServerException)',
      });
      const [view] = await h.query(routesQuery);
      expect(view).toMatchObject({ key: REGION, state: 'open', recent: { failures: { 'send-error': 4 } } });

      await until(
        () => h.query(routesQuery),
        (v) => v[0]?.state === 'half-open',
        'half-open',
      );
      await h.signal(observationsSignal, { source: 'test@a', counts: [counts(REGION, 1)] });
      const still = await h.query(routesQuery);
      expect(still[0].state).toBe('half-open'); // one probe success of two
      await h.signal(observationsSignal, { source: 'test@b', counts: [counts(REGION, 1)] });
      await until(
        () => h.query(healthSnapshotQuery),
        (s) => s.entries.length === 0,
        'closed',
      );
      const [closed] = await h.query(routesQuery);
      expect(closed).toMatchObject({ state: 'closed', why: '2 probes succeeded after the cooldown' });
    });
  });

  it('opens an originator whose receipts do not come, on its own timer (silent filtering)', async () => {
    const key = 'originator:primary/us-east-1/pool-sc@US';
    await withRouteHealth('no-receipt', input(), async (h) => {
      const second = Math.floor(Date.now() / 1000);
      await h.signal(observationsSignal, {
        source: 'test',
        counts: [{ key, second, ok: 3, failures: {}, awaitingReceipt: 3 }],
      });
      // No further batch: only the workflow's timer can find the three sends overdue (overdueAfter 1 s).
      const open = await until(
        () => h.query(healthSnapshotQuery),
        (s) => entryOf(s, key) !== undefined,
        'open',
      );
      expect(entryOf(open, key)).toMatchObject({
        condition: 'open',
        why: '3 of 3 sends got no final receipt within 1 s (no-receipt)',
      });
    });
  });

  it('drains and undrains with validation; a drain with forMs expires on its own', async () => {
    await withRouteHealth('drains', input(), async (h) => {
      expect(
        await rejection(h.executeUpdate(drainUpdate, { args: [{ key: 'us-east-1', reason: 'x', by: 'ops' }] })),
      ).toMatch(/"us-east-1" is not a route-health key/);
      expect(
        await rejection(
          h.executeUpdate(drainUpdate, { args: [{ key: 'route:primary/us-east-1', reason: ' ', by: 'ops' }] }),
        ),
      ).toMatch(/route:primary\/us-east-1: a reason is required/);
      expect(
        await rejection(h.executeUpdate(undrainUpdate, { args: [{ key: 'route:primary/us-east-1', by: 'ops' }] })),
      ).toMatch(/route:primary\/us-east-1 is not drained/);

      const key = 'originator:primary/us-east-1/pool-sc@*';
      const view = await h.executeUpdate(drainUpdate, {
        args: [{ key, reason: 'carrier maintenance', by: 'ops', forMs: 1500 }],
      });
      expect(view).toMatchObject({ key, condition: 'drained', drain: { reason: 'carrier maintenance', by: 'ops' } });
      expect(view.why).toMatch(/^drained by ops: carrier maintenance until \d{4}-/);
      expect(entryOf(await h.query(healthSnapshotQuery), key)).toMatchObject({ condition: 'drained' });
      await until(
        () => h.query(healthSnapshotQuery),
        (s) => s.entries.length === 0,
        'drain expiry',
      );

      await h.executeUpdate(drainUpdate, { args: [{ key: REGION, reason: 'game day', by: 'ops' }] });
      const undrained = await h.executeUpdate(undrainUpdate, { args: [{ key: REGION, by: 'ops' }] });
      expect(undrained).toMatchObject({ key: REGION, condition: 'closed' });
      expect((await h.query(healthSnapshotQuery)).entries).toEqual([]);
    });
  });

  it('holds a Region open on an AWS Health open event until its closed event, whatever the counts', async () => {
    await withRouteHealth('aws-health', input(), async (h) => {
      const ev = {
        eventArn: 'arn:aws:health:us-east-1::event/SMS/AWS_SMS_OPERATIONAL_ISSUE/test',
        region: 'us-east-1',
        eventTypeCode: 'AWS_SMS_OPERATIONAL_ISSUE',
        at: Date.now(),
      };
      await h.signal(awsHealthEventSignal, { ...ev, statusCode: 'open' });
      await until(
        () => h.query(healthSnapshotQuery),
        (s) => entryOf(s, REGION) !== undefined,
        'open',
      );
      await h.signal(observationsSignal, { source: 'test', counts: [counts(REGION, 20)] });
      await h.signal(awsHealthEventSignal, { ...ev, eventArn: 'other', statusCode: 'closed' });
      expect(entryOf(await h.query(healthSnapshotQuery), REGION)).toMatchObject({
        condition: 'open',
        why: 'AWS Health AWS_SMS_OPERATIONAL_ISSUE',
      });
      await h.signal(awsHealthEventSignal, { ...ev, statusCode: 'closed' });
      await until(
        () => h.query(healthSnapshotQuery),
        (s) => s.entries.length === 0,
        'closed',
      );
    });
  });

  it('logs and skips malformed signals and keeps running', async () => {
    await withRouteHealth('malformed', input(), async (h) => {
      const junk = (v: unknown) => v as never;
      await h.signal(observationsSignal, junk({ source: 'x', counts: 'nope' }));
      await h.signal(observationsSignal, junk(null));
      await h.signal(observationsSignal, { source: 'x', counts: [junk({ key: 'us-east-1', second: 1, ok: 1 })] });
      await h.signal(awsHealthEventSignal, junk({ eventArn: 42, region: 'US EAST' }));
      await h.signal(awsHealthEventSignal, junk('open'));
      expect(await h.query(routesQuery)).toEqual([]);
      // It still works: a valid batch opens the breaker.
      await h.signal(observationsSignal, { source: 'x', counts: [counts(REGION, 0, 5)] });
      await until(
        () => h.query(healthSnapshotQuery),
        (s) => entryOf(s, REGION) !== undefined,
        'open',
      );
      expect((await h.describe()).status.name).toBe('RUNNING');
    });
  });

  it('continues as new when its history grows, keeping breakers and drains, onto the shared-state queue', async () => {
    await withRouteHealth('continue-as-new', input({ maxHistoryEvents: 30 }), async (h, taskQueue) => {
      const firstRun = (await h.describe()).runId;
      await h.executeUpdate(drainUpdate, { args: [{ key: 'route:primary/us-west-2', reason: 'r', by: 'ops' }] });
      await h.signal(observationsSignal, { source: 'test', counts: [counts(REGION, 0, 5)] });
      // A signal per poll until the run continues: signals that arrive together share a workflow task, so a fixed
      // number of them may not grow the history enough on a loaded machine.
      const signalUntilContinued = async (run: string) =>
        await until(
          async () => {
            await h.signal(observationsSignal, { source: 'test', counts: [counts('route:primary/us-east-1', 1)] });
            return await h.describe();
          },
          (d) => d.runId !== run,
          'continue-as-new',
        );
      // Started on the main queue (as an older release did): the next run is on the shared-state queue, which only
      // the Worker below polls.
      const second = await signalUntilContinued(firstRun);
      const shared = sharedStateTaskQueue(taskQueue);
      expect(second.taskQueue).toBe(shared);
      const sharedWorker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: shared,
        workflowBundle: bundle,
        activities: createRouteHealthActivities({ client: env.client }),
      });
      await sharedWorker.runUntil(async () => {
        const latest = env.client.workflow.getHandle<typeof routeHealth>(h.workflowId);
        const snapshot = await latest.query(healthSnapshotQuery);
        expect(snapshot.entries.map((e) => [e.key, e.condition])).toEqual([
          [REGION, 'open'],
          ['route:primary/us-west-2', 'drained'],
        ]);
        // A run on the shared-state queue continues there.
        expect((await signalUntilContinued(second.runId)).taskQueue).toBe(shared);
        // Malformed carried state does not stop a run: it starts with what it can use.
        const other = await env.client.workflow.start<typeof routeHealth>('routeHealth', {
          taskQueue: shared,
          workflowId: uniqueWorkflowId('route-health-junk'),
          args: [{ config: input().config, carried: { breakers: { version: 9 }, drains: { nope: 1 } } }],
        });
        expect((await other.query(healthSnapshotQuery)).entries).toEqual([]);
        await other.terminate('test over');
      });
    });
  });

  it('wakes the in-flight messages of a drained Region through visibility, not those elsewhere', async () => {
    const routes = ['primary/us-east-1', 'secondary/us-east-1', 'primary/us-west-2'];
    await withRouteHealth('wake', input({ routes }), async (h, taskQueue) => {
      const listeners = await Promise.all(
        routes.map((route) =>
          env.client.workflow.start<typeof routeChangedListener>('routeChangedListener', {
            taskQueue,
            workflowId: uniqueWorkflowId('listener'),
            typedSearchAttributes: [
              { key: SMS_STATUS, value: 'IN_PROGRESS' },
              { key: SMS_ROUTE, value: route },
            ],
          }),
        ),
      );
      const query = `TaskQueue = "${taskQueue}" AND ${SMS_STATUS.name} = "IN_PROGRESS"`;
      await until(
        async () => (await env.client.workflow.count(query)).count,
        (n) => n === 3,
        'visibility of the listeners',
      );
      await h.executeUpdate(drainUpdate, { args: [{ key: REGION, reason: 'test', by: 'ops' }] });
      const [east1, east2, west] = listeners;
      for (const l of [east1, east2]) {
        const seen = await until(
          () => l.query(routeChangesQuery),
          (s) => s.length > 0,
          'routeChanged',
        );
        expect(seen).toEqual([{ entry: expect.objectContaining({ key: REGION, condition: 'drained' }) }]);
      }
      expect(await west.query(routeChangesQuery)).toEqual([]);
      await Promise.all(listeners.map((l) => l.terminate('test over')));
    });
  });

  it('replays every history recorded above with the current workflow code (determinism)', async () => {
    expect(histories.length).toBe(7);
    if (process.env.RECORD_HISTORIES) {
      // Refresh the committed fixtures that test/workflows/replay.test.ts replays on every run.
      for (const { workflowId, history } of histories) {
        writeFileSync(join(__dirname, 'histories', `${workflowId}.json`), historyFileText(history));
      }
    }
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
      expect({ id: result.workflowId, error: result.error?.message }).toEqual({
        id: result.workflowId,
        error: undefined,
      });
    }
  });
});
