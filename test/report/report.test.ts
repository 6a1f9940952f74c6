/**
 * The delivery report on the real Temporal dev server: seven messages with different fates, run by a real
 * worker with the real activities against the local SMS v2 endpoint, receipts signalled as the ingester
 * does; then the numbers of `collectReport`, its text and HTML renderings, and the `report` CLI command.
 * The report counts by what happened to the user: G is delivered although its workflow still listens for
 * feedback, F is cancelled and in neither side of the delivery rate, E is the only one still waiting.
 *
 *   A delivered on the first rung              (initial,    primary/us-east-1)
 *   B Region outage (InternalServerException)  (region:     us-east-1 ambiguous, no receipt -> us-west-2 delivered, late)
 *   C carrier blocks the first originator      (originator: BLOCKED -> second pool delivered)
 *   D recipient opted out                      (initial,    STOPPED)
 *   E sent, no receipt yet                     (still waiting)
 *   F sent, then cancelled                     (initial,    CANCELLED)
 *   G as B, then listening for feedback        (region:     DELIVERED, workflow running for its 10 min feedback window)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ResilientSmsClient } from '../../src/client';
import { main } from '../../src/cli/main';
import { configSchema, type Config, type ConfigInput } from '../../src/domain/config';
import type { DlrSignal } from '../../src/domain/delivery-event';
import { CONTEXT_ATTEMPT, CONTEXT_WORKFLOW_ID } from '../../src/domain/sending';
import type { StatusRecord } from '../../src/domain/status';
import { collectReport, renderHtml, renderText, type DeliveryReport } from '../../src/report';
import { percentile } from '../../src/report/compute';
import { cancelSignal, dlrSignal, statusQuery } from '../../src/workflows/definitions';
import { createWorker, workflowsPath, type CreatedWorker } from '../../src/workers/worker';
import {
  startSmsV2Endpoint,
  type Behaviour,
  type RecordedRequest,
  type SmsV2Endpoint,
} from '../helpers/sms-v2-endpoint';
import { connectTestEnv, uniqueTaskQueue, SILENT_BUNDLER_LOGGER } from '../helpers/temporal-env';

const DEST = '+14255550156';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let sms: SmsV2Endpoint;
let config: Config;
let worker: CreatedWorker | undefined;
let workerRun: Promise<void>;
let closeWorker: () => void;
let report: DeliveryReport;
let tmp: string;
const taskQueue = uniqueTaskQueue('report');
const since = new Date(Date.now() - 60_000);
const handles: Record<string, WorkflowHandle> = {};
const results: Record<string, StatusRecord> = {};

function makeConfig(): Config {
  const input: ConfigInput = {
    temporal: { address: process.env.TEMPORAL_TEST_ADDRESS!, namespace: 'default', taskQueue },
    accounts: {
      primary: { credentials: { type: 'static', accessKeyId: 'AKIDPRIMARY', secretAccessKey: 'test' } },
      secondary: { credentials: { type: 'static', accessKeyId: 'AKIDSECONDARY', secretAccessKey: 'test' } },
    },
    routes: [
      { id: 'primary-use1', account: 'primary', region: 'us-east-1', endpoint: sms.url, configurationSet: 'cs' },
      { id: 'secondary-use1', account: 'secondary', region: 'us-east-1', endpoint: sms.url, configurationSet: 'cs' },
      { id: 'primary-usw2', account: 'primary', region: 'us-west-2', endpoint: sms.url, configurationSet: 'cs' },
    ],
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
      otp: { stepWait: '5m', deadline: '10m', ambiguousWait: '1s', throttleBackoff: '100ms' },
      otpfeedback: {
        stepWait: '5m',
        deadline: '20m',
        ambiguousWait: '1s',
        messageFeedback: true,
        feedbackGrace: '10m',
      },
    },
  };
  return configSchema.parse(input);
}

/** What the "service" answers, per message (by the idempotency key inside the workflow id) and attempt. */
const SCRIPT: Record<string, (attempt: number) => Behaviour | undefined> = {
  B: (attempt) => (attempt === 1 ? { kind: 'error', type: 'InternalServerException', message: 'boom' } : undefined),
  G: (attempt) => (attempt === 1 ? { kind: 'error', type: 'InternalServerException', message: 'boom' } : undefined),
  D: () => ({ kind: 'error', type: 'ConflictException', reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' }),
};

function keyOf(name: string): string {
  return `${name}-${taskQueue}`;
}

function dlr(attempt: number, status: string): DlrSignal {
  return {
    attempt,
    eventType: `TEXT_${status}`,
    status,
    isFinal: true,
    messageId: `m-${attempt}`,
    eventTimestamp: Date.now(),
  };
}

async function waitForStatus(
  name: string,
  predicate: (s: StatusRecord) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<StatusRecord> {
  const until = Date.now() + timeoutMs;
  let last: StatusRecord | undefined;
  while (Date.now() < until) {
    last = await handles[name].query(statusQuery);
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${name}: ${what}; last: ${JSON.stringify(last)}`);
}
const attemptIs = (n: number, state: string) => (s: StatusRecord) => s.attempts[n - 1]?.state === state;

beforeAll(async () => {
  env = await connectTestEnv();
  sms = await startSmsV2Endpoint();
  sms.on('SendTextMessage', (req: RecordedRequest) => {
    const ctx = (req.body?.Context ?? {}) as Record<string, string>;
    const attempt = Number(ctx[CONTEXT_ATTEMPT]);
    const name = String(ctx[CONTEXT_WORKFLOW_ID]).slice('sms:'.length).split('-')[0];
    return SCRIPT[name]?.(attempt) ?? { kind: 'success', messageId: `m-${attempt}` };
  });
  config = makeConfig();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-report-'));
  bundle = await bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    logger: SILENT_BUNDLER_LOGGER,
  });
  const created = await createWorker({ config, connection: env.nativeConnection, taskQueue, workflowBundle: bundle });
  worker = created;
  closeWorker = created.close;
  workerRun = created.runAll();

  const client = new ResilientSmsClient(config, env.client, { taskQueue });
  for (const name of ['A', 'B', 'C', 'D', 'E', 'F', 'G']) {
    const sent = await client.sendMessage({
      destination: DEST,
      body: 'Your code is 123456',
      useCase: name === 'G' ? 'otpfeedback' : 'otp',
      idempotencyKey: keyOf(name),
    });
    handles[name] = env.client.workflow.getHandle(sent.workflowId);
  }

  // A: delivered at once.
  await waitForStatus('A', attemptIs(1, 'sent'), 'A sent');
  await handles.A.signal(dlrSignal, dlr(1, 'DELIVERED'));
  // C: blocked, then the second originator delivers.
  await waitForStatus('C', attemptIs(1, 'sent'), 'C sent');
  await handles.C.signal(dlrSignal, dlr(1, 'BLOCKED'));
  await waitForStatus('C', attemptIs(2, 'sent'), 'C attempt 2 sent');
  await handles.C.signal(dlrSignal, dlr(2, 'DELIVERED'));
  // B: the ambiguous send waits 1 s for a receipt, then the other Region; its receipt comes 2 s later.
  await waitForStatus('B', attemptIs(2, 'sent'), 'B attempt 2 sent in us-west-2');
  await new Promise((r) => setTimeout(r, 2_000));
  await handles.B.signal(dlrSignal, dlr(2, 'DELIVERED'));
  // G: as B; then its workflow listens for feedback.
  await waitForStatus('G', attemptIs(2, 'sent'), 'G attempt 2 sent in us-west-2');
  await handles.G.signal(dlrSignal, dlr(2, 'DELIVERED'));
  results.G = await waitForStatus('G', (s) => s.status === 'DELIVERED', 'G delivered, listening for feedback');
  // E: sent, waiting for its receipt.
  await waitForStatus('E', attemptIs(1, 'sent'), 'E sent');
  // F: sent, then cancelled.
  await waitForStatus('F', attemptIs(1, 'sent'), 'F sent');
  await handles.F.signal(cancelSignal, { reason: 'game day over' });

  for (const name of ['A', 'B', 'C', 'D', 'F']) results[name] = (await handles[name].result()) as StatusRecord;

  // Visibility is eventually consistent: wait until it has seen every close.
  const until = Date.now() + 15_000;
  for (;;) {
    report = await collectReport({ client: env.client, since, taskQueue, concurrency: 2 });
    const settled =
      report.totals.messages === 7 &&
      report.totals.running === 2 &&
      report.examined === 6 &&
      (report.totals.byStatus.DELIVERED ?? 0) === 4 &&
      report.totals.byStatus.CANCELLED === 1 &&
      report.totals.byLevel.region === 2;
    if (settled || Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 250));
  }
}, 120_000);

afterAll(async () => {
  await handles.E?.terminate('report test done').catch(() => undefined);
  await handles.G?.terminate('report test done').catch(() => undefined);
  if (worker) {
    worker.shutdown();
    await workerRun;
  }
  closeWorker?.();
  await sms?.close();
  await env?.teardown();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('delivery report', () => {
  it('the messages ended as scripted', () => {
    expect(results.A.status).toBe('DELIVERED');
    expect(results.B.status).toBe('DELIVERED');
    expect(results.B.attempts.map((a) => `${a.account}/${a.region}:${a.state}:${a.level}`)).toEqual([
      'primary/us-east-1:timed-out:initial',
      'primary/us-west-2:delivered:region',
    ]);
    expect(results.C.attempts.map((a) => `${a.state}:${a.level}`)).toEqual(['failed:initial', 'delivered:originator']);
    expect(results.D.status).toBe('STOPPED');
    expect(results.F.status).toBe('CANCELLED');
    // Read during its feedback window: already DELIVERED, naming the attempt that delivered.
    expect(results.G).toMatchObject({ status: 'DELIVERED', successfulAttempt: 2, needlessAttempts: [] });
    expect(results.G.finishedAt).toBeUndefined();
  });

  it('counts messages by status and escalation level from the search attributes', () => {
    expect(report.query).toContain(`TaskQueue="${taskQueue}"`);
    expect(report.totals).toEqual({
      messages: 7,
      running: 2,
      byStatus: { DELIVERED: 4, STOPPED: 1, CANCELLED: 1, IN_PROGRESS: 1 },
      byLevel: { initial: 4, originator: 1, account: 0, region: 2, channel: 0 },
    });
    expect(report.examined).toBe(6); // A B C D F closed, G listening for feedback
    expect(report.unread).toEqual([]);
    expect(report.truncated).toBe(false);
    expect(report.abnormal).toEqual([]);
  });

  it('counts by what happened to the user: delivered while listening for feedback, cancelled apart', () => {
    expect(report.outcomes).toEqual({ delivered: 4, listening: 1, notDelivered: 1, cancelled: 1, inProgress: 1 });
    // A B C G delivered, D stopped; F (cancelled) and E (in progress) are in neither side.
    expect(report.deliveryRate).toBeCloseTo(4 / 5);
  });

  it('gives the delivery rate by route and by channel over the attempts of messages with a record', () => {
    expect(report.byRoute).toEqual([
      // A1 delivered, B1 and G1 no receipt (timed out), C1 blocked, C2 delivered, D1 refused (opted out),
      // F1 sent and superseded by the cancel
      { key: 'primary/us-east-1', attempts: 7, sent: 6, delivered: 2, failed: 4, rate: 2 / 6 },
      { key: 'primary/us-west-2', attempts: 2, sent: 2, delivered: 2, failed: 0, rate: 1 },
    ]);
    expect(report.byChannel).toEqual([{ key: 'sms', attempts: 9, sent: 8, delivered: 4, failed: 4, rate: 0.5 }]);
  });

  it('gives the median and p95 time to delivery', () => {
    const ttd = report.timeToDelivery;
    // G counts although its workflow is still open: its failover is in the figures at once.
    expect(ttd.count).toBe(4);
    expect(ttd.samplesSeconds).toHaveLength(4);
    const expected = (['A', 'B', 'C', 'G'] as const).map((n) => {
      const r = results[n];
      const success = r.attempts.find((a) => a.attempt === r.successfulAttempt)!;
      return (success.events.find((e) => e.status === 'DELIVERED')!.receivedAt - r.startedAt) / 1000;
    });
    const sorted = [...expected].sort((a, b) => a - b);
    expect(ttd.medianSeconds).toBeCloseTo(percentile(sorted, 50)!, 3);
    expect(ttd.p95Seconds).toBeCloseTo(sorted[3], 3);
    // B waited 1 s for a receipt of its ambiguous send, then 2 s more for its receipt.
    expect(ttd.p95Seconds).toBeGreaterThanOrEqual(3);
    expect(ttd.byLevel.region).toMatchObject({ count: 2 });
    expect(ttd.byLevel.region.medianSeconds).toBeGreaterThanOrEqual(3);
  });

  it('lists the messages still waiting with their current rung, and apart those only listening for feedback', () => {
    expect(report.waiting).toHaveLength(1);
    expect(report.waiting[0]).toMatchObject({
      workflowId: handles.E.workflowId,
      status: 'IN_PROGRESS',
      level: 'initial',
      route: 'primary/us-east-1',
      channel: 'sms',
      attempts: 1,
      country: 'US',
      useCase: 'otp',
    });
    expect(report.listening.map((w) => [w.workflowId, w.status, w.level])).toEqual([
      [handles.G.workflowId, 'DELIVERED', 'region'],
    ]);
  });

  it('renders plain-text tables without personal data', () => {
    const text = renderText(report);
    expect(text).toContain(
      'Messages: 7 · delivered 4 (1 still listening for feedback) · not delivered 1 · cancelled 1 · in progress 1',
    );
    expect(text).toContain(
      'Delivery rate: 80.0% (4 of 5 messages with an outcome = delivered / (delivered + not delivered); ' +
        'cancelled and in-progress messages are not counted)',
    );
    expect(text).toMatch(/primary\/us-east-1\s+7\s+6\s+2\s+4\s+33\.3%/);
    expect(text).toMatch(/region\s+2/);
    expect(text).toContain('Still waiting: not delivered yet (1)');
    expect(text).toContain(handles.E.workflowId);
    expect(text).not.toContain(handles.G.workflowId);
    expect(text).not.toContain(DEST);
    expect(text).not.toContain('123456');
  });

  it('renders a self-contained HTML report with SVG charts', () => {
    const html = renderHtml(report);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(5);
    expect(html).toContain('<b id="kpi-rate">80.0%</b>');
    expect(html).toContain('<b id="kpi-cancelled">1</b>');
    expect(html).toContain('<b id="kpi-waiting">1</b>');
    expect(html).toContain('4 of 5 messages with an outcome');
    expect(html).toContain('primary/us-west-2');
    // Offline: no script, no external stylesheet, image or font.
    expect(html).not.toMatch(/<script|<link|<img|url\(|src=/i);
    expect(html).not.toMatch(/(href|src)="https?:/i);
    expect(html).not.toContain(DEST);
  });

  it('is what `resilient-sms report` prints (--json) and writes (--html)', async () => {
    const configFile = path.join(tmp, 'config.json');
    fs.writeFileSync(configFile, JSON.stringify(config));
    const htmlFile = path.join(tmp, 'report.html');
    const printed: string[] = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((s: unknown) => void printed.push(String(s)));
    let code: number;
    try {
      code = await main([
        'node',
        'resilient-sms',
        '--config',
        configFile,
        '--address',
        process.env.TEMPORAL_TEST_ADDRESS!,
        'report',
        '--since',
        '1h',
        '--task-queue',
        taskQueue,
        '--json',
        '--html',
        htmlFile,
      ]);
    } finally {
      spy.mockRestore();
    }
    expect(code).toBe(0);
    const json = JSON.parse(printed.join('\n')) as DeliveryReport;
    expect(json.totals).toEqual(report.totals);
    expect(json.byRoute).toEqual(report.byRoute);
    expect(json.waiting.map((w) => w.workflowId)).toEqual([handles.E.workflowId]);
    const html = fs.readFileSync(htmlFile, 'utf8');
    expect(html).toContain('Delivery rate by route');
    // Kept for a look (git-ignored): test-results/delivery-report.html and .txt.
    const out = path.join(__dirname, '..', '..', 'test-results');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'delivery-report.html'), html);
    fs.writeFileSync(path.join(out, 'delivery-report.txt'), renderText(report));
  });
});
