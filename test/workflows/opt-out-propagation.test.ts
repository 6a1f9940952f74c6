/**
 * The optOutPropagation workflow on the Temporal dev server with the real opt-out activities against the in-process
 * carrier simulator (its lists read back through the SDK): an opt-out reaches every list of every account x Region,
 * duplicate signals change nothing, an opt-in after it takes the number off everywhere, an older event loses, a
 * missing list is an error in the status (not retried forever), a Region that fails is retried until it answers, and
 * a worker restart mid-way finishes the job.
 */
import { DescribeOptedOutNumbersCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createOptOutActivities } from '../../src/activities/opt-out';
import { signalOptOut } from '../../src/activities/opt-out-signal';
import { smsClientsFromConfig } from '../../src/aws/registries';
import { configSchema, type Config } from '../../src/domain/config';
import { startSimulator, type Simulator } from '../../src/simulator/server';
import {
  optOutStatusQuery,
  optOutWorkflowId,
  type OptOutEvent,
  type OptOutStatus,
} from '../../src/workflows/opt-out-definitions';
import { admin, destroyClients, KEYS, smsClient } from '../simulator/harness';
import { connectTestEnv, uniqueTaskQueue, SILENT_BUNDLER_LOGGER } from '../helpers/temporal-env';

/** The SDK marks credential objects it used (`$source`); the config schema is strict: give it fresh ones. */
const copy = (k: { accessKeyId: string; secretAccessKey: string }) => ({
  accessKeyId: k.accessKeyId,
  secretAccessKey: k.secretAccessKey,
});

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let sim: Simulator;

function configFor(taskQueue: string, lists?: unknown): Config {
  return configSchema.parse({
    temporal: { taskQueue },
    accounts: {
      primary: { accountId: '111111111111', credentials: { type: 'static', ...copy(KEYS.primary) } },
      secondary: { accountId: '222222222222', credentials: { type: 'static', ...copy(KEYS.secondary) } },
    },
    routes: [
      { id: 'p1', account: 'primary', region: 'us-east-1', endpoint: sim.url },
      { id: 's1', account: 'secondary', region: 'us-east-1', endpoint: sim.url },
      { id: 'p2', account: 'primary', region: 'us-west-2', endpoint: sim.url },
    ],
    originators: { US: [{ route: 'p1', identity: 'pool-1', type: 'toll-free' }] },
    policies: { otp: {} },
    optOuts: { ...(lists ? { lists } : {}), idleClose: '10m' },
  });
}

async function startWorker(config: Config): Promise<{ worker: Worker; run: Promise<void>; close: () => void }> {
  const smsClient = smsClientsFromConfig(config);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: config.temporal.taskQueue,
    workflowBundle: bundle,
    activities: createOptOutActivities({ config, smsClient, temporal: env.client }),
  });
  return { worker, run: worker.run(), close: () => smsClient.destroyAll() };
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < end) {
    try {
      last = await read();
      if (ok(last)) return last;
    } catch {
      // not started yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

const status = (number: string) => env.client.workflow.getHandle(optOutWorkflowId(number)).query(optOutStatusQuery);
const settled = (at: number) => (s: OptOutStatus) =>
  s.applied?.at === at && s.targets.every((t) => t.state !== 'pending');

async function listed(account: 'primary' | 'secondary', region: string, number: string, list = 'Default') {
  const out = await smsClient(sim.url, account, region).send(
    new DescribeOptedOutNumbersCommand({ OptOutListName: list, OptedOutNumbers: [number] }),
  );
  return (out.OptedOutNumbers ?? []).length > 0;
}

const event = (kind: OptOutEvent['kind'], at: number): OptOutEvent => ({ kind, source: 'operator', at });

beforeAll(async () => {
  env = await connectTestEnv();
  bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    logger: SILENT_BUNDLER_LOGGER,
  });
  sim = await startSimulator({
    config: configSchema.parse({
      accounts: {
        primary: { accountId: '111111111111', credentials: { type: 'static', ...copy(KEYS.primary) } },
        secondary: { accountId: '222222222222', credentials: { type: 'static', ...copy(KEYS.secondary) } },
      },
      routes: [{ id: 'p1', account: 'primary', region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }],
      originators: { US: [{ route: 'p1', identity: 'pool-1', type: 'toll-free' }] },
      policies: { otp: {} },
    }),
  });
}, 180_000);

afterAll(async () => {
  destroyClients();
  await sim?.stop();
  await env?.teardown();
});

