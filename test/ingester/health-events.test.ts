/**
 * AWS Health events end to end on a real SQS emulator (moto), the carrier simulator and the Temporal dev server:
 * the simulator's `POST /_sim/aws-health` publishes an event in EventBridge's shape to the route-health queue, the
 * ingester reads it and signals `awsHealthEvent` (with start, on the deployment's shared-state task queue) to the
 * routeHealth workflow - open, then the matching closed; an event for a Region the routes do not use is acknowledged
 * without a signal; a malformed body reaches the dead-letter queue. The routeHealth workflow is a stub (test/helpers/route-health-stub-workflow.ts) recording
 * its signals: the real one is not in this branch.
 */
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { configSchema, type Config } from '../../src/domain/config';
import { sharedStateTaskQueue } from '../../src/domain/shared-state';
import { createIngester, type Ingester } from '../../src/ingester/ingester';
import { startSimulator, type Simulator } from '../../src/simulator/server';
import { startMoto, type Moto } from '../../src/tools/moto';
import { EMULATOR_CREDENTIALS, provisionHealthEventQueue } from '../../src/tools/provision-emulator';
import { routeHealthWorkflowId } from '../../src/workflows/route-health-definitions';
import { receivedQuery, type Received } from '../helpers/route-health-stub-workflow';
import { connectTestEnv, uniqueTaskQueue, SILENT_BUNDLER_LOGGER } from '../helpers/temporal-env';

let env: TestWorkflowEnvironment;
let moto: Moto;
let worker: Worker;
let workerRun: Promise<void>;
let sim: Simulator;
let ingester: Ingester;
let sqs: SQSClient;
let config: Config;
let dlqUrl: string;
const taskQueue = uniqueTaskQueue('aws-health');
const logs: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];

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

async function publish(body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${sim.url}/_sim/aws-health`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const received = (): Promise<Received> =>
  env.client.workflow.getHandle(routeHealthWorkflowId(taskQueue)).query(receivedQuery);

beforeAll(async () => {
  env = await connectTestEnv();
  const [m, bundle] = await Promise.all([
    startMoto(),
    bundleWorkflowCode({
      workflowsPath: require.resolve('../helpers/route-health-stub-workflow'),
      logger: SILENT_BUNDLER_LOGGER,
    }),
  ]);
  moto = m;
  // The shared-state queue only: the ingester's signal-with-start must start the workflow there.
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: sharedStateTaskQueue(taskQueue),
    workflowBundle: bundle,
  });
  workerRun = worker.run();
  config = configSchema.parse({
    temporal: { taskQueue },
    accounts: { primary: { credentials: { type: 'static', accessKeyId: 'AKIDX', secretAccessKey: 'x' } } },
    routes: [
      { id: 'e', account: 'primary', region: 'us-east-1', endpoint: 'http://127.0.0.1:1' },
      { id: 'w', account: 'primary', region: 'us-west-2', endpoint: 'http://127.0.0.1:1' },
    ],
    originators: { US: [{ route: 'e', identity: 'pool-1', type: 'short-code' }] },
    policies: { otp: {} },
    routeHealth: {
      enabled: true,
      healthEvents: {
        account: 'primary',
        region: 'us-east-1',
        endpoint: moto.endpoint,
        queueUrl: `${moto.endpoint}/123456789012/rsms-aws-health-${taskQueue}`,
      },
    },
  });
  const provisioned = await provisionHealthEventQueue(config, { maxReceiveCount: 1, visibilityTimeoutSeconds: 30 });
  dlqUrl = provisioned!.dlqUrl;
  sqs = new SQSClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: EMULATOR_CREDENTIALS });
  sim = await startSimulator({ config });
  ingester = createIngester({
    config,
    client: env.client,
    waitTimeSeconds: 1,
    log: (level, msg, fields) => logs.push({ level, msg, fields }),
  });
  ingester.start();
}, 120_000);

afterAll(async () => {
  await ingester?.stop();
  await sim?.stop();
  await env?.client.workflow
    .getHandle(routeHealthWorkflowId(taskQueue))
    .terminate()
    .catch(() => undefined);
  if (worker) {
    worker.shutdown();
    await workerRun;
  }
  sqs?.destroy();
  await moto?.stop();
  await env?.teardown();
});

it('signals an open issue to the routeHealth workflow, started with the config thresholds, then its closed event', async () => {
  const open = await publish({ region: 'us-east-1', id: 'outage-1' });
  expect(open.status).toBe(201);
  const eventArn = (open.json.event as { detail: { eventArn: string } }).detail.eventArn;
  expect(eventArn).toBe(
    'arn:aws:health:us-east-1::event/SMS/AWS_SMS_OPERATIONAL_ISSUE/AWS_SMS_OPERATIONAL_ISSUE_outage-1',
  );
  const first = await waitFor('the open event', received, (r) => r.events.length === 1);
  expect(first.events[0]).toMatchObject({
    eventArn,
    region: 'us-east-1',
    eventTypeCode: 'AWS_SMS_OPERATIONAL_ISSUE',
    statusCode: 'open',
    description: expect.stringContaining('(simulated)'),
  });
  expect(first.input).toMatchObject({ config: { breakers: config.routeHealth!.breakers, taskQueue } });

  expect((await publish({ region: 'us-east-1', id: 'outage-1', status: 'closed' })).status).toBe(201);
  const both = await waitFor('the closed event', received, (r) => r.events.length === 2);
  expect(both.events[1]).toMatchObject({ eventArn, statusCode: 'closed' });
  expect(ingester.stats.healthEventsSignalled).toBe(2);
});

it('acknowledges an event for a Region the routes do not use, without a signal', async () => {
  const before = ingester.stats.healthEventsIgnored;
  expect((await publish({ region: 'eu-west-1' })).status).toBe(201);
  await waitFor(
    'the ignored event',
    () => Promise.resolve(ingester.stats.healthEventsIgnored),
    (n) => n === before + 1,
  );
  expect(logs.find((l) => l.msg === 'AWS Health event acknowledged without a signal')?.fields?.why).toBe(
    "Region eu-west-1 is not one of the routes'",
  );
  expect((await received()).events.map((e) => e.region)).not.toContain('eu-west-1');
});

it('leaves a malformed body for the dead-letter queue', async () => {
  const queueUrl = config.routeHealth!.healthEvents!.queueUrl;
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"source":"aws.health"' }));
  await waitFor(
    'the malformed count',
    () => Promise.resolve(ingester.stats.healthEventsMalformed),
    (n) => n >= 1,
  );
  const depth = async () => {
    const out = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    return Number(out.Attributes?.ApproximateNumberOfMessages);
  };
  await waitFor('the dead-lettered body', depth, (n) => n === 1);
});

it('answers 409 when the config has no AWS Health event queue, and 400 for a bad request', async () => {
  const bare = await startSimulator({ config: { ...config, routeHealth: undefined } });
  try {
    const res = await fetch(`${bare.url}/_sim/aws-health`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toContain('no routeHealth.healthEvents queue');
  } finally {
    await bare.stop();
  }
  const bad = await publish({ region: 'nowhere', status: 'resolved' });
  expect(bad.status).toBe(400);
  expect(String(bad.json.error)).toContain('region: an AWS Region such as us-east-1');
});
