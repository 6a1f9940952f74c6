/**
 * Two-way SMS end to end on a real SQS/SNS emulator (moto), the carrier simulator and the Temporal dev server: the
 * simulator's `POST /_sim/inbound` puts a STOP on the replied-to number's list and publishes the inbound message
 * (SNS envelope, signed by the emulator) to the two-way topic; the ingester reads it from the subscribed queue and
 * signals, with start, the number's optOutPropagation workflow, which puts the number on every other list. HELP is
 * acknowledged without a signal; a malformed body reaches the dead-letter queue.
 */
import { DescribeOptedOutNumbersCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { createOptOutActivities } from '../../src/activities/opt-out';
import { smsClientsFromConfig } from '../../src/aws/registries';
import { configSchema, type Config } from '../../src/domain/config';
import { createIngester, type Ingester } from '../../src/ingester/ingester';
import { startSimulator, type Simulator } from '../../src/simulator/server';
import { startMoto, type Moto } from '../../src/tools/moto';
import { EMULATOR_CREDENTIALS, provisionInboundQueues } from '../../src/tools/provision-emulator';
import { optOutStatusQuery, optOutWorkflowId } from '../../src/workflows/opt-out-definitions';
import { admin, destroyClients, KEYS, smsClient } from '../simulator/harness';
import { connectTestEnv, uniqueTaskQueue, SILENT_BUNDLER_LOGGER } from '../helpers/temporal-env';

/** The SDK marks credential objects it used (`$source`); the config schema is strict: give it fresh ones. */
const copy = (k: { accessKeyId: string; secretAccessKey: string }) => ({
  accessKeyId: k.accessKeyId,
  secretAccessKey: k.secretAccessKey,
});

let env: TestWorkflowEnvironment;
let moto: Moto;
let worker: Worker;
let workerRun: Promise<void>;
let sim: Simulator;
let ingester: Ingester;
let sqs: SQSClient;
let config: Config;
let queueUrl: string;
let dlqUrl: string;
let closeClients: () => void;
const taskQueue = uniqueTaskQueue('inbound');
const logs: string[] = [];

async function waitFor<T>(what: string, fn: () => Promise<T>, until: (v: T) => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await fn();
      if (until(last)) return last;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}; last: ${JSON.stringify(last)}; ingester log:\n${logs.join('\n')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  env = await connectTestEnv();
  const [m, bundle] = await Promise.all([
    startMoto(),
    bundleWorkflowCode({
      workflowsPath: require.resolve('../../src/workflows'),
      logger: SILENT_BUNDLER_LOGGER,
    }),
  ]);
  moto = m;
  // The simulator first (the routes point at it), then the config with its URL.
  const accounts = {
    primary: { accountId: '111111111111', credentials: { type: 'static', ...copy(KEYS.primary) } },
  };
  const base = {
    temporal: { taskQueue },
    accounts,
    originators: { US: [{ route: 'e', identity: '+12065550100', type: '10dlc' }] },
    policies: { otp: {} },
    optOuts: {
      inbound: [
        {
          account: 'primary',
          region: 'us-east-1',
          endpoint: moto.endpoint,
          queueUrl: `${moto.endpoint}/123456789012/inbound-${taskQueue}`,
          topicArn: `arn:aws:sns:us-east-1:123456789012:inbound-${taskQueue}`,
        },
      ],
    },
  };
  sim = await startSimulator({
    config: configSchema.parse({
      ...base,
      routes: [{ id: 'e', account: 'primary', region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }],
    }),
  });
  config = configSchema.parse({
    ...base,
    routes: [
      { id: 'e', account: 'primary', region: 'us-east-1', endpoint: sim.url },
      { id: 'w', account: 'primary', region: 'us-west-2', endpoint: sim.url },
    ],
  });
  const [q] = await provisionInboundQueues(config, { maxReceiveCount: 1, visibilityTimeoutSeconds: 30 });
  queueUrl = q.queueUrl;
  dlqUrl = q.dlqUrl;
  // The simulator publishes to the topic of its own config: the same inbound entry.
  const smsClient_ = smsClientsFromConfig(config);
  closeClients = () => smsClient_.destroyAll();
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: createOptOutActivities({ config, smsClient: smsClient_, temporal: env.client }),
  });
  workerRun = worker.run();
  sqs = new SQSClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: EMULATOR_CREDENTIALS });
  ingester = createIngester({
    config,
    client: env.client,
    waitTimeSeconds: 1,
    poisonVisibilitySeconds: 0,
    snsSignatures: 'emulator', // the config's ingester section, as src/ingester/main.ts passes it
    log: (level, msg, fields) => logs.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`),
  });
  ingester.start();
}, 180_000);

afterAll(async () => {
  await ingester?.stop();
  if (worker) {
    worker.shutdown();
    await workerRun;
  }
  closeClients?.();
  destroyClients();
  await sim?.stop();
  sqs?.destroy();
  await moto?.stop();
  await env?.teardown();
});

const inbound = (from: string, body: string) =>
  admin<Record<string, unknown>>(sim.url, 'POST', '/_sim/inbound', {
    from,
    to: '+12065550100',
    account: 'primary',
    region: 'us-east-1',
    body,
  });

it('a STOP in us-east-1 reaches the us-west-2 list through SNS, SQS, the ingester and propagation', async () => {
  const number = '+14255550301';
  const res = await inbound(number, 'STOP');
  expect(res.status).toBe(201);
  expect(res.json).toMatchObject({ action: 'opt-out', published: true });
  await waitFor(
    'the propagation workflow to apply the opt-out',
    () => env.client.workflow.getHandle(optOutWorkflowId(number)).query(optOutStatusQuery),
    (s) =>
      s.applied?.kind === 'opt-out' &&
      s.applied.source === 'inbound-keyword' &&
      s.targets.every((t) => t.state === 'done'),
  );
  const west = await smsClient(sim.url, 'primary', 'us-west-2').send(
    new DescribeOptedOutNumbersCommand({ OptOutListName: 'Default', OptedOutNumbers: [number] }),
  );
  expect(west.OptedOutNumbers?.map((n) => n.OptedOutNumber)).toEqual([number]);
  expect(ingester.stats.inboundSignalled).toBeGreaterThanOrEqual(1);
});

it('HELP is acknowledged without a signal; a malformed body goes to the dead-letter queue', async () => {
  const ignoredBefore = ingester.stats.inboundIgnored;
  await inbound('+14255550302', 'HELP');
  await waitFor(
    'HELP acknowledged',
    () => Promise.resolve(ingester.stats.inboundIgnored),
    (n) => n > ignoredBefore,
  );
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"originationNumber":"not a number"}' }));
  await waitFor(
    'the malformed message in the DLQ',
    async () =>
      Number(
        (
          await sqs.send(
            new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
          )
        ).Attributes?.ApproximateNumberOfMessages ?? 0,
      ),
    (n) => n >= 1,
  );
  expect(ingester.stats.inboundMalformed).toBeGreaterThanOrEqual(1);
});
