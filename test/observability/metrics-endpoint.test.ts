/**
 * The worker and ingester *processes* (the built CLI, as production runs them) each expose ONE Prometheus
 * endpoint with the Temporal SDK's metrics and ours, and write JSON log lines carrying the workflow id and no
 * phone number. Real Temporal dev server, real SQS emulator (moto), local SMS v2 endpoint:
 * us-east-1 answers InternalServerException (ambiguous -> Region failover), us-west-2 accepts, a receipt
 * goes through SQS and the ingester; a poison message sits in a dead-letter queue.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ResilientSmsClient } from '../../src/client';
import { configSchema, type Config } from '../../src/domain/config';
import type { StatusRecord } from '../../src/domain/status';
import { PROMETHEUS_NAMES } from '../../src/observability/metrics';
import { startMoto, type Moto } from '../../src/tools/moto';
import { EMULATOR_CREDENTIALS, provisionDlrQueues, type ProvisionedQueue } from '../../src/tools/provision-emulator';
import { waitForExit } from '../../src/tools/service-process';
import { freePort } from '../../src/tools/free-ports';
import { findRepoRoot } from '../../src/tools/temporal-cli';
import { requireBuiltLib } from '../helpers/build-lib';
import { dlrEvent } from '../helpers/dlr-fixtures';
import { startSmsV2Endpoint, type RecordedRequest, type SmsV2Endpoint } from '../helpers/sms-v2-endpoint';
import { connectTestEnv, testServerAddress, uniqueTaskQueue } from '../helpers/temporal-env';

const root = findRepoRoot(__dirname);
const DEST = '+14255550156';
const taskQueue = uniqueTaskQueue('metrics');

let env: TestWorkflowEnvironment;
let sms: SmsV2Endpoint;
let moto: Moto;
/** moto keeps queues per Region: the us-west-2 queues need a us-west-2 client. */
let sqs: SQSClient;
let queues: ProvisionedQueue[];
let config: Config;
let tmp: string;
const procs: Record<string, { child: ChildProcess; url: string; output: () => string }> = {};

