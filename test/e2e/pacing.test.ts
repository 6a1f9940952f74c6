/**
 * Pacing end to end (docs/pacing.md) over real processes: the local stack (`resilient-sms dev`: Temporal dev server,
 * SQS/SNS emulator, carrier simulator, worker, ingester) on test/e2e/config.yaml with `pacing: { enabled: true }` and
 * the first US originator (the short-code pool of primary / us-east-1) at 3 MPS, which the simulator then enforces as
 * AWS does (ThrottlingException over it), plus a second worker process on the stack's effective config.
 *
 * A burst of 30 notices to US numbers, then, while most of them wait for a slot, three one-time passwords. From the
 * simulator's send log and the histories: no 5 s window has more accepted sends on that originator than 1.1 x MPS x 5;
 * every message is DELIVERED; each OTP's send went ahead of the notices that were waiting when it was scheduled (at
 * least 8 were, and at most 3 of them, the slots already on their way to a worker, went first); both worker processes
 * ran paced sends (the identity of the ActivityTaskStarted events on the originator's queue). ThrottlingExceptions
 * are not asserted: a worker starved of CPU may send the slots it took together (docs/pacing.md, "Limits").
 *
 * The contrast, so that the test can fail: the same kind of burst through a third worker process whose config has
 * `pacing: { enabled: false }` (on a task queue of its own; the simulator still enforces the 3 MPS) is throttled.
 */
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { temporal } from '@temporalio/proto';
import { ResilientSmsClient } from '../../src/client';
import { maxInWindow, pacedTaskQueue } from '../../src/domain/pacing';
import type { StatusRecord } from '../../src/domain/status';
import type { MessageRecord } from '../../src/simulator/message-log';
import { pollerIdentities } from '../../src/stack/pollers';
import { requireBuiltLib } from '../helpers/build-lib';
import { until } from '../helpers/until';
import { startStackWith, startWorkerProcess, type RawConfig, type Stack, type WorkerProcess } from './stack';

const MPS = 3;
const NOTICES = 30;
const OTPS = 3;
/** The paced originator: the first US originator of test/e2e/config.yaml. */
const PACED = { account: 'primary', region: 'us-east-1', originator: 'pool-us-shortcode' };
const UNPACED_TASK_QUEUE = 'resilient-sms-unpaced';
/** Long enough that no send of the burst runs out of step while it waits for its slot (PACING_TIMEOUT). */
const POLICY = { success: 'dlr', stepWait: '3m', deadline: '5m', allowedCountries: ['US'], channels: ['sms'] };

let stack: Stack;
let second: WorkerProcess | undefined;
let unpaced: WorkerProcess | undefined;
let pacedQueue: string;

const run = randomUUID().slice(0, 8);
const usNumber = (area: string, i: number) => `+1${area}555${1000 + i}`;
const identityOf = (pid: number) => `${pid}@${os.hostname()}`;

beforeAll(async () => {
  requireBuiltLib();
  stack = await startStackWith((base) => {
    const us = (base.originators as Record<string, RawConfig[]>).US;
    if (us[0].identity !== PACED.originator)
      throw new Error(`test/e2e/config.yaml: US starts with ${String(us[0].identity)}`);
    us[0].mps = MPS;
    base.pacing = { enabled: true };
    // `otp` sends with priority high by default, `notice` normal (src/domain/pacing.ts, priorityOf).
    Object.assign(base.policies as RawConfig, { notice: POLICY, otp: POLICY });
  });
  pacedQueue = pacedTaskQueue(stack.config.temporal.taskQueue, PACED);
  const stackWorker = identityOf(stack.readInfo().processes.worker!);
  // Ready once both processes poll the originator's queue: the burst is then shared by both.
  second = await startWorkerProcess(stack, {
    ready: async () => {
      const pollers = await pollerIdentities(stack.temporal, stack.config.temporal.namespace, pacedQueue, 'activity');
      return pollers.includes(stackWorker) && pollers.some((p) => p !== stackWorker);
    },
  });
}, 240_000);

afterAll(async () => {
  await unpaced?.stop();
  await second?.stop();
  await stack?.stop();
});

interface Message {
  key: string;
  destination: string;
}

async function send(client: ResilientSmsClient, useCase: string, m: Message): Promise<void> {
  await client.sendMessage({
    destination: m.destination,
    body: `Your ${useCase} ${m.key}`,
    useCase,
    idempotencyKey: m.key,
  });
}

const messages = (kind: string, area: string, n: number): Message[] =>
  [...Array(n).keys()].map((i) => ({ key: `pacing-${run}-${kind}-${i}`, destination: usNumber(area, i) }));

async function sendLog(destinations: readonly string[]): Promise<MessageRecord[]> {
  const wanted = new Set(destinations);
  const r = await stack.sim<{ messages: MessageRecord[] }>(
    'GET',
    '/_sim/messages?operation=SendTextMessage&limit=100000',
  );
  return r.messages.filter((m) => m.destination !== undefined && wanted.has(m.destination));
}

const onPaced = (m: MessageRecord) => m.account === PACED.account && m.originator === PACED.originator;
const acceptedAt = (m: MessageRecord) => Date.parse(m.receivedAt);

/** Waits until every message's attempt has started (its send scheduled), querying only those not there yet. */
async function untilScheduled(keys: readonly string[]): Promise<void> {
  let pending = [...keys];
  await until(
    async () => {
      const statuses = await Promise.all(pending.map((k) => stack.client.getStatus(k)));
      pending = pending.filter((_, i) => statuses[i].attempts.length === 0);
      return pending;
    },
    (p) => p.length === 0,
    'every notice’s send to be scheduled',
  );
}

