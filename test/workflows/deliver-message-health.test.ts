/**
 * deliverMessage with route health on, on a real Temporal dev server with the real send activities and the real
 * AWS SDK against a local SMS v2 endpoint. The breaker states come from a `readRouteHealth` local activity this
 * test controls (the worker's real one serves its cache of the routeHealth workflow; tested in test/health/), and
 * what the message reports is collected from the `routeHealth` sink.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker, type InjectedSinks } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { smsClientsFromConfig } from '../../src/aws/registries';
import { ResilientSmsClient } from '../../src/client';
import { configSchema, type Config } from '../../src/domain/config';
import type { RouteHealthEntry, RouteHealthSnapshot, RouteObservation } from '../../src/domain/route-health';
import type { StatusRecord } from '../../src/domain/status';
import { CONTEXT_ATTEMPT } from '../../src/domain/sending';
import { dlrSignal, statusQuery } from '../../src/workflows/definitions';
import type { deliverMessage } from '../../src/workflows/deliver-message';
import {
  routeChangedSignal,
  type ReadRouteHealthInput,
  type RouteHealthSinks,
} from '../../src/workflows/route-health-definitions';
import { createResolvePlanActivities } from '../../src/activities/resolve-plan';
import { historyFileText } from '../helpers/history-files';
import { type Behaviour, type RecordedRequest } from '../helpers/sms-v2-endpoint';
import { useWorkflowSuite } from '../helpers/workflow-suite';
import { uniqueTaskQueue } from '../helpers/temporal-env';

const suite = useWorkflowSuite();

const DEST = '+14255550156';

/** What `readRouteHealth` answers now (the test changes it), and what the messages asked and reported. */
let entries: RouteHealthEntry[] = [];
let reads: ReadRouteHealthInput[] = [];
let observed: RouteObservation[] = [];

function makeConfig(routeHealth: boolean, ambiguousWait = '30s'): Config {
  return configSchema.parse({
    accounts: {
      primary: { credentials: { type: 'static', accessKeyId: 'AKIDPRIMARY', secretAccessKey: 'test' } },
    },
    routes: [
      { id: 'primary-use1', account: 'primary', region: 'us-east-1', endpoint: suite.sms.url, configurationSet: 'cs' },
      { id: 'primary-usw2', account: 'primary', region: 'us-west-2', endpoint: suite.sms.url, configurationSet: 'cs' },
    ],
    originators: {
      US: [
        { route: 'primary-use1', identity: 'pool-use1-sc', kind: 'pool', type: 'short-code' },
        { route: 'primary-usw2', identity: 'pool-usw2-tf', kind: 'pool', type: 'toll-free' },
      ],
    },
    policies: { otp: { stepWait: '30s', deadline: '5m', ambiguousWait } },
    ...(routeHealth ? { routeHealth: { enabled: true } } : {}),
  });
}

function open(key: string, condition: RouteHealthEntry['condition'] = 'open'): RouteHealthEntry {
  return { key, condition, since: Date.UTC(2026, 10, 30, 10, 42, 7), why: '14 of 15 sends failed (send-error)' };
}

function scriptSends(behaviours: Record<string, Behaviour[]> = {}): void {
  suite.sms.on('SendTextMessage', (req: RecordedRequest) => {
    const queue = behaviours[String(req.body?.OriginationIdentity)];
    if (queue && queue.length > 0) return queue.shift()!;
    return { kind: 'success', messageId: `m-${(req.body?.Context as Record<string, string>)[CONTEXT_ATTEMPT]}` };
  });
}
/** The final DELIVERED receipt of attempt `attempt` (its message id is the scripted `m-<attempt>`). */
const delivered = (attempt: number) => ({
  attempt,
  eventType: 'TEXT_DELIVERED',
  status: 'DELIVERED',
  isFinal: true,
  messageId: `m-${attempt}`,
  eventTimestamp: Date.now(),
});
const sentFrom = (): string[] =>
  suite.sms.requestsFor('SendTextMessage').map((r) => String(r.body?.OriginationIdentity));

