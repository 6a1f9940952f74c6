/**
 * deliverMessage on a real Temporal dev server, with the real activities and the real AWS SDK
 * pointed at a local SMS v2 endpoint. Receipts are signalled the way the DLR ingester does.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { ResilientSmsClient } from '../../src/client';
import { configSchema, type Config, type ConfigInput } from '../../src/domain/config';
import type { DlrSignal } from '../../src/domain/delivery-event';
import {
  SMS_ATTEMPTS,
  SMS_CHANNEL,
  SMS_COUNTRY,
  SMS_LEVEL,
  SMS_ROUTE,
  SMS_STATUS,
  SMS_USE_CASE,
} from '../../src/domain/search-attributes';
import type { StatusRecord } from '../../src/domain/status';
import { CONTEXT_ATTEMPT, CONTEXT_WORKFLOW_ID } from '../../src/domain/sending';
import { dlrSignal, statusQuery, workflowIdFor } from '../../src/workflows/definitions';
import type { deliverMessage } from '../../src/workflows/deliver-message';
import { createWorker } from '../../src/workers/worker';
import { type Behaviour, type RecordedRequest } from '../helpers/sms-v2-endpoint';
import { useWorkflowSuite } from '../helpers/workflow-suite';
import { uniqueTaskQueue } from '../helpers/temporal-env';
import { historyFileText } from '../helpers/history-files';

const suite = useWorkflowSuite();

const DEST = '+14255550156';

const histories: { name: string; workflowId: string }[] = [];

function makeConfig(policy: Record<string, unknown> = {}): Config {
  const input: ConfigInput = {
    accounts: {
      primary: { credentials: { type: 'static', accessKeyId: 'AKIDPRIMARY', secretAccessKey: 'test' } },
      secondary: { credentials: { type: 'static', accessKeyId: 'AKIDSECONDARY', secretAccessKey: 'test' } },
    },
    routes: [
      {
        id: 'primary-use1',
        account: 'primary',
        region: 'us-east-1',
        endpoint: suite.sms.url,
        configurationSet: 'cs-use1',
      },
      {
        id: 'secondary-use1',
        account: 'secondary',
        region: 'us-east-1',
        endpoint: suite.sms.url,
        configurationSet: 'cs-use1',
      },
      {
        id: 'primary-usw2',
        account: 'primary',
        region: 'us-west-2',
        endpoint: suite.sms.url,
        configurationSet: 'cs-usw2',
      },
    ],
    channels: {
      voice: {
        originators: {
          US: [{ route: 'primary-use1', identity: '+12065550199', kind: 'phone-number', type: 'long-code' }],
        },
      },
    },
    originators: {
      US: [
        { route: 'primary-use1', identity: 'pool-use1-sc', kind: 'pool', type: 'short-code' },
        { route: 'primary-use1', identity: 'pool-use1-10dlc', kind: 'pool', type: '10dlc' },
        {
          route: 'secondary-use1',
          identity: 'arn:aws:sms-voice:us-east-1:111111111111:pool/pool-use1-sc',
          kind: 'pool',
          type: 'short-code',
          shared: true,
        },
        { route: 'primary-usw2', identity: 'pool-usw2-tf', kind: 'pool', type: 'toll-free' },
      ],
    },
    policies: {
      otp: {
        stepWait: '20s',
        deadline: '5m',
        ambiguousWait: '1s',
        throttleBackoff: '100ms',
        unreachableBackoff: '100ms',
        handsetRetryDelay: '200ms',
        ...policy,
      },
    },
  };
  return configSchema.parse(input);
}

/** Every send gets message id `m-<attempt>`; behaviours can be set per origination identity. */
function scriptSends(byOriginator: Record<string, Behaviour[]> = {}): void {
  suite.sms.on('SendTextMessage', (req: RecordedRequest) => {
    const originator = String(req.body?.OriginationIdentity);
    const queue = byOriginator[originator];
    if (queue && queue.length > 0) return queue.shift()!;
    return { kind: 'success', messageId: messageIdOf(req) };
  });
}

function contextOf(req: RecordedRequest): Record<string, string> {
  return (req.body?.Context ?? {}) as Record<string, string>;
}
function messageIdOf(req: RecordedRequest): string {
  return `m-${contextOf(req)[CONTEXT_ATTEMPT]}`;
}
function sends(): RecordedRequest[] {
  return suite.sms.requestsFor('SendTextMessage');
}