afterEach(async () => {
  await admin(sim.url, 'DELETE', '/_sim/faults');
});

it('an opt-out reaches every list; duplicates change nothing; an opt-in after it, and not an older event, wins', async () => {
  const config = configFor(uniqueTaskQueue('opt-out'));
  const w = await startWorker(config);
  const number = '+14255550201';
  try {
    const t0 = Date.now();
    await signalOptOut(env.client, config, number, event('opt-out', t0));
    await signalOptOut(env.client, config, number, event('opt-out', t0)); // a redelivered STOP
    const s = await until(() => status(number), settled(t0), 'the opt-out everywhere');
    expect(s.targets.map((t) => `${t.account}/${t.region}/${t.list}:${t.state}`)).toEqual([
      'primary/us-east-1/Default:done',
      'secondary/us-east-1/Default:done',
      'primary/us-west-2/Default:done',
    ]);
    expect(await listed('primary', 'us-west-2', number)).toBe(true);
    expect(await listed('secondary', 'us-east-1', number)).toBe(true);
    // The workflow id never carries the number.
    expect(optOutWorkflowId(number)).toMatch(/^opt-out:[0-9a-f]{16}$/);

    await signalOptOut(env.client, config, number, event('opt-in', t0 + 1000));
    await until(() => status(number), settled(t0 + 1000), 'the opt-in everywhere');
    expect(await listed('primary', 'us-west-2', number)).toBe(false);
    expect(await listed('primary', 'us-east-1', number)).toBe(false);

    // A late, older opt-out (SQS redelivers out of order) loses to the opt-in.
    await signalOptOut(env.client, config, number, event('opt-out', t0 + 500));
    const after = await status(number);
    expect(after.latest).toMatchObject({ kind: 'opt-in', at: t0 + 1000 });
    expect(await listed('primary', 'us-west-2', number)).toBe(false);
  } finally {
    w.worker.shutdown();
    await w.run;
    w.close();
  }
});

it('a missing list is an error in the status, the other lists are done', async () => {
  const config = configFor(uniqueTaskQueue('opt-out-missing'), [
    { account: 'primary', region: 'us-east-1', names: ['Default', 'no-such-list'] },
    { account: 'primary', region: 'us-west-2' },
  ]);
  const w = await startWorker(config);
  const number = '+14255550202';
  try {
    const t0 = Date.now();
    await signalOptOut(env.client, config, number, event('opt-out', t0));
    const s = await until(() => status(number), settled(t0), 'the opt-out to settle');
    expect(s.targets.map((t) => `${t.region}/${t.list}:${t.state}`)).toEqual([
      'us-east-1/Default:done',
      'us-east-1/no-such-list:error',
      'us-west-2/Default:done',
    ]);
    expect(s.targets[1].error).toMatch(
      /OptOutListMissing: opt-out list "no-such-list" does not exist in primary\/us-east-1/,
    );
  } finally {
    w.worker.shutdown();
    await w.run;
    w.close();
  }
});

it('a Region that fails is retried until it answers, also across a worker restart', async () => {
  const config = configFor(uniqueTaskQueue('opt-out-restart'));
  await admin(sim.url, 'POST', '/_sim/faults', { match: { region: 'us-east-1' }, effect: { api: 'internal-error' } });
  let w = await startWorker(config);
  const number = '+14255550203';
  const t0 = Date.now();
  try {
    await signalOptOut(env.client, config, number, event('opt-out', t0));
    // us-west-2 is done while us-east-1 keeps failing.
    const partial = await until(
      () => status(number),
      (s) => s.targets.some((t) => t.region === 'us-west-2' && t.state === 'done'),
      'us-west-2 to be done',
    );
    expect(partial.targets.filter((t) => t.region === 'us-east-1').map((t) => t.state)).toEqual(['pending', 'pending']);
    expect(await listed('primary', 'us-west-2', number)).toBe(true);
  } finally {
    w.worker.shutdown();
    await w.run;
    w.close();
  }
  await admin(sim.url, 'DELETE', '/_sim/faults');
  w = await startWorker(config);
  try {
    await until(() => status(number), settled(t0), 'us-east-1 after the restart', 60_000);
    expect(await listed('primary', 'us-east-1', number)).toBe(true);
    expect(await listed('secondary', 'us-east-1', number)).toBe(true);
  } finally {
    w.worker.shutdown();
    await w.run;
    w.close();
  }
}, 120_000);