async function waitFor(
  handle: WorkflowHandle,
  predicate: (s: StatusRecord) => boolean,
  what: string,
): Promise<StatusRecord> {
  const until = Date.now() + 30_000;
  let last: StatusRecord | undefined;
  while (Date.now() < until) {
    last = await handle.query(statusQuery);
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

const recorded: { name: string; workflowId: string }[] = [];

async function withWorker<T>(
  config: Config,
  name: string,
  fn: (start: () => Promise<WorkflowHandle<typeof deliverMessage>>) => Promise<T>,
  now?: () => number,
): Promise<T> {
  const taskQueue = uniqueTaskQueue('health');
  const smsClient = smsClientsFromConfig(config);
  const sinks: InjectedSinks<RouteHealthSinks> = {
    routeHealth: { observe: { fn: (_info, o) => void observed.push(o), callDuringReplay: false } },
  };
  const worker = await Worker.create({
    connection: suite.env.nativeConnection,
    taskQueue,
    workflowBundle: suite.bundle,
    sinks,
    activities: {
      ...createActivities({ smsClient, now }),
      // The worker resolves each message's plan from its request, with its config (as src/workers/worker.ts does).
      ...createResolvePlanActivities(config),
      readRouteHealth: (input: ReadRouteHealthInput): Promise<RouteHealthSnapshot> => {
        reads.push(input);
        return Promise.resolve({ at: Date.now(), entries: entries.filter((e) => input.keys.includes(e.key)) });
      },
    },
  });
  const client = new ResilientSmsClient(config, suite.env.client, { taskQueue });
  const start = async () => {
    const r = await client.sendMessage({
      destination: DEST,
      body: 'Your code is 123456',
      useCase: 'otp',
      idempotencyKey: `${name}-${taskQueue}`,
    });
    recorded.push({ name, workflowId: r.workflowId });
    return suite.env.client.workflow.getHandle<typeof deliverMessage>(r.workflowId);
  };
  try {
    return await worker.runUntil(fn(start));
  } finally {
    smsClient.destroyAll();
  }
}

beforeEach(() => {
  suite.sms.reset();
  scriptSends();
  entries = [];
  reads = [];
  observed = [];
});

describe('deliverMessage with route health', () => {
  it('sends first on the healthy Region when us-east-1 is open, and says why in the record', async () => {
    entries = [open('region:us-east-1')];
    const result = await withWorker(makeConfig(true), 'route-health', async (start) => {
      const handle = await start();
      await waitFor(handle, (s) => s.attempts[0]?.state === 'sent', 'attempt 1 sent');
      await handle.signal(dlrSignal, delivered(1));
      return handle.result();
    });
    expect(result.status).toBe('DELIVERED');
    expect(sentFrom()).toEqual(['pool-usw2-tf']);
    expect(result.attempts[0]).toMatchObject({ region: 'us-west-2', level: 'initial' });
    expect(result.routeHealth).toEqual([
      expect.objectContaining({ attempt: 1, rungIndex: 0, action: 'moved', key: 'region:us-east-1' }),
    ]);
    expect(result.routeHealth![0].why).toContain('region:us-east-1 open since 10:42:07 UTC');
    expect(result.attempts[0]).toBeDefined();
    expect(reads[0].keys).toEqual(expect.arrayContaining(['region:us-east-1', 'route:primary/us-west-2']));
    expect(observed.map((o) => [o.kind, o.kind === 'send' ? o.outcome : o.kind === 'receipt' && o.ok])).toEqual([
      ['send', 'ok'],
      ['receipt', true],
    ]);
    expect(observed[1]).toMatchObject({ key: 'originator:primary/us-west-2/pool-usw2-tf@US', probe: false });
  });

  it('counts an accepted send in the second AWS accepted it, where its receipt is counted, not when the workflow saw it', async () => {
    // Acceptance stamped 5 s before the workflow handles it: a worker that is behind (a burst's backlog). Counted in
    // different seconds, the send would wait in one bucket for a receipt counted in another, and look overdue.
    const acceptedAt = Date.now() - 5_000;
    await withWorker(
      makeConfig(true),
      'route-health-send-second',
      async (start) => {
        const handle = await start();
        await waitFor(handle, (s) => s.attempts[0]?.state === 'sent', 'attempt 1 sent');
        await handle.signal(dlrSignal, delivered(1));
        return handle.result();
      },
      () => acceptedAt,
    );
    expect(observed.map((o) => o.kind)).toEqual(['send', 'receipt']);
    expect(observed[0]).toMatchObject({ kind: 'send', outcome: 'ok', at: acceptedAt });
    expect(observed[1]).toMatchObject({ kind: 'receipt', ok: true, sentAt: acceptedAt });
    // How late the workflow saw the send: at least the 5 s its acceptance was stamped back.
    expect((observed[0] as { lagMs?: number }).lagMs).toBeGreaterThanOrEqual(5_000);
    expect((observed[1] as { lagMs?: number }).lagMs).toBeGreaterThanOrEqual(0);
  });

  it('stops waiting when the route of its attempt opens, and moves on to a healthy Region', async () => {
    const result = await withWorker(makeConfig(true), 'route-health-woken', async (start) => {
      const handle = await start();
      await waitFor(handle, (s) => s.attempts[0]?.state === 'sent', 'attempt 1 sent');
      // Other messages opened the Region meanwhile: the routeHealth workflow wakes the ones waiting on it.
      entries = [open('region:us-east-1')];
      await handle.signal(routeChangedSignal, { entry: open('region:us-east-1') });
      await waitFor(handle, (s) => s.attempts[1]?.state === 'sent', 'attempt 2 sent');
      await handle.signal(dlrSignal, delivered(2));
      return handle.result();
    });
    expect(sentFrom()).toEqual(['pool-use1-sc', 'pool-usw2-tf']);
    expect(result.attempts[0]).toMatchObject({ state: 'timed-out', outcome: 'ROUTE_OPENED' });
    expect(result.attempts[0].failure).toMatchObject({ scope: 'region', retryable: false });
    // Moved on well before the 30 s step wait.
    expect(result.attempts[1].startedAt - result.attempts[0].sentAt!).toBeLessThan(10_000);
    expect(result.routeHealth?.map((n) => n.action)).toEqual(['woken']);
    expect(result.status).toBe('DELIVERED');
  });

  it('reports a failed send with the key its scope blames', async () => {
    scriptSends({ 'pool-use1-sc': [{ kind: 'error', type: 'InternalServerException', status: 500 }] });
    await withWorker(makeConfig(true), 'route-health-blamed', async (start) => {
      const handle = await start();
      await waitFor(handle, (s) => s.attempts[0]?.state === 'unknown', 'attempt 1 ambiguous');
      await handle.cancel();
    });
    expect(observed[0]).toMatchObject({
      kind: 'send',
      outcome: 'ambiguous',
      blamed: 'region:us-east-1',
      reason: 'InternalServerException',
    });
  });

  it('reports no missing receipt for an ambiguous send: it was counted as a send error, never as awaiting one', async () => {
    scriptSends({ 'pool-use1-sc': [{ kind: 'error', type: 'InternalServerException', status: 500 }] });
    await withWorker(makeConfig(true, '1s'), 'route-health-ambiguous', async (start) => {
      const handle = await start();
      // The ambiguous wait runs out with no receipt; the ladder moves on to us-west-2.
      await waitFor(handle, (s) => s.attempts[1]?.state === 'sent', 'attempt 2 sent');
      await handle.cancel();
    });
    expect(observed.map((o) => o.kind)).toEqual(['send', 'send']);
    expect(observed[0]).toMatchObject({ kind: 'send', outcome: 'ambiguous' });
  });

  it('reads nothing and reports nothing when route health is off', async () => {
    entries = [open('region:us-east-1')];
    await withWorker(makeConfig(false), 'route-health-off', async (start) => {
      const handle = await start();
      await waitFor(handle, (s) => s.attempts[0]?.state === 'sent', 'attempt 1 sent');
      await handle.cancel();
    });
    expect(sentFrom()).toEqual(['pool-use1-sc']);
    expect(reads).toEqual([]);
    expect(observed).toEqual([]);
  });

  afterAll(async () => {
    // The recorded histories replay, and with RECORD_HISTORIES=1 refresh the fixtures of replay.test.ts.
    const collected = await Promise.all(
      recorded.map(async ({ name, workflowId }) => ({
        name,
        workflowId,
        history: await suite.env.client.workflow.getHandle(workflowId).fetchHistory(),
      })),
    );
    if (process.env.RECORD_HISTORIES) {
      for (const { name, history } of collected.filter((c) => c.name.startsWith('route-health'))) {
        writeFileSync(join(__dirname, 'histories', `${name}.json`), historyFileText(history));
      }
    }
    for await (const result of Worker.runReplayHistories({ workflowBundle: suite.bundle }, collected)) {
      expect({ id: result.workflowId, error: result.error?.message }).toEqual({ id: result.workflowId });
    }
  });
});