function dlr(attempt: number, status: string, isFinal = true): DlrSignal {
  return {
    attempt,
    eventType: `TEXT_${status}`,
    status,
    isFinal,
    messageId: `m-${attempt}`,
    eventTimestamp: 1_700_000_000_000 + attempt * 1000 + status.length,
  };
}

async function waitForStatus(
  handle: WorkflowHandle,
  predicate: (s: StatusRecord) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<StatusRecord> {
  const until = Date.now() + timeoutMs;
  let last: StatusRecord | undefined;
  while (Date.now() < until) {
    last = await handle.query(statusQuery);
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(last, null, 1)}`);
}

const attemptIs =
  (n: number, ...states: string[]) =>
  (s: StatusRecord) =>
    s.attempts.length >= n && states.includes(s.attempts[n - 1].state);

/** Runs `fn` with a fresh worker on its own task queue; returns what `fn` returns. */
async function withWorker<T>(
  config: Config,
  name: string,
  fn: (ctx: {
    client: ResilientSmsClient;
    temporal: Client;
    start: (key?: string) => Promise<WorkflowHandle<typeof deliverMessage>>;
  }) => Promise<T>,
): Promise<T> {
  const taskQueue = uniqueTaskQueue('deliver');
  const { runUntil, close } = await createWorker({
    config,
    connection: suite.env.nativeConnection,
    taskQueue,
    workflowBundle: suite.bundle,
  });
  const client = new ResilientSmsClient(config, suite.env.client, { taskQueue });
  const start = async (key = `${name}-${taskQueue}`) => {
    const result = await client.sendMessage({
      destination: DEST,
      body: 'Your code is 123456',
      useCase: 'otp',
      idempotencyKey: key,
    });
    histories.push({ name, workflowId: result.workflowId });
    return suite.env.client.workflow.getHandle<typeof deliverMessage>(result.workflowId);
  };
  try {
    return await runUntil(() => fn({ client, temporal: suite.env.client, start }));
  } finally {
    close();
  }
}

beforeEach(() => {
  suite.sms.reset();
  scriptSends();
});

describe('deliverMessage', () => {
  it('delivers on the first rung when the final receipt arrives, ignoring intermediate ones', async () => {
    const result = await withWorker(makeConfig(), 'happy-dlr', async ({ start }) => {
      const handle = await start();
      await waitForStatus(handle, attemptIs(1, 'sent'), 'attempt 1 sent');
      await handle.signal(dlrSignal, dlr(1, 'PENDING', false));
      const pending = await waitForStatus(handle, (s) => s.attempts[0].outcome === 'PENDING', 'PENDING recorded');
      expect(pending.status).toBe('IN_PROGRESS');
      await handle.signal(dlrSignal, dlr(1, 'DELIVERED'));
      return handle.result();
    });
    expect(result.status).toBe('DELIVERED');
    expect(result.successfulAttempt).toBe(1);
    expect(result.attempts).toHaveLength(1);
    expect(result.attempts[0]).toMatchObject({
      state: 'delivered',
      account: 'primary',
      region: 'us-east-1',
      originator: 'pool-use1-sc',
      messageId: 'm-1',
      level: 'initial',
    });
    expect(result.attempts[0].events.map((e) => e.status)).toEqual(['PENDING', 'DELIVERED']);
    expect(result.destination).toBe('+1425*****56');

    const [send] = sends();
    expect(sends()).toHaveLength(1);
    expect(send.region).toBe('us-east-1');
    expect(send.accessKeyId).toBe('AKIDPRIMARY');
    expect(send.body).toMatchObject({
      DestinationPhoneNumber: DEST,
      OriginationIdentity: 'pool-use1-sc',
      MessageType: 'TRANSACTIONAL',
      ConfigurationSetName: 'cs-use1',
      TimeToLive: 259200,
    });
    expect(contextOf(send)).toEqual({ [CONTEXT_WORKFLOW_ID]: result.workflowId, [CONTEXT_ATTEMPT]: '1' });
    expect(suite.sms.requestsFor('PutMessageFeedback')).toHaveLength(0);
  });

  it('ends CONFIRMED on the user feedback and records RECEIVED with PutMessageFeedback', async () => {
    const config = makeConfig({ success: 'feedback', messageFeedback: true });
    const result = await withWorker(config, 'happy-feedback', async ({ start, client }) => {
      const handle = await start();
      await waitForStatus(handle, attemptIs(1, 'sent'), 'attempt 1 sent');
      // With success = feedback, a delivery receipt alone does not end the message.
      await handle.signal(dlrSignal, dlr(1, 'DELIVERED'));
      const s = await waitForStatus(handle, attemptIs(1, 'delivered'), 'receipt recorded');
      expect(s.status).toBe('IN_PROGRESS');
      await client.recordFeedback(s.idempotencyKey, 'RECEIVED');
      return handle.result();
    });
    expect(result.status).toBe('CONFIRMED');
    expect(result.successfulAttempt).toBe(1);
    expect(sends()[0].body?.MessageFeedbackEnabled).toBe(true);
    const feedback = suite.sms.requestsFor('PutMessageFeedback');
    expect(feedback.map((r) => r.body)).toEqual([{ MessageId: 'm-1', MessageFeedbackStatus: 'RECEIVED' }]);
    expect(result.attempts[0].feedback).toBe('RECEIVED');
  });

  it('sets FAILED feedback on every feedback-enabled attempt when the user never acts', async () => {
    const config = makeConfig({ success: 'dlr', messageFeedback: true });
    const result = await withWorker(config, 'feedback-failed', async ({ start }) => {
      const handle = await start();
      await waitForStatus(handle, attemptIs(1, 'sent'), 'attempt 1 sent');
      await handle.signal(dlrSignal, dlr(1, 'BLOCKED'));
      await waitForStatus(handle, attemptIs(2, 'sent'), 'attempt 2 sent');
      await handle.signal(dlrSignal, dlr(2, 'DELIVERED'));
      return handle.result();
    });
    expect(result.status).toBe('DELIVERED');
    const feedback = suite.sms.requestsFor('PutMessageFeedback').map((r) => r.body);
    expect(feedback).toHaveLength(2);
    expect(feedback).toEqual(
      expect.arrayContaining([
        { MessageId: 'm-1', MessageFeedbackStatus: 'FAILED' },
        { MessageId: 'm-2', MessageFeedbackStatus: 'FAILED' },
      ]),
    );
  });

  it('fails over to the next originator when the receipt says the originator is blocked', async () => {
    const result = await withWorker(makeConfig(), 'originator', async ({ start }) => {
      const handle = await start();
      await waitForStatus(handle, attemptIs(1, 'sent'), 'attempt 1 sent');
      await handle.signal(dlrSignal, dlr(1, 'CARRIER_BLOCKED'));
      await waitForStatus(handle, attemptIs(2, 'sent'), 'attempt 2 sent');
      await handle.signal(dlrSignal, dlr(2, 'DELIVERED'));
      return handle.result();
    });
    expect(result.status).toBe('DELIVERED');
    expect(result.attempts.map((a) => [a.originator, a.level, a.state])).toEqual([
      ['pool-use1-sc', 'initial', 'failed'],
      ['pool-use1-10dlc', 'originator', 'delivered'],
    ]);
    expect(result.attempts[0].failure?.scope).toBe('originator');
    expect(result.attempts[0].outcome).toBe('TEXT_CARRIER_BLOCKED');
  });

  it('skips the rest of the account on a spend limit and sends from the other account in the Region by ARN', async () => {
    scriptSends({
      'pool-use1-sc': [
        { kind: 'error', type: 'ServiceQuotaExceededException', reason: 'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT' },
      ],
    });
    const result = await withWorker(makeConfig(), 'account', async ({ start }) => {
      const handle = await start();
      await waitForStatus(handle, attemptIs(2, 'sent'), 'attempt 2 sent');
      await handle.signal(dlrSignal, dlr(2, 'DELIVERED'));
      return handle.result();
    });
    expect(result.status).toBe('DELIVERED');
    expect(result.attempts.map((a) => [a.account, a.region, a.level, a.state])).toEqual([
      ['primary', 'us-east-1', 'initial', 'send-failed'],
      ['secondary', 'us-east-1', 'account', 'delivered'],
    ]);
    expect(sends().map((r) => [r.accessKeyId, r.body?.OriginationIdentity])).toEqual([
      ['AKIDPRIMARY', 'pool-use1-sc'],
      ['AKIDSECONDARY', 'arn:aws:sms-voice:us-east-1:111111111111:pool/pool-use1-sc'],
    ]);
  });

  it('treats a 500 as an unknown outcome: waits for a receipt, then moves to the other Region', async () => {
    scriptSends({ 'pool-use1-sc': [{ kind: 'error', type: 'InternalServerException' }] });
    const result = await withWorker(makeConfig(), 'region', async ({ start }) => {
      const handle = await start();
      const s = await waitForStatus(handle, attemptIs(1, 'unknown'), 'attempt 1 unknown');
      expect(s.attempts).toHaveLength(1); // no blind re-send while the outcome is unknown
      await waitForStatus(handle, attemptIs(2, 'sent'), 'attempt 2 sent');
      // The Web UI's current details say where the message is, then the ladder the worker resolved.
      const meta = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
      expect(meta.currentDetails.split('\n')[0]).toBe(
        'US · otp · attempt 2 · sms primary/us-west-2 · waiting for the delivery receipt',
      );
      expect(meta.currentDetails).toMatch(/\n4\. sms · region · primary\/us-west-2 · toll-free `pool-usw2-tf`$/);
      await handle.signal(dlrSignal, dlr(2, 'DELIVERED'));
      const final = await handle.result();
      // Search attributes for operators: no personal data, the highest level reached, the last route.
      const description = await handle.describe();
      const sa = description.typedSearchAttributes;
      expect(
        [SMS_STATUS, SMS_LEVEL, SMS_ROUTE, SMS_CHANNEL, SMS_ATTEMPTS, SMS_COUNTRY, SMS_USE_CASE].map((k) =>
          sa.get(k as never),
        ),
      ).toEqual(['DELIVERED', 'region', 'primary/us-west-2', 'sms', 2, 'US', 'otp']);
      // The client started it with the request alone: no static summary, the plan is the worker's.
      expect(await description.staticSummary()).toBeUndefined();
      return final;
    });
    expect(result.status).toBe('DELIVERED');
    expect(result.attempts.map((a) => [a.region, a.level, a.state])).toEqual([
      ['us-east-1', 'initial', 'timed-out'],
      ['us-west-2', 'region', 'delivered'],
    ]);
    expect(sends().map((r) => r.region)).toEqual(['us-east-1', 'us-west-2']);
  });

  it('does not re-send after an ambiguous send whose receipt then arrives', async () => {
    scriptSends({ 'pool-use1-sc': [{ kind: 'lost-response', messageId: 'm-1' }] });
    const config = makeConfig({ ambiguousWait: '20s' });
    const result = await withWorker(config, 'ambiguous-delivered', async ({ start }) => {
      const handle = await start();
      await waitForStatus(handle, attemptIs(1, 'unknown'), 'attempt 1 unknown');
      await handle.signal(dlrSignal, dlr(1, 'DELIVERED'));
      return handle.result();
    });
    expect(result.status).toBe('DELIVERED');
    expect(result.attempts).toHaveLength(1);
    expect(result.attempts[0].messageId).toBe('m-1'); // learnt from the receipt
    expect(sends()).toHaveLength(1);
  });

  it('retries a throttled send on the same originator with backoff', async () => {
    scriptSends({
      'pool-use1-sc': [
        { kind: 'error', type: 'ThrottlingException' },
        { kind: 'error', type: 'ThrottlingException' },
      ],
    });
    const result = await withWorker(makeConfig(), 'throttle', async ({ start }) => {
      const handle = await start();
      await waitForStatus(handle, attemptIs(3, 'sent'), 'attempt 3 sent');
      await handle.signal(dlrSignal, dlr(3, 'DELIVERED'));
      return handle.result();
    });
    expect(result.status).toBe('DELIVERED');
    expect(result.attempts.map((a) => [a.originator, a.state])).toEqual([
      ['pool-use1-sc', 'send-failed'],
      ['pool-use1-sc', 'send-failed'],
      ['pool-use1-sc', 'delivered'],
    ]);
    // The second retry waited twice as long as the first (100 ms, then 200 ms).
    const [a1, a2, a3] = result.attempts;
    expect(a2.startedAt - a1.startedAt).toBeGreaterThanOrEqual(100);
    expect(a3.startedAt - a2.startedAt).toBeGreaterThanOrEqual(200);
  });

  it('climbs a rung when no final receipt arrives within the step', async () => {
    const config = makeConfig({ stepWait: '1s' });
    const result = await withWorker(config, 'timeout', async ({ start }) => {
      const handle = await start();
      await waitForStatus(handle, attemptIs(1, 'sent'), 'attempt 1 sent');
      await handle.signal(dlrSignal, dlr(1, 'PENDING', false));
      await waitForStatus(handle, attemptIs(2, 'sent'), 'attempt 2 sent after the step timed out');
      await handle.signal(dlrSignal, dlr(2, 'DELIVERED'));
      return handle.result();
    });
    expect(result.status).toBe('DELIVERED');
    expect(result.attempts.map((a) => [a.state, a.outcome])).toEqual([
      ['timed-out', 'STEP_TIMEOUT'],
      ['delivered', 'DELIVERED'],
    ]);
    expect(result.needlessAttempts).toEqual([]);
  });

  it('ends on a late success of an earlier attempt and reports the later send as needless; duplicates change nothing', async () => {
    const config = makeConfig({ stepWait: '1s' });
    const result = await withWorker(config, 'late-dlr', async ({ start }) => {
      const handle = await start();
      await waitForStatus(handle, attemptIs(2, 'sent'), 'attempt 2 sent');
      await handle.signal(dlrSignal, dlr(1, 'DELIVERED'));
      await handle.signal(dlrSignal, dlr(1, 'DELIVERED')); // duplicate
      await handle.signal(dlrSignal, { ...dlr(7, 'DELIVERED') }); // an attempt that never existed
      return handle.result();
    });
    expect(result.status).toBe('DELIVERED');
    expect(result.successfulAttempt).toBe(1);
    expect(result.needlessAttempts).toEqual([2]);
    expect(result.attempts[1].state).toBe('superseded');
    expect(result.reason).toMatch(/needlessly/);
    // The duplicate and the unmatched receipt may race with completion; whichever was processed is counted, never acted on.
    expect(result.duplicateEvents + result.unmatchedEvents).toBeLessThanOrEqual(2);
    expect(sends()).toHaveLength(2);
  });

  it('counts duplicate and contradicting final receipts without acting on them', async () => {
    const config = makeConfig({ success: 'feedback' });
    const result = await withWorker(config, 'duplicates', async ({ start, client }) => {
      const handle = await start();
      await waitForStatus(handle, attemptIs(1, 'sent'), 'attempt 1 sent');
      await handle.signal(dlrSignal, dlr(1, 'DELIVERED'));
      await handle.signal(dlrSignal, dlr(1, 'DELIVERED'));
      await handle.signal(dlrSignal, dlr(1, 'BLOCKED'));
      await handle.signal(dlrSignal, dlr(1, 'PENDING', false)); // out of order, after the final one
      const s = await waitForStatus(handle, (x) => x.duplicateEvents === 2, 'two duplicates counted');
      expect(s.attempts).toHaveLength(1);
      expect(s.attempts[0].state).toBe('delivered');
      await client.recordFeedback(s.idempotencyKey, 'RECEIVED');
      return handle.result();
    });
    expect(result.status).toBe('CONFIRMED');
    expect(sends()).toHaveLength(1);
  });

  it('stops on an opt-out and never tries another account or Region', async () => {
    scriptSends({
      'pool-use1-sc': [{ kind: 'error', type: 'ConflictException', reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' }],
    });
    const result = await withWorker(makeConfig(), 'opt-out', async ({ start }) => start().then((h) => h.result()));
    expect(result.status).toBe('STOPPED');
    expect(result.reason).toMatch(/DESTINATION_PHONE_NUMBER_OPTED_OUT/);
    expect(sends()).toHaveLength(1);
  });

  it('fails without a second send when the request itself is rejected', async () => {
    scriptSends({ 'pool-use1-sc': [{ kind: 'error', type: 'ValidationException', reason: 'PRICE_OVER_THRESHOLD' }] });
    const result = await withWorker(makeConfig(), 'request', async ({ start }) => start().then((h) => h.result()));
    expect(result.status).toBe('FAILED');
    expect(result.reason).toMatch(/PRICE_OVER_THRESHOLD/);
    expect(sends()).toHaveLength(1);
  });

  it('fails when every rung fails, having tried each Region once', async () => {
    const result = await withWorker(makeConfig(), 'exhausted', async ({ start }) => {
      const handle = await start();
      for (let n = 1; n <= 4; n++) {
        await waitForStatus(handle, attemptIs(n, 'sent'), `attempt ${n} sent`);
        await handle.signal(dlrSignal, dlr(n, 'SPAM'));
      }
      return handle.result();
    });
    expect(result.status).toBe('FAILED');
    expect(result.attempts.map((a) => a.level)).toEqual(['initial', 'originator', 'account', 'region']);
    expect(result.reason).toMatch(/every route failed/);
  });

  it('after the last rung timed out, still ends DELIVERED on a late receipt (no send after that)', async () => {
    const config = makeConfig({ stepWait: '500ms', deadline: '2m' });
    const result = await withWorker(config, 'late-after-last', async ({ start }) => {
      const handle = await start();
      const s = await waitForStatus(
        handle,
        (x) => /listening for late receipts/.test(x.reason),
        'the ladder to be spent',
        30_000,
      );
      expect(s.status).toBe('IN_PROGRESS');
      expect(s.attempts).toHaveLength(4);
      await handle.signal(dlrSignal, dlr(2, 'DELIVERED'));
      return handle.result();
    });
    expect(result.status).toBe('DELIVERED');
    expect(result.successfulAttempt).toBe(2);
    expect(result.needlessAttempts).toEqual([3, 4]);
    expect(sends()).toHaveLength(4);
  });

  it('after the last rung timed out, ends FAILED at the deadline when no receipt comes', async () => {
    const config = makeConfig({ stepWait: '300ms', deadline: '10s' });
    const result = await withWorker(config, 'late-none', async ({ start }) => start().then((h) => h.result()));
    expect(result.status).toBe('FAILED');
    expect(result.reason).toMatch(/no late receipt before the deadline/);
    expect(result.finishedAt! - result.startedAt).toBeGreaterThanOrEqual(10_000);
    expect(sends()).toHaveLength(4);
  });

  it('is cancelled by the cancel signal and sends nothing more', async () => {
    const result = await withWorker(makeConfig(), 'cancel', async ({ start, client }) => {
      const handle = await start();
      const s = await waitForStatus(handle, attemptIs(1, 'sent'), 'attempt 1 sent');
      await client.cancel(s.idempotencyKey, 'user logged in another way');
      return handle.result();
    });
    expect(result.status).toBe('CANCELLED');
    expect(result.reason).toBe('cancelled: user logged in another way');
    expect(result.attempts[0].state).toBe('superseded');
    expect(sends()).toHaveLength(1);
  });

  it('is cancelled through Temporal cancellation too', async () => {
    const result = await withWorker(makeConfig(), 'cancel-temporal', async ({ start }) => {
      const handle = await start();
      await waitForStatus(handle, attemptIs(1, 'sent'), 'attempt 1 sent');
      await handle.cancel();
      return handle.result();
    });
    expect(result.status).toBe('CANCELLED');
  });

  it('ends FAILED at the deadline', async () => {
    const config = makeConfig({ stepWait: '20s', deadline: '1500ms' });
    const result = await withWorker(config, 'deadline', async ({ start }) => start().then((h) => h.result()));
    expect(result.status).toBe('FAILED');
    expect(result.reason).toMatch(/deadline/);
    expect(sends()).toHaveLength(1);
  });

  it('starts one workflow per idempotency key, running or closed: one key, one send', async () => {
    await withWorker(makeConfig(), 'idempotent', async ({ client, temporal }) => {
      const request = { destination: DEST, body: 'Your code is 999', useCase: 'otp' };
      const first = await client.sendMessage(request);
      const second = await client.sendMessage(request); // same content -> same derived key
      expect(first.started).toBe(true);
      expect(second).toEqual({ ...first, started: false });
      const handle = temporal.workflow.getHandle(first.workflowId);
      await waitForStatus(handle, attemptIs(1, 'sent'), 'attempt 1 sent');
      await handle.signal(dlrSignal, dlr(1, 'DELIVERED'));
      await handle.result();
      const third = await client.sendMessage(request); // after it closed
      expect(third.started).toBe(false);
      expect(first.workflowId).toBe(workflowIdFor(first.idempotencyKey));
      const status = await client.getStatus(first.idempotencyKey);
      expect(status.status).toBe('DELIVERED');
      histories.push({ name: 'idempotent', workflowId: first.workflowId });
    });
    expect(sends()).toHaveLength(1);
  });

  it("holds a voice rung with a durable timer during quiet hours in the recipient's time zone", async () => {
    // A quiet window around "now" in UTC, so the rung is held for about 2 hours.
    const now = new Date();
    const hhmm = (d: Date) =>
      `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    const config = makeConfig({
      deadline: '3h',
      channels: ['voice'],
      quietHours: [
        {
          channels: ['voice'],
          start: hhmm(new Date(now.getTime() - 3600_000)),
          end: hhmm(new Date(now.getTime() + 2 * 3600_000)),
        },
      ],
    });
    await withWorker(config, 'quiet-hours', async ({ client, temporal }) => {
      const sent = await client.sendMessage({
        destination: DEST,
        body: 'Your code is 123456',
        useCase: 'otp',
        idempotencyKey: `quiet-${randomUUID()}`,
        timeZone: 'UTC',
      });
      const handle = temporal.workflow.getHandle<typeof deliverMessage>(sent.workflowId);
      const s = await waitForStatus(
        handle,
        (x) => /held for quiet hours for voice in UTC/.test(x.reason),
        'the rung to be held',
      );
      expect(s.attempts).toHaveLength(0);
      // The hold is a durable timer of about two hours on the server, not a sleep in a process.
      const history = await handle.fetchHistory();
      const timer = history.events!.find((e) => e.timerStartedEventAttributes);
      const seconds = Number(timer!.timerStartedEventAttributes!.startToFireTimeout!.seconds);
      expect(seconds).toBeGreaterThan(2 * 3600 - 120);
      expect(seconds).toBeLessThanOrEqual(2 * 3600);
      await client.cancel(sent.idempotencyKey, 'test over');
      expect((await handle.result()).status).toBe('CANCELLED');
    });
    expect(suite.sms.requestsFor('SendVoiceMessage')).toHaveLength(0);
  });

  it('rejects an invalid request before anything reaches Temporal', async () => {
    await withWorker(makeConfig(), 'invalid', async ({ client }) => {
      await expect(client.sendMessage({ destination: '+1425', body: 'x', useCase: 'otp' })).rejects.toThrow(
        /destination/,
      );
      await expect(client.sendMessage({ destination: DEST, body: '', useCase: 'otp' })).rejects.toThrow(/body/);
      await expect(client.sendMessage({ destination: DEST, body: 'x', useCase: 'nope' })).rejects.toThrow(/useCase/);
    });
    expect(sends()).toHaveLength(0);
  });

  it('replays every history recorded above with the current workflow code (determinism)', async () => {
    expect(histories.length).toBeGreaterThan(process.env.RECORD_HISTORIES ? 0 : 10);
    const collected = await Promise.all(
      histories.map(async ({ name, workflowId }) => ({
        workflowId: `${name}:${workflowId}`,
        history: await suite.env.client.workflow.getHandle(workflowId).fetchHistory(),
      })),
    );
    if (process.env.RECORD_HISTORIES) {
      // Refresh the committed fixtures that test/workflows/replay.test.ts replays on every run.
      const dir = join(__dirname, 'histories');
      mkdirSync(dir, { recursive: true });
      for (const { workflowId, history } of collected) {
        const name = workflowId.split(':')[0];
        writeFileSync(join(dir, `${name}.json`), historyFileText(history));
      }
    }
    const { Worker } = await import('@temporalio/worker');
    const results = Worker.runReplayHistories({ workflowBundle: suite.bundle }, collected);
    for await (const result of results) {
      expect({ id: result.workflowId, error: result.error?.message }).toEqual({
        id: result.workflowId,
        error: undefined,
      });
    }
  });
});
