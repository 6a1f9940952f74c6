/**
 * deliverMessage with pacing on (docs/pacing.md), on the Temporal dev server with the real worker (src/workers) and
 * a scripted SMS v2 endpoint: a paced send runs on its originator's task queue, with the use case's priority; a send
 * that gets no slot within the step fails as "nothing sent" and the ladder moves to the next originator; one-time
 * passwords overtake notices waiting for the same originator.
 */
import { ResilientSmsClient } from '../../src/client';
import { configSchema, type Config, type ConfigInput } from '../../src/domain/config';
import { resolveMessage } from '../../src/domain/resolve';
import { CONTEXT_WORKFLOW_ID } from '../../src/domain/sending';
import type { StatusRecord } from '../../src/domain/status';
import { createWorker } from '../../src/workers/worker';
import { WORKFLOW_TYPE, workflowIdFor, type DeliverMessageInput } from '../../src/workflows/definitions';
import { useWorkflowSuite } from '../helpers/workflow-suite';
import { uniqueTaskQueue } from '../helpers/temporal-env';

const suite = useWorkflowSuite();

function configInput(originators: ConfigInput['originators']): ConfigInput {
  return {
    accounts: { primary: { credentials: { type: 'static', accessKeyId: 'AKIDPRIMARY', secretAccessKey: 'test' } } },
    routes: [{ id: 'use1', account: 'primary', region: 'us-east-1', endpoint: suite.sms.url }],
    originators,
    policies: {
      otp: { success: 'dlr', stepWait: '4s', deadline: '2m' },
      notice: { success: 'dlr', stepWait: '1m', deadline: '2m' },
    },
    pacing: { enabled: true },
  };
}

const TF = { route: 'use1', identity: 'tf-1', type: 'toll-free', mps: 2 } as const;
const SC = { route: 'use1', identity: 'sc-1', type: 'short-code' } as const;

/** Runs `fn` with the worker of `workerConfig` (its paced workers too) on a task queue of its own. */
async function withWorker<T>(
  workerConfig: Config,
  fn: (send: (useCase: string, key: string) => Promise<string>, taskQueue: string) => Promise<T>,
  clientConfig: Config = workerConfig,
): Promise<T> {
  const taskQueue = uniqueTaskQueue('paced');
  const created = await createWorker({
    config: workerConfig,
    connection: suite.env.nativeConnection,
    taskQueue,
    workflowBundle: suite.bundle,
  });
  const client = new ResilientSmsClient(clientConfig, suite.env.client, { taskQueue });
  const send = async (useCase: string, key: string) => {
    const request = { destination: '+14255550123', body: 'Your code is 123456', useCase, idempotencyKey: key };
    if (clientConfig === workerConfig) return (await client.sendMessage(request)).workflowId;
    // A plan the worker's own config would not make: started with the plan in its input (the shape clients used before
    // the worker resolved plans, still accepted), so the worker runs it as given.
    const { request: normalised, plan } = resolveMessage(clientConfig, request);
    const input: DeliverMessageInput = { idempotencyKey: key, request: normalised, plan };
    const handle = await suite.env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue,
      workflowId: workflowIdFor(key),
      args: [input],
    });
    return handle.workflowId;
  };
  const running = created.runAll();
  try {
    return await fn(send, taskQueue);
  } finally {
    created.shutdown();
    await running;
    created.close();
  }
}

async function statusOf(workflowId: string, until: (s: StatusRecord) => boolean): Promise<StatusRecord> {
  const handle = suite.env.client.workflow.getHandle(workflowId);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const s = await handle.query<StatusRecord>('status');
    if (until(s) || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeEach(() => suite.sms.reset());

it('sends on the originator’s own task queue with the use case’s priority', async () => {
  const config = configSchema.parse(configInput({ US: [TF, SC] }));
  await withWorker(config, async (send, taskQueue) => {
    const workflowId = await send('otp', `paced-queue-${taskQueue}`);
    const s = await statusOf(workflowId, (r) => r.attempts[0]?.state === 'sent');
    expect(s.attempts[0]).toMatchObject({ originator: 'tf-1', state: 'sent' });
    const history = await suite.env.client.workflow.getHandle(workflowId).fetchHistory();
    const scheduled = history.events!.find((e) => e.activityTaskScheduledEventAttributes)!;
    const attrs = scheduled.activityTaskScheduledEventAttributes!;
    expect(attrs.taskQueue?.name).toBe(`${taskQueue}/send/primary/us-east-1/tf-1`);
    expect(attrs.priority?.priorityKey).toBe(1);
    expect(Number(attrs.scheduleToStartTimeout?.seconds)).toBeGreaterThan(0);
  });
}, 60_000);

it('fails a send that gets no slot within the step as nothing sent, and moves to the next originator', async () => {
  // The message's plan has tf-1 then sc-1; the worker polls only sc-1's queue: tf-1's slot never comes.
  const clientConfig = configSchema.parse(configInput({ US: [TF, SC] }));
  const workerConfig = configSchema.parse(configInput({ US: [SC] }));
  await withWorker(
    workerConfig,
    async (send, taskQueue) => {
      const workflowId = await send('otp', `paced-timeout-${taskQueue}`);
      const s = await statusOf(workflowId, (r) => r.attempts[1]?.state === 'sent');
      expect(s.attempts[0]).toMatchObject({ originator: 'tf-1', state: 'send-failed', outcome: 'PACING_TIMEOUT' });
      expect(s.attempts[1]).toMatchObject({ originator: 'sc-1', state: 'sent' });
      // Nothing was sent on tf-1: the only request is sc-1's.
      expect(suite.sms.requestsFor('SendTextMessage').map((r) => r.body?.OriginationIdentity)).toEqual(['sc-1']);
    },
    clientConfig,
  );
}, 60_000);

it('lets a one-time password overtake the notices waiting for the same originator', async () => {
  // 1 MPS: the server hands out a slot every 2.1 s.
  const config = configSchema.parse(configInput({ US: [{ ...TF, mps: 1 }] }));
  await withWorker(config, async (send, taskQueue) => {
    const notices = await Promise.all([...Array(8).keys()].map((i) => send('notice', `paced-n${i}-${taskQueue}`)));
    // Every notice waits for its slot (its send is scheduled) before the OTP is started.
    for (const n of notices) await statusOf(n, (r) => r.attempts.length > 0);
    const before = suite.sms.requestsFor('SendTextMessage').length;
    const otp = await send('otp', `paced-otp-${taskQueue}`);
    await statusOf(otp, (r) => r.attempts[0]?.state === 'sent');
    // Two more slots: notices that waited behind the OTP.
    const until = Date.now() + 60_000;
    while (suite.sms.requestsFor('SendTextMessage').length < before + 4 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const order = suite.sms
      .requestsFor('SendTextMessage')
      .map((r) => (r.body?.Context as Record<string, string>)[CONTEXT_WORKFLOW_ID]);
    // The OTP took the next slot (or the one after, if a slot was being handed out as it was scheduled), ahead of the
    // notices still waiting, which go after it.
    const at = order.indexOf(otp);
    expect(before).toBeLessThan(5);
    expect(at).toBeLessThanOrEqual(before + 1);
    expect(order.length - 1 - at).toBeGreaterThanOrEqual(2);
  });
}, 240_000);