async function statuses(keys: readonly string[]): Promise<StatusRecord[]> {
  return Promise.all(keys.map((k) => stack.client.getStatus(k)));
}

/** The paced sends of a message: when each was scheduled and the identity of the worker that ran it. */
async function pacedSends(key: string): Promise<{ scheduledAt: number; identity?: string }[]> {
  const handle = stack.temporal.workflow.getHandle((await stack.client.getStatus(key)).workflowId);
  const events = (await handle.fetchHistory()).events ?? [];
  const started = new Map<string, string | undefined>();
  for (const e of events) {
    const a = e.activityTaskStartedEventAttributes;
    if (a) started.set(String(a.scheduledEventId), a.identity ?? undefined);
  }
  return events
    .filter((e) => e.activityTaskScheduledEventAttributes?.taskQueue?.name === pacedQueue)
    .map((e: temporal.api.history.v1.IHistoryEvent) => ({
      scheduledAt: eventMs(e),
      identity: started.get(String(e.eventId)),
    }));
}

function eventMs(e: temporal.api.history.v1.IHistoryEvent): number {
  return Number(e.eventTime!.seconds) * 1000 + Math.floor((e.eventTime!.nanos ?? 0) / 1e6);
}

it('paces a burst across two worker processes: within the MPS, nothing lost, one-time passwords first', async () => {
  const notices = messages('notice', '206', NOTICES);
  const otps = messages('otp', '312', OTPS);
  await Promise.all(notices.map((n) => send(stack.client, 'notice', n)));
  await untilScheduled(notices.map((n) => n.key));
  await Promise.all(otps.map((o) => send(stack.client, 'otp', o)));

  const all = [...notices, ...otps];
  const log = await until(
    () => sendLog(all.map((m) => m.destination)),
    (l) => new Set(l.filter((m) => m.outcome === 'accepted').map((m) => m.destination)).size === all.length,
    'every message accepted by the simulator',
    150_000,
  );
  const accepted = log.filter((m) => m.outcome === 'accepted' && onPaced(m));

  // Within the MPS, for both workers together.
  const max5s = maxInWindow(accepted.map(acceptedAt), 5_000);
  expect(max5s).toBeLessThanOrEqual(1.1 * MPS * 5);

  // Nothing lost.
  const final = await until(
    () => statuses(all.map((m) => m.key)),
    (s) => s.every((r) => r.status === 'DELIVERED'),
    'every message DELIVERED',
  );
  expect(final.map((r) => r.status)).toEqual(all.map(() => 'DELIVERED'));

  // Each OTP went ahead of the notices waiting for the originator when its send was scheduled.
  const noticeSends = accepted.filter((m) => notices.some((n) => n.destination === m.destination)).map(acceptedAt);
  const order = await Promise.all(
    otps.map(async (otp) => {
      const [{ scheduledAt }] = await pacedSends(otp.key);
      const sentAt = Math.min(...accepted.filter((m) => m.destination === otp.destination).map(acceptedAt));
      const waiting = noticeSends.filter((t) => t > scheduledAt);
      return { otp: otp.key, waiting: waiting.length, ahead: waiting.filter((t) => t < sentAt).length };
    }),
  );
  // Printed with its figures when it fails: at least 8 notices still waiting (else the burst tested nothing), and
  // at most 3 of them sent before the OTP.
  expect(order.filter((o) => o.waiting < 8 || o.ahead > 3)).toEqual([]);

  // Both worker processes ran paced sends.
  const sends = (await Promise.all(all.map((m) => pacedSends(m.key)))).flat();
  const identities = new Set(sends.flatMap((s) => (s.identity ? [s.identity] : [])));
  const stackWorker = identityOf(stack.readInfo().processes.worker!);
  expect([...identities].sort()).toEqual([second!.identity, stackWorker].sort());
  // The figures, with RSMS_TEST_VERBOSE=1.
  const throttles = log.filter((m) => onPaced(m) && m.error?.type === 'ThrottlingException').length;
  const byWorker = [second!.identity, stackWorker].map((id) => sends.filter((s) => s.identity === id).length);
  console.log(JSON.stringify({ max5s, accepted: accepted.length, throttles, order, byWorker }));
}, 200_000);

it('without pacing, the same kind of burst on that originator is throttled by the simulator', async () => {
  unpaced = await startWorkerProcess(stack, {
    edit: (config) => {
      config.pacing = { enabled: false };
      (config.temporal as RawConfig).taskQueue = UNPACED_TASK_QUEUE;
    },
    ready: async () =>
      (await pollerIdentities(stack.temporal, stack.config.temporal.namespace, UNPACED_TASK_QUEUE)).length > 0,
  });
  const client = new ResilientSmsClient(stack.config, stack.temporal, { taskQueue: UNPACED_TASK_QUEUE });
  const burst = messages('unpaced', '415', 8);
  await Promise.all(burst.map((m) => send(client, 'notice', m)));
  const throttled = (l: MessageRecord[]) => l.filter((m) => onPaced(m) && m.error?.type === 'ThrottlingException');
  const log = await until(
    () => sendLog(burst.map((m) => m.destination)),
    (l) =>
      throttled(l).length > 0 ||
      new Set(l.filter((m) => m.outcome === 'accepted').map((m) => m.destination)).size === burst.length,
    'a throttled send, or every message of the burst accepted',
  );
  expect(throttled(log).length).toBeGreaterThan(0);
}, 120_000);
