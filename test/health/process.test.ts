/**
 * The process side of route health against a fake Temporal client: the flusher's signal (with start, the config's
 * thresholds as input), a failed flush kept for the next one, the snapshot cache keeping its last good snapshot,
 * the readRouteHealth local activity (filtering, probes per half-open period, bad input) and the sink's checks.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure, type MetricMeter } from '@temporalio/common';
import { configSchema, type Config } from '../../src/domain/config';
import type { RouteHealthSnapshot } from '../../src/domain/route-health';
import { ObservationAggregator } from '../../src/health/aggregator';
import type { BacklogAgeProbe } from '../../src/health/backlog';
import { ObservationFlusher } from '../../src/health/flusher';
import { createRouteHealthProcess, observationProblem } from '../../src/health';
import type { HealthLog } from '../../src/health/log';
import { configuredRouteKeys, createRouteHealthMetrics, routeKeyLabel } from '../../src/health/metrics';
import { ProbeGate, readRouteHealthActivity } from '../../src/health/read-route-health';
import { routeHealthWorkflowInput, type RouteHealthClient } from '../../src/health/signal';
import { SnapshotCache } from '../../src/health/snapshot-cache';
import type { ObservationBatch } from '../../src/workflows/route-health-definitions';

function config(routeHealth: Record<string, unknown> = { enabled: true }): Config {
  return configSchema.parse({
    accounts: { primary: { credentials: { type: 'static', accessKeyId: 'AKIDX', secretAccessKey: 'x' } } },
    routes: [{ id: 'r', account: 'primary', region: 'us-east-1', endpoint: 'http://127.0.0.1:1' }],
    originators: { US: [{ route: 'r', identity: 'pool-1', type: 'short-code' }] },
    policies: { otp: {} },
    temporal: { taskQueue: 'tq' },
    routeHealth,
  });
}

interface Fake {
  client: RouteHealthClient;
  signals: { type: string; options: Record<string, unknown> }[];
  fail: { signal?: Error; query?: Error };
  snapshot: RouteHealthSnapshot;
  queriedIds: string[];
}

function fakeClient(): Fake {
  const fake: Fake = {
    signals: [],
    fail: {},
    snapshot: { at: 1, entries: [] },
    queriedIds: [],
    client: undefined as unknown as RouteHealthClient,
  };
  fake.client = {
    workflow: {
      signalWithStart: (type: string, options: Record<string, unknown>) => {
        if (fake.fail.signal) return Promise.reject(fake.fail.signal);
        fake.signals.push({ type, options });
        return Promise.resolve({});
      },
      getHandle: (id: string) => ({
        query: () => {
          fake.queriedIds.push(id);
          return fake.fail.query ? Promise.reject(fake.fail.query) : Promise.resolve(fake.snapshot);
        },
      }),
    },
  } as unknown as RouteHealthClient;
  return fake;
}

const logs: { level: string; msg: string }[] = [];
const log: HealthLog = (level, msg) => logs.push({ level, msg });
const T0 = 1_700_000_000_000;
const ORIG = 'originator:primary/us-east-1/pool-1@US';

beforeEach(() => (logs.length = 0));

describe('ObservationFlusher', () => {
  function setup(backlogAge?: BacklogAgeProbe) {
    const fake = fakeClient();
    const cfg = config({ enabled: true, overdueAfter: '20s' });
    const aggregator = new ObservationAggregator();
    const flusher = new ObservationFlusher({
      config: cfg,
      client: fake.client,
      aggregator,
      source: 'w1',
      intervalMs: 1_000,
      log,
      backlogAge,
    });
    return { fake, cfg, aggregator, flusher };
  }

  it('signals one batch with start to route-health:<taskQueue> on the shared-state queue, the config thresholds as input', async () => {
    const { fake, cfg, aggregator, flusher } = setup();
    await flusher.flush();
    expect(fake.signals).toHaveLength(0); // nothing observed: nothing sent
    aggregator.observe({ kind: 'receipt', at: T0, key: ORIG, sentAt: T0 - 500, ok: true, probe: false });
    await flusher.flush();
    expect(fake.signals).toHaveLength(1);
    const { type, options } = fake.signals[0];
    expect(type).toBe('routeHealth');
    // Started on the shared-state task queue, whose small Worker no message task takes; the id names the main queue.
    expect(options).toMatchObject({
      workflowId: 'route-health:tq',
      taskQueue: 'tq-shared-state',
      priority: { priorityKey: 1 },
    });
    expect(options.args).toEqual([routeHealthWorkflowInput(cfg)]);
    expect(routeHealthWorkflowInput(cfg)).toMatchObject({
      config: {
        overdueAfter: 20_000,
        latencyFactor: 3,
        wakeWaiting: true,
        taskQueue: 'tq',
        routes: ['primary/us-east-1'],
      },
    });
    expect((options.signal as { name: string }).name).toBe('observations');
    const [batch] = options.signalArgs as [ObservationBatch];
    expect(batch).toMatchObject({ source: 'w1', counts: [{ key: ORIG, ok: 1 }], receiptLatencyMs: { [ORIG]: [500] } });
  });

  it('keeps the counts of a failed flush for the next one and logs the outage once at warn', async () => {
    const { fake, aggregator, flusher } = setup();
    fake.fail.signal = Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
    aggregator.observe({ kind: 'receipt', at: T0, key: ORIG, sentAt: T0, ok: true, probe: false });
    await flusher.flush();
    aggregator.observe({ kind: 'receipt', at: T0, key: ORIG, sentAt: T0, ok: false, probe: false });
    await flusher.flush();
    expect(logs.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(flusher.stats.failed).toBe(2);
    fake.fail.signal = undefined;
    await flusher.flush();
    const [batch] = fake.signals[0].options.signalArgs as [ObservationBatch];
    expect(batch.counts).toEqual([
      {
        key: ORIG,
        second: Math.floor(T0 / 1000),
        ok: 1,
        delivered: 1,
        failures: { 'receipt-failure': 1 },
        awaitingReceipt: -2,
      },
    ]);
    expect(logs.at(-1)).toMatchObject({ level: 'info', msg: expect.stringContaining('flushed again') });
  });

  it("sends the message workflows' task backlog age as the processing lag when it is the larger", async () => {
    let backlog: number | undefined = 45_000;
    const { fake, aggregator, flusher } = setup(() => Promise.resolve(backlog));
    const receipt = { kind: 'receipt', at: T0, key: ORIG, sentAt: T0 - 500, ok: true, probe: false } as const;
    aggregator.observe({ ...receipt, lagMs: 2_000 });
    await flusher.flush();
    backlog = 1_000;
    aggregator.observe({ ...receipt, lagMs: 2_000 });
    await flusher.flush();
    backlog = undefined; // Temporal did not answer: the messages' own lag
    aggregator.observe({ ...receipt, lagMs: 3_000 });
    await flusher.flush();
    const lags = fake.signals.map((s) => (s.options.signalArgs as [ObservationBatch])[0].processingLagMs);
    expect(lags).toEqual([45_000, 2_000, 3_000]);
  });

  it('sends a backlog of a second or more on its own when nothing was counted, and nothing for less', async () => {
    let backlog = 999;
    const { fake, flusher } = setup(() => Promise.resolve(backlog));
    await flusher.flush();
    expect(fake.signals).toHaveLength(0);
    backlog = 30_000;
    await flusher.flush();
    expect(fake.signals.map((s) => s.options.signalArgs)).toEqual([
      [{ source: 'w1', counts: [], processingLagMs: 30_000 }],
    ]);
  });
});

describe('SnapshotCache and readRouteHealth', () => {
  const HALF_OPEN = { key: 'route:primary/us-east-1', condition: 'half-open' as const, since: 5, why: 'cooling down' };
  const OPEN = { key: 'region:us-east-1', condition: 'open' as const, since: 3, why: '14 of 15 sends failed' };
  const OTHER = { key: 'region:eu-west-1', condition: 'drained' as const, since: 4, why: 'drained by ops' };

  function setup(probes = 2) {
    const fake = fakeClient();
    const now = { t: T0 };
    const cache = new SnapshotCache({
      config: config(),
      client: fake.client,
      intervalMs: 1_000,
      log,
      now: () => now.t,
    });
    const read = readRouteHealthActivity({ cache, gate: new ProbeGate(probes), firstSnapshotWaitMs: 10 });
    return { fake, cache, read, now };
  }

  it('answers only the asked keys, with probe: true for the first halfOpenProbes callers of a half-open period', async () => {
    const { fake, cache, read } = setup(2);
    fake.snapshot = { at: 42, entries: [OPEN, HALF_OPEN, OTHER] };
    await cache.refresh();
    expect(fake.queriedIds).toEqual(['route-health:tq']);
    const keys = [OPEN.key, HALF_OPEN.key];
    const answers = await Promise.all([1, 2, 3].map(() => read({ keys })));
    expect(answers[0]).toEqual({ at: 42, entries: [OPEN, { ...HALF_OPEN, probe: true }] });
    expect(answers.map((a) => a.entries[1].probe)).toEqual([true, true, undefined]);
    // A new half-open period (a new `since`) has its own probes.
    fake.snapshot = { at: 43, entries: [{ ...HALF_OPEN, since: 9 }] };
    await cache.refresh();
    expect((await read({ keys })).entries).toEqual([{ ...HALF_OPEN, since: 9, probe: true }]);
  });

  it('keeps the last good snapshot when a refresh fails, with its age', async () => {
    const { fake, cache, read, now } = setup();
    fake.snapshot = { at: 42, entries: [OPEN] };
    await cache.refresh();
    fake.fail.query = new Error('deadline exceeded');
    now.t = T0 + 7_000;
    await cache.refresh();
    await cache.refresh();
    expect(cache.current()).toMatchObject({ snapshot: { at: 42 }, ageMs: 7_000 });
    expect((await read({ keys: [OPEN.key] })).entries).toEqual([OPEN]);
    expect(logs.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(cache.stats).toEqual({ refreshed: 1, failed: 2 });
  });

  it('reads an empty snapshot when the routeHealth workflow does not exist yet, and before any snapshot', async () => {
    const { fake, cache, read } = setup();
    expect(await read({ keys: [OPEN.key] })).toEqual({ at: 0, entries: [] });
    fake.fail.query = new WorkflowNotFoundError('not found', 'route-health:tq', undefined);
    await cache.refresh();
    expect((await read({ keys: [OPEN.key] })).entries).toEqual([]);
  });

  it('refuses bad input with a non-retryable failure naming the problem', async () => {
    const { read } = setup();
    await expect(read({} as never)).rejects.toThrow(ApplicationFailure);
    await expect(read({} as never)).rejects.toThrow('readRouteHealth: input must be { keys: string[] }');
    await expect(read({ keys: ['ok', 3] } as never)).rejects.toThrow('keys[1] must be a non-empty string');
  });

  it('refuses a query answer that is not a snapshot, keeping the last good one', async () => {
    const { fake, cache } = setup();
    fake.snapshot = { at: 1, entries: [OPEN] };
    await cache.refresh();
    fake.snapshot = { nonsense: true } as never;
    await cache.refresh();
    expect(cache.current()?.snapshot.entries).toEqual([OPEN]);
    expect(logs[0].msg).toContain('cannot refresh the snapshot');
  });
});

describe('the observe sink', () => {
  it('counts valid observations and logs the invalid ones, never throwing', () => {
    const fake = fakeClient();
    const rh = createRouteHealthProcess({ config: config(), client: fake.client, log, source: 'w' });
    const observe = rh.sinks.routeHealth.observe.fn;
    expect(rh.sinks.routeHealth.observe.callDuringReplay).toBe(false);
    void observe({ workflowId: 'sms:a' } as never, {
      kind: 'receipt',
      at: T0,
      key: ORIG,
      sentAt: T0,
      ok: true,
      probe: false,
    });
    void observe({ workflowId: 'sms:b' } as never, { kind: 'bogus' } as never);
    expect(rh.aggregator.drain('w')?.counts).toHaveLength(1);
    expect(logs).toEqual([{ level: 'warn', msg: 'route health: observation not counted' }]);
  });

  it('names what is wrong with an observation', () => {
    expect(observationProblem(null)).toBe('not an object');
    expect(observationProblem({ kind: 'send', at: 1, probe: false, keys: [], outcome: 'maybe' })).toContain('outcome');
    expect(observationProblem({ kind: 'receipt', at: 1, probe: false, key: 'k', sentAt: 1 })).toContain('`ok`');
    expect(observationProblem({ kind: 'no-receipt', at: Number.NaN, probe: false })).toContain('`at`');
  });
});

describe('rsms_route_state', () => {
  it('shows every configured route key, the snapshot keys by condition, and 0 again for a key that left it', async () => {
    const sets: { value: number; tags: Record<string, unknown> }[] = [];
    const meter = {
      createGauge: () => ({ set: (value: number, tags: Record<string, unknown>) => sets.push({ value, tags }) }),
      createCounter: () => ({ add: () => undefined }),
    } as unknown as MetricMeter;
    const metrics = createRouteHealthMetrics(meter, configuredRouteKeys(config()));
    const last = (key: string) => sets.filter((s) => s.tags.key === key).at(-1)?.value;
    expect(last('region:us-east-1')).toBe(0);
    expect(last('route:primary/us-east-1')).toBe(0);
    const fake = fakeClient();
    const cache = new SnapshotCache({ config: config(), client: fake.client, intervalMs: 1_000, log, metrics });
    fake.snapshot = {
      at: 1,
      entries: [
        { key: 'region:us-east-1', condition: 'open', since: 1, why: 'x' },
        { key: 'originator:primary/us-east-1/+12065550100@US', condition: 'drained', since: 1, why: 'y' },
      ],
    };
    await cache.refresh();
    expect(last('region:us-east-1')).toBe(2);
    expect(sets.at(-1)?.tags).toEqual({ key: 'originator:primary/us-east-1/+12065550100@US', kind: 'originator' });
    expect(last('originator:primary/us-east-1/+12065550100@US')).toBe(3);
    fake.snapshot = { at: 2, entries: [] };
    await cache.refresh();
    expect(last('region:us-east-1')).toBe(0);
    expect(last('originator:primary/us-east-1/+12065550100@US')).toBe(0);
    expect(routeKeyLabel('not a key')).toBe('other');
  });
});