async function startProcess(name: 'worker' | 'ingest', configFile: string) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [path.join(root, 'lib/src/cli/main.js'), '--config', configFile, name, '--metrics-port', String(port)],
    {
      cwd: root,
      env: { ...process.env, METRICS_HOST: '127.0.0.1', LOG_LEVEL: 'info', TEMPORAL_ADDRESS: testServerAddress() },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  procs[name] = { child, url: `http://127.0.0.1:${port}/metrics`, output: () => output };
  return procs[name];
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of the first sample of `name` whose labels include all of `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^([^{ ]+)(?:\{(.*)\})? ([^ ]+)$/.exec(line);
    if (!m) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

async function eventually<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  requireBuiltLib();
  env = await connectTestEnv();
  sms = await startSmsV2Endpoint();
  sms.on('SendTextMessage', (req: RecordedRequest) =>
    req.region === 'us-east-1'
      ? { kind: 'error', type: 'InternalServerException', message: 'Region down' }
      : { kind: 'success', messageId: `m-${randomUUID()}` },
  );
  moto = await startMoto();
  sqs = new SQSClient({ region: 'us-west-2', endpoint: moto.endpoint, credentials: EMULATOR_CREDENTIALS });
  const q = (account: string, region: string, name: string) => ({
    account,
    region,
    endpoint: moto.endpoint,
    queueUrl: `${moto.endpoint}/123456789012/${name}`,
    rawDelivery: true,
  });
  config = configSchema.parse({
    temporal: { address: testServerAddress(), namespace: 'default', taskQueue },
    accounts: { primary: { credentials: { type: 'static', accessKeyId: 'AKIDPRIMARY', secretAccessKey: 'test' } } },
    routes: [
      { id: 'primary-use1', account: 'primary', region: 'us-east-1', endpoint: sms.url, configurationSet: 'cs' },
      { id: 'primary-usw2', account: 'primary', region: 'us-west-2', endpoint: sms.url, configurationSet: 'cs' },
    ],
    originators: {
      US: [
        { route: 'primary-use1', identity: 'pool-use1', kind: 'pool', type: 'short-code' },
        { route: 'primary-usw2', identity: 'pool-usw2', kind: 'pool', type: 'toll-free' },
      ],
    },
    policies: { otp: { stepWait: '30s', deadline: '2m', ambiguousWait: '1s' } },
    dlrQueues: [q('primary', 'us-east-1', 'm-dlr-use1'), q('primary', 'us-west-2', 'm-dlr-usw2')],
  });
  queues = await provisionDlrQueues(config);
  // A receipt nobody could process, already dead-lettered.
  await sqs.send(new SendMessageCommand({ QueueUrl: queues[1].dlqUrl, MessageBody: 'not a receipt' }));

  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-metrics-'));
  const configFile = path.join(tmp, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify(config));
  await startProcess('worker', configFile);
  await startProcess('ingest', configFile);
  await eventually(async () => ((await scrape(procs.worker.url)) ? true : undefined), 'worker metrics endpoint');
  await eventually(async () => ((await scrape(procs.ingest.url)) ? true : undefined), 'ingester metrics endpoint');
}, 180_000);

afterAll(async () => {
  for (const p of Object.values(procs)) {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
  }
  sqs?.destroy();
  await moto?.stop();
  await sms?.close();
  await env?.teardown();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

it('worker and ingester expose SDK and resilient-sms metrics on one endpoint each, and log JSON lines', async () => {
  const client = new ResilientSmsClient(config, env.client, { taskQueue });
  const sent = await client.sendMessage({ destination: DEST, body: 'Your code is 123456', useCase: 'otp' });

  // Attempt 1 (us-east-1) is ambiguous; after 1 s without a receipt, attempt 2 goes to us-west-2.
  const handle = env.client.workflow.getHandle(sent.workflowId);
  const status = await eventually(async () => {
    const s = await client.getStatus(sent.idempotencyKey);
    return s.attempts[1]?.state === 'sent' ? s : undefined;
  }, 'attempt 2 sent');
  const receipt = dlrEvent(sent.workflowId, 2, {
    eventTimestamp: Date.now() - 1_500,
    messageId: status.attempts[1].messageId,
  });
  await sqs.send(new SendMessageCommand({ QueueUrl: queues[1].queueUrl, MessageBody: JSON.stringify(receipt) }));
  const result = (await handle.result()) as StatusRecord;
  expect(result.status).toBe('DELIVERED');
  expect(result.attempts.map((a) => `${a.region}:${a.level}`)).toEqual(['us-east-1:initial', 'us-west-2:region']);

  // --- the worker's endpoint -----------------------------------------------------------------------------------
  const worker = await eventually(async () => {
    const text = await scrape(procs.worker.url);
    // Core records the SDK's counters a moment after the server has the result: wait for both kinds.
    return sample(text, PROMETHEUS_NAMES.sends, { taskQueue, outcome: 'accepted' }) &&
      sample(text, 'temporal_workflow_completed_total', { task_queue: taskQueue })
      ? text
      : undefined;
  }, 'send metrics and the SDK workflow-completed counter');
  expect(
    sample(worker, PROMETHEUS_NAMES.sends, {
      taskQueue,
      channel: 'sms',
      route: 'primary/us-east-1',
      outcome: 'ambiguous',
      scope: 'region',
      reason: 'InternalServerException',
    }),
  ).toBe(1);
  expect(
    sample(worker, PROMETHEUS_NAMES.sends, {
      taskQueue,
      channel: 'sms',
      route: 'primary/us-west-2',
      outcome: 'accepted',
      level: 'region',
    }),
  ).toBe(1);
  expect(sample(worker, PROMETHEUS_NAMES.failovers, { taskQueue, level: 'region' })).toBe(1);
  expect(sample(worker, `${PROMETHEUS_NAMES.sendDuration}_count`, { taskQueue, outcome: 'accepted' })).toBe(1);
  // The SDK's own metrics, on the same endpoint.
  expect(sample(worker, 'temporal_workflow_completed_total', { task_queue: taskQueue })).toBeGreaterThanOrEqual(1);
  expect(
    sample(worker, 'temporal_activity_execution_latency_seconds_count', {
      task_queue: taskQueue,
      activity_type: 'sendSms',
    }),
  ).toBe(2);
  expect(worker).toContain('temporal_worker_task_slots_available');
  // No personal data in any label.
  expect(worker).not.toContain('4255550156');

  // --- the ingester's endpoint ---------------------------------------------------------------------------------
  const ingester = await eventually(async () => {
    const text = await scrape(procs.ingest.url);
    return sample(text, PROMETHEUS_NAMES.dlrs) !== undefined &&
      sample(text, PROMETHEUS_NAMES.deadLettered, { queue: 'primary/us-west-2/m-dlr-usw2' }) !== undefined
      ? text
      : undefined;
  }, 'DLR metrics');
  expect(
    sample(ingester, PROMETHEUS_NAMES.dlrs, {
      status: 'DELIVERED',
      final: 'true',
      route: 'primary/us-west-2',
      result: 'signalled',
    }),
  ).toBe(1);
  expect(sample(ingester, `${PROMETHEUS_NAMES.dlrLatency}_count`, { status: 'DELIVERED' })).toBe(1);
  const latency = sample(ingester, `${PROMETHEUS_NAMES.dlrLatency}_sum`, { status: 'DELIVERED' })!;
  expect(latency).toBeGreaterThanOrEqual(1.5);
  expect(latency).toBeLessThan(60);
  expect(sample(ingester, `${PROMETHEUS_NAMES.dlrLatency}_bucket`, { status: 'DELIVERED', le: '1' })).toBe(0);
  expect(sample(ingester, `${PROMETHEUS_NAMES.dlrLatency}_bucket`, { status: 'DELIVERED', le: '60' })).toBe(1);
  expect(sample(ingester, PROMETHEUS_NAMES.deadLettered, { queue: 'primary/us-west-2/m-dlr-usw2' })).toBe(1);
  expect(sample(ingester, PROMETHEUS_NAMES.deadLettered, { queue: 'primary/us-east-1/m-dlr-use1' })).toBe(0);
  expect(sample(ingester, PROMETHEUS_NAMES.inFlight)).toBeGreaterThanOrEqual(0);
  expect(ingester).not.toContain('4255550156');

  // --- JSON logs with the workflow id, no phone number -----------------------------------------------------------
  const lines = procs.worker
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'));
  const logs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(logs.length).toBeGreaterThan(3);
  expect(logs.every((l) => typeof l.time === 'string' && typeof l.level === 'string' && l.process === 'worker')).toBe(
    true,
  );
  const ours = logs.filter((l) => l.workflowId === sent.workflowId);
  expect(ours.some((l) => l.sdkComponent === 'workflow')).toBe(true);
  expect(ours.some((l) => l.sdkComponent === 'activity')).toBe(true);
  expect(procs.worker.output()).not.toContain('4255550156');
  expect(procs.ingest.output()).not.toContain('4255550156');

  // --- both stop promptly on SIGTERM -----------------------------------------------------------------------------
  for (const p of Object.values(procs)) p.child.kill('SIGTERM');
  for (const [name, p] of Object.entries(procs)) {
    const started = Date.now();
    expect([name, await waitForExit(p.child, 20_000)]).toEqual([name, true]);
    expect(Date.now() - started).toBeLessThan(20_000);
  }
}, 90_000);
