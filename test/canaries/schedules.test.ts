/**
 * The canaries' Temporal Schedules on the real dev server (src/canaries/schedules.ts): created from the config,
 * updated in place when synced again (idempotent, nothing doubled), deleted when their route leaves the config or
 * canaries are switched off, and another task queue's canaries left alone.
 */
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { syncCanarySchedules } from '../../src/canaries/schedules';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/domain/config';
import { routeHealthSchema } from '../../src/domain/route-health-config';
import type { DeliverMessageInput } from '../../src/workflows/definitions';
import { connectTestEnv, uniqueTaskQueue } from '../helpers/temporal-env';

const shipped = loadConfig(path.join(__dirname, '../../config/local.yaml'));

let env: TestWorkflowEnvironment;
let client: Client;

function configFor(taskQueue: string, canaries?: Record<string, unknown>): Config {
  return {
    ...shipped,
    temporal: { ...shipped.temporal, taskQueue },
    routeHealth: routeHealthSchema.parse({ enabled: true, canaries }),
  };
}

/** Waits until schedule listing (eventually consistent) shows exactly `ids` among `prefix`'s. */
async function listed(ids: string[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const seen: string[] = [];
    for await (const s of client.schedule.list()) if (ids.includes(s.scheduleId)) seen.push(s.scheduleId);
    if (seen.length === ids.length) return;
    if (Date.now() > deadline) throw new Error(`schedules not listed: ${ids.join(', ')} (saw ${seen.join(', ')})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  env = await connectTestEnv();
  client = env.client;
});

afterAll(async () => {
  for await (const s of client.schedule.list()) {
    if (s.scheduleId.startsWith('route-canary:')) await client.schedule.getHandle(s.scheduleId).delete();
  }
  await env?.teardown();
});

it('creates a schedule per route, updates it in place, and deletes those whose route left the config', async () => {
  const taskQueue = uniqueTaskQueue('canary');
  const config = configFor(taskQueue, { every: '1h', routes: ['primary-use1', 'primary-usw2'] });
  const first = await syncCanarySchedules(client, config);
  expect(first).toMatchObject({
    created: ['route-canary:primary-use1', 'route-canary:primary-usw2'],
    updated: [],
    deleted: [],
  });

  const described = await client.schedule.getHandle('route-canary:primary-use1').describe();
  const action = described.action;
  expect(action).toMatchObject({ workflowType: 'deliverMessage', workflowId: 'route-canary:primary-use1', taskQueue });
  const input = action.args?.[0] as DeliverMessageInput;
  expect(input.probe).toBe(true);
  expect(input.request.destination).toBe('+14254147755');
  expect(new Set(input.plan.rungs.map((r) => `${r.account}/${r.region}`))).toEqual(new Set(['primary/us-east-1']));
  expect(described.spec.intervals).toEqual([{ every: 3_600_000, offset: undefined }]);
  expect(described.policies.overlap).toBe('ALLOW_ALL');

  // Synced again with another interval: the same schedules, updated.
  const again = await syncCanarySchedules(
    client,
    configFor(taskQueue, { every: '30m', routes: ['primary-use1', 'primary-usw2'] }),
  );
  expect(again).toMatchObject({ created: [], updated: ['route-canary:primary-use1', 'route-canary:primary-usw2'] });
  expect((await client.schedule.getHandle('route-canary:primary-use1').describe()).spec.intervals).toEqual([
    { every: 1_800_000, offset: undefined },
  ]);

  // primary-usw2 leaves: its schedule goes.
  await listed(['route-canary:primary-use1', 'route-canary:primary-usw2']);
  const fewer = await syncCanarySchedules(client, configFor(taskQueue, { every: '30m', routes: ['primary-use1'] }));
  expect(fewer).toMatchObject({ updated: ['route-canary:primary-use1'], deleted: ['route-canary:primary-usw2'] });
  await expect(client.schedule.getHandle('route-canary:primary-usw2').describe()).rejects.toThrow(/not found/i);

  // Canaries off: every one of this task queue goes.
  await listed(['route-canary:primary-use1']);
  const off = await syncCanarySchedules(client, configFor(taskQueue, undefined));
  expect(off).toMatchObject({ created: [], updated: [], deleted: ['route-canary:primary-use1'] });
});

it("leaves another task queue's canary schedules alone", async () => {
  const mine = uniqueTaskQueue('canary-mine');
  const theirs = uniqueTaskQueue('canary-theirs');
  await syncCanarySchedules(client, configFor(theirs, { routes: ['secondary-use1'] }));
  await listed(['route-canary:secondary-use1']);
  const r = await syncCanarySchedules(client, configFor(mine, undefined));
  expect(r.deleted).toEqual([]);
  const action = (await client.schedule.getHandle('route-canary:secondary-use1').describe()).action;
  expect(action.taskQueue).toBe(theirs);
});
