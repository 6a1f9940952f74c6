/**
 * End to end over real processes: Temporal dev server, SQS/SNS emulator (moto), carrier simulator (SMS, voice,
 * WhatsApp and SES v2 email), worker and DLR ingester, all started by `resilient-sms dev` (the README's first
 * command), and driven through the typed client and the simulator's game-day API.
 */
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { queueDepth } from '../../src/aws/queue-depth';
import { syncCanarySchedules } from '../../src/canaries/schedules';
import { routeHealthSchema } from '../../src/domain/route-health-config';
import { collectReport } from '../../src/report';
import type { StatusRecord } from '../../src/domain/status';
import { statusQuery } from '../../src/workflows/definitions';
import { requireBuiltLib } from '../helpers/build-lib';
import { startStack, type Stack } from './stack';

let stack: Stack;
const DEST = '+14255550123';

beforeAll(async () => {
  requireBuiltLib();
  stack = await startStack(path.join(__dirname, 'config.yaml'));
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

afterEach(async () => {
  await stack.sim('DELETE', '/_sim/faults');
});

async function send(useCase = 'e2e', destination = DEST, contacts?: { email?: string }): Promise<string> {
  const key = `e2e-${randomUUID()}`;
  await stack.client.sendMessage({ destination, body: 'Your code is 424242', useCase, idempotencyKey: key, contacts });
  return key;
}

interface SimMessage {
  operation: string;
  destination?: string;
  account: string;
  region: string;
  originator: string;
  outcome: string;
}

async function waitFor(key: string, predicate: (s: StatusRecord) => boolean, what: string, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  let last: StatusRecord | undefined;
  while (Date.now() < until) {
    last = await stack.client.getStatus(key);
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last, null, 1)}`);
}

const ended = (s: StatusRecord) => s.status !== 'IN_PROGRESS';
const routeOf = (s: StatusRecord) => s.attempts.map((a) => `${a.account}/${a.region}/${a.originator}:${a.state}`);

async function messagesOn(url: string): Promise<number> {
  return (await queueDepth(stack.sqs, url)).total;
}

it('delivers on the first rung: SMS sent, DLR through SNS -> SQS -> ingester -> signal', async () => {
  const key = await send();
  const s = await waitFor(key, ended, 'the message to end');
  expect(s.status).toBe('DELIVERED');
  expect(routeOf(s)).toEqual(['primary/us-east-1/pool-us-shortcode:delivered']);
  // The ingester acknowledges TEXT_PENDING without a signal (intermediateEvents: final-only, the default).
  expect(s.attempts[0].events.map((e) => e.status)).toEqual(['DELIVERED']);
  const { messages } = await stack.sim<{ messages: { messageId: string; account: string; region: string }[] }>(
    'GET',
    `/_sim/messages?originator=pool-us-shortcode`,
  );
  expect(
    messages.some(
      (m) => m.messageId === s.attempts[0].messageId && m.account === 'primary' && m.region === 'us-east-1',
    ),
  ).toBe(true);
});

it('fails over to another originator when the carrier blocks the first (DLR TEXT_BLOCKED)', async () => {
  await stack.sim('POST', '/_sim/faults', {
    match: { originator: 'pool-us-shortcode' },
    effect: { dlr: 'TEXT_BLOCKED' },
  });
  const key = await send();
  const s = await waitFor(key, ended, 'the message to end');
  expect(s.status).toBe('DELIVERED');
  expect(routeOf(s)).toEqual([
    'primary/us-east-1/pool-us-shortcode:failed',
    'primary/us-east-1/+12065550100:delivered',
  ]);
  expect(s.attempts[0].outcome).toBe('TEXT_BLOCKED');
  expect(s.attempts[1].level).toBe('originator');
});

it('moves to the other account in the same Region when the spend limit is reached', async () => {
  await stack.sim('POST', '/_sim/faults', {
    match: { account: 'primary', region: 'us-east-1' },
    effect: { api: 'spend-limit' },
  });
  const key = await send();
  const s = await waitFor(key, ended, 'the message to end');
  expect(s.status).toBe('DELIVERED');
  expect(routeOf(s)).toEqual([
    'primary/us-east-1/pool-us-shortcode:send-failed',
    'secondary/us-east-1/arn:aws:sms-voice:us-east-1:111111111111:pool/pool-us-shortcode:delivered',
  ]);
  expect(s.attempts[1].level).toBe('account');
});

it('moves to the other Region on a Region-wide API outage', async () => {
  await stack.sim('POST', '/_sim/faults', { match: { region: 'us-east-1' }, effect: { api: 'internal-error' } });
  const key = await send();
  const s = await waitFor(key, ended, 'the message to end');
  expect(s.status).toBe('DELIVERED');
  expect(s.attempts.map((a) => [a.region, a.state])).toEqual([
    ['us-east-1', 'timed-out'],
    ['us-west-2', 'delivered'],
  ]);
  expect(s.attempts[1].level).toBe('region');
});

it('escalates when no DLR arrives within the step', async () => {
  await stack.sim('POST', '/_sim/faults', { match: { originator: 'pool-us-shortcode' }, effect: { dlr: 'none' } });
  const key = await send();
  const s = await waitFor(key, ended, 'the message to end');
  expect(s.status).toBe('DELIVERED');
  expect(s.attempts.map((a) => [a.originator, a.state, a.outcome])).toEqual([
    ['pool-us-shortcode', 'timed-out', 'STEP_TIMEOUT'],
    ['+12065550100', 'delivered', 'DELIVERED'],
  ]);
  expect(s.attempts[0].events).toEqual([]);
});

it("confirms on the app's feedback and records it with PutMessageFeedback", async () => {
  const key = await send('confirm');
  await waitFor(key, (s) => s.attempts[0]?.state === 'delivered', 'the delivery receipt');
  // The receipt alone makes it DELIVERED; the workflow keeps listening for feedback (feedbackGrace).
  expect((await stack.client.getStatus(key)).status).toBe('DELIVERED');
  await stack.client.recordFeedback(key, 'RECEIVED');
  const s = await stack.client.waitForOutcome(key);
  expect(s.status).toBe('CONFIRMED');
  expect(s.attempts[0].feedback).toBe('RECEIVED');
  const { messages } = await stack.sim<{ messages: { messageId: string; feedback?: unknown }[] }>(
    'GET',
    `/_sim/messages?messageId=${s.attempts[0].messageId}`,
  );
  expect(JSON.stringify(messages[0].feedback)).toMatch(/RECEIVED/);
});

it('sends malformed SQS messages to the dead-letter queue while good DLRs still flow', async () => {
  const queue = stack.config.dlrQueues[0];
  const dlqUrl = `${queue.queueUrl}-dlq`;
  const before = await messagesOn(dlqUrl);
  const poison = [
    'not json',
    '{"Type":"Notification","Message":"{oops"}',
    JSON.stringify({ eventType: 'TEXT_DELIVERED' }),
  ];
  for (const body of poison)
    await stack.sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: body }));
  const keys = await Promise.all([send(), send()]);
  for (const key of keys) expect((await waitFor(key, ended, 'the message to end')).status).toBe('DELIVERED');
  const until = Date.now() + 30_000;
  while ((await messagesOn(dlqUrl)) - before < poison.length && Date.now() < until)
    await new Promise((r) => setTimeout(r, 250));
  expect((await messagesOn(dlqUrl)) - before).toBe(poison.length);
  expect(await messagesOn(queue.queueUrl)).toBe(0);
});

it('loses no DLR when the ingester is killed and restarted', async () => {
  const { processes } = stack.readInfo();
  process.kill(processes.ingester!, 'SIGKILL');
  // Receipts for these are published while no ingester runs; they wait in SQS.
  const keys = await Promise.all(Array.from({ length: 5 }, () => send()));
  const results = await Promise.all(keys.map((key) => waitFor(key, ended, 'the message to end', 60_000)));
  expect(results.map((s) => s.status)).toEqual(Array(5).fill('DELIVERED'));
  expect(stack.readInfo().processes.ingester).not.toBe(processes.ingester);
  expect(stack.output()).toMatch(/ingester restarted/);
});

it('ends on email after every SMS route and voice fail (the full ladder)', async () => {
  // SMS is down in every Region; voice shares the service, so its rungs go with it.
  await stack.sim('POST', '/_sim/faults', {
    match: { operation: 'SendTextMessage' },
    effect: { api: 'internal-error' },
  });
  const destination = '+14255550188';
  const key = await send('e2e', destination, { email: 'user@example.com' });
  const s = await waitFor(key, ended, 'the message to end');
  expect(s.status).toBe('DELIVERED');
  expect(s.attempts.map((a) => `${a.channel}/${a.region}/${a.level}:${a.state}`)).toEqual([
    'sms/us-east-1/initial:timed-out',
    'sms/us-west-2/region:timed-out',
    'email/us-east-1/channel:delivered',
  ]);
  // SES v2 on the simulator accepted it, and its configuration set's Delivery event settled the attempt.
  expect(s.attempts[2]).toMatchObject({ outcome: 'DELIVERED', originator: 'no-reply@example.com' });
  expect(s.attempts[2].messageId).toBeTruthy();
  expect(s.attempts[2].events.map((e) => e.type)).toContain('EMAIL_DELIVERY');
});

it('after an opt-out never tries another SMS or voice route, only the channel allowed after it', async () => {
  await stack.sim('POST', '/_sim/faults', {
    // SMS only: email goes out from the same account and Region, and `opted-out` on SendEmail would bounce it.
    match: { account: 'primary', region: 'us-east-1', operation: 'SendTextMessage' },
    effect: { api: 'opted-out' },
  });
  const destination = '+14255550177';
  const key = await send('e2e', destination, { email: 'user@example.com' });
  const s = await waitFor(key, ended, 'the message to end');
  expect(s.status).toBe('DELIVERED');
  expect(s.attempts.map((a) => `${a.channel}:${a.state}:${a.outcome}`)).toEqual([
    'sms:send-failed:DESTINATION_PHONE_NUMBER_OPTED_OUT',
    'email:delivered:DELIVERED',
  ]);
  const { messages } = await stack.sim<{ messages: SimMessage[] }>(
    'GET',
    `/_sim/messages?destination=${encodeURIComponent(destination)}`,
  );
  expect(messages.map((m) => m.operation)).toEqual(['SendTextMessage']);
});

it('a use case with a FILTER protect configuration: a suspect number ends TEXT_PROTECT_BLOCKED, shown by the report', async () => {
  const since = new Date(Date.now() - 1_000);
  // Another US number: sent with the protect configuration of its account x Region, and delivered.
  const normal = await waitFor(await send('protected'), ended, 'the normal message to end');
  expect(normal.status).toBe('DELIVERED');
  const { messages } = await stack.sim<{ messages: { parameters?: { protectConfigurationId?: string } }[] }>(
    'GET',
    `/_sim/messages?messageId=${normal.attempts[0].messageId}`,
  );
  expect(messages[0].parameters?.protectConfigurationId).toBe('protect-e2e-primary-use1');
  // A number of the simulator's stand-in AIT prefix +1900: accepted, then blocked; never routed around: STOPPED.
  const suspect = await waitFor(await send('protected', '+19002345678'), ended, 'the suspect message to end');
  expect(suspect.status).toBe('STOPPED'); // a compliance control, not a delivery failure
  expect(suspect.attempts.map((a) => [`${a.account}/${a.region}`, a.outcome])).toEqual([
    ['primary/us-east-1', 'TEXT_PROTECT_BLOCKED'],
  ]);
  // The delivery report counts it among the protect configuration's blocks (visibility may lag a moment).
  const until = Date.now() + 30_000;
  let protection;
  do {
    protection = (await collectReport({ client: stack.temporal, since, taskQueue: stack.config.temporal.taskQueue }))
      .protection;
    if (protection?.protectBlocked.TEXT_PROTECT_BLOCKED) break;
    await new Promise((r) => setTimeout(r, 250));
  } while (Date.now() < until);
  expect(protection).toMatchObject({
    protectBlocked: { TEXT_PROTECT_BLOCKED: 1 },
    protectBlockedByCountry: { US: 1 },
  });
});

describe('the CLI', () => {
  const cli = (...args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [path.join(__dirname, '..', '..', 'lib/src/cli/main.js'), '--config', stack.info.configPath, ...args],
        { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
        (_err, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
      );
    });

  it('sends and waits, then prints the status record as JSON', async () => {
    const key = `cli-${randomUUID()}`;
    const sent = await cli(
      'send',
      '--to',
      '+14255550166',
      '--body',
      'Your code is 777',
      '--use-case',
      'e2e',
      '--key',
      key,
      '--wait',
      '--json',
    );
    expect(sent.code).toBe(0);
    expect((JSON.parse(sent.stdout) as StatusRecord).status).toBe('DELIVERED');
    const status = await cli('status', key, '--json');
    expect(status.code).toBe(0);
    const record = JSON.parse(status.stdout) as StatusRecord;
    expect(record.status).toBe('DELIVERED');
    expect(record.attempts[0]).toEqual(
      expect.objectContaining({
        channel: 'sms',
        account: 'primary',
        region: 'us-east-1',
        originator: 'pool-us-shortcode',
        messageId: expect.any(String),
        outcome: 'DELIVERED',
      }),
    );
    const again = await cli(
      'send',
      '--to',
      '+14255550166',
      '--body',
      'Your code is 777',
      '--use-case',
      'e2e',
      '--key',
      key,
    );
    expect(again.stdout).toMatch(/^already exists: .*, 1 SMS part \(GSM 7-bit, 16 characters\)$/m);
  });

  it('prints one clear line and exits non-zero on bad input or an unknown key', async () => {
    const bad = await cli('send', '--to', '+1425', '--body', 'x', '--use-case', 'e2e');
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^resilient-sms: invalid message request: destination: /),
    ]);
    const unknown = await cli('status', 'no-such-key');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('resilient-sms: no message with key "no-such-key"');
  });
});

it("a route canary: its schedule's probe goes to AWS's US success simulator number and ends DELIVERED", async () => {
  // The schedule built from this stack's config with canaries on, on the stack's task queue: the stack's worker runs
  // the probe, the simulator answers the simulator number, the receipt comes back through SNS -> SQS -> ingester.
  const config = {
    ...stack.config,
    routeHealth: routeHealthSchema.parse({ enabled: true, canaries: { every: '1h', routes: ['secondary-use1'] } }),
  };
  const synced = await syncCanarySchedules(stack.temporal, config);
  expect(synced.created).toEqual(['route-canary:secondary-use1']);
  const schedule = stack.temporal.schedule.getHandle('route-canary:secondary-use1');
  try {
    await schedule.trigger();
    let workflowId: string | undefined;
    for (const until = Date.now() + 30_000; !workflowId && Date.now() < until;) {
      workflowId = (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId;
      if (!workflowId) await new Promise((r) => setTimeout(r, 200));
    }
    expect(workflowId).toMatch(/^route-canary:secondary-use1-/);
    const handle = stack.temporal.workflow.getHandle(workflowId!);
    let record: StatusRecord | undefined;
    for (const until = Date.now() + 30_000; Date.now() < until;) {
      record = await handle.query(statusQuery);
      if (ended(record)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(record).toMatchObject({ status: 'DELIVERED', useCase: 'canary' });
    expect(routeOf(record!)).toEqual([
      'secondary/us-east-1/arn:aws:sms-voice:us-east-1:111111111111:pool/pool-us-shortcode:delivered',
    ]);
    const { messages } = await stack.sim<{ messages: SimMessage[] & { messageId: string }[] }>(
      'GET',
      `/_sim/messages?messageId=${record!.attempts[0].messageId}`,
    );
    expect(messages.map((m) => m.destination)).toEqual(['+14254147755']);
  } finally {
    await schedule.delete();
  }
});

it('refuses a second start on the same data folder with a clear message', async () => {
  const { stderr, code } = await new Promise<{ stderr: string; code: number | null }>((resolve) => {
    const child = execFile(
      process.execPath,
      [
        'lib/src/cli/main.js',
        '--config',
        path.join(__dirname, 'config.yaml'),
        'dev',
        '--data',
        stack.info.dataDir,
        '--ports',
        'auto',
        '--headless',
      ],
      { cwd: path.join(__dirname, '..', '..') },
      (_err, _stdout, stderrText) => resolve({ stderr: stderrText, code: child.exitCode }),
    );
  });
  expect(code).toBe(1);
  expect(stderr).toMatch(/already running \(pid \d+\)/);
});
