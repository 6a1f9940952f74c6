/**
 * `resilient-sms send --wait` and `--until-closed` on the real Temporal dev server, with a real worker and the
 * real activities against the local SMS v2 endpoint; receipts and feedback are signalled as the ingester and an
 * application would. The otp policy listens for feedback for ten minutes after the delivery, so what is
 * asserted is the order of events: `--wait` says DELIVERED and returns while the workflow is still open;
 * `--until-closed` says DELIVERED, goes on waiting, and returns only once the workflow has closed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { main } from '../../src/cli/main';
import { configSchema, type Config, type ConfigInput } from '../../src/domain/config';
import { CONTEXT_ATTEMPT } from '../../src/domain/sending';
import type { StatusRecord } from '../../src/domain/status';
import { cancelSignal, dlrSignal, feedbackSignal, statusQuery, workflowIdFor } from '../../src/workflows/definitions';
import { createWorker, workflowsPath, type CreatedWorker } from '../../src/workers/worker';
import { startSmsV2Endpoint, type RecordedRequest, type SmsV2Endpoint } from '../helpers/sms-v2-endpoint';
import { connectTestEnv, uniqueTaskQueue, SILENT_BUNDLER_LOGGER } from '../helpers/temporal-env';

const DEST = '+14255550123';
const taskQueue = uniqueTaskQueue('send-wait');

let env: TestWorkflowEnvironment;
let sms: SmsV2Endpoint;
let config: Config;
let worker: CreatedWorker | undefined;
let workerRun: Promise<void>;
let closeWorker: () => void;
let tmp: string;
let configFile: string;
const keys: string[] = [];

function makeConfig(): Config {
  const input: ConfigInput = {
    temporal: { address: process.env.TEMPORAL_TEST_ADDRESS!, namespace: 'default', taskQueue },
    accounts: { primary: { credentials: { type: 'static', accessKeyId: 'AKIDPRIMARY', secretAccessKey: 'test' } } },
    routes: [
      { id: 'primary-use1', account: 'primary', region: 'us-east-1', endpoint: sms.url, configurationSet: 'cs' },
    ],
    originators: {
      US: [
        { route: 'primary-use1', identity: 'pool-sc', kind: 'pool', type: 'short-code' },
        { route: 'primary-use1', identity: 'pool-10dlc', kind: 'pool', type: '10dlc' },
      ],
    },
    policies: {
      otp: {
        success: 'dlr-or-feedback',
        stepWait: '5m',
        deadline: '20m',
        messageFeedback: true,
        feedbackGrace: '10m',
        channels: ['sms'],
      },
    },
  };
  return configSchema.parse(input);
}

/** Runs the CLI in this process; `stdout`/`stderr` fill while it runs. */
function runCli(args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((s: unknown) => void stdout.push(String(s)));
  const err = jest.spyOn(console, 'error').mockImplementation((s: unknown) => void stderr.push(String(s)));
  let done = false;
  const exit = main([
    'node',
    'resilient-sms',
    '--config',
    configFile,
    '--address',
    config.temporal.address,
    ...args,
  ]).finally(() => {
    done = true;
    log.mockRestore();
    err.mockRestore();
  });
  return { stdout, stderr, exit, done: () => done };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function handleOf(key: string) {
  return env.client.workflow.getHandle(workflowIdFor(key));
}

/**
 * Waits for attempt `n` to be sent (and, given the CLI's output, for the CLI to have said so), then signals
 * its final receipt.
 */
async function receipt(key: string, n: number, status: string, stdout?: string[]): Promise<void> {
  if (stdout)
    await until(`the CLI's line for attempt ${n} sent`, () =>
      stdout.some((l) => l.startsWith(`  #${n} `) && l.includes(': sent')) ? true : undefined,
    );
  const record = await until(`attempt ${n} of ${key} sent`, async () => {
    const r = await handleOf(key)
      .query(statusQuery)
      .catch(() => undefined);
    return r?.attempts[n - 1]?.state === 'sent' ? r : undefined;
  });
  await handleOf(key).signal(dlrSignal, {
    attempt: n,
    eventType: `TEXT_${status}`,
    status,
    isFinal: true,
    messageId: record.attempts[n - 1].messageId!,
    eventTimestamp: Date.now(),
  });
}

function sendArgs(key: string, ...more: string[]): string[] {
  keys.push(key);
  return ['send', '--to', DEST, '--body', `Your code is ${key}`, '--use-case', 'otp', '--key', key, ...more];
}

beforeAll(async () => {
  env = await connectTestEnv();
  sms = await startSmsV2Endpoint();
  sms.on('SendTextMessage', (req: RecordedRequest) => {
    const attempt = ((req.body?.Context ?? {}) as Record<string, string>)[CONTEXT_ATTEMPT];
    return { kind: 'success', messageId: `m-${attempt}-${Math.random().toString(36).slice(2)}` };
  });
  config = makeConfig();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-send-wait-'));
  configFile = path.join(tmp, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify(config));
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    logger: SILENT_BUNDLER_LOGGER,
  });
  const created = await createWorker({ config, connection: env.nativeConnection, taskQueue, workflowBundle });
  worker = created;
  closeWorker = created.close;
  workerRun = created.runAll();
}, 120_000);

afterAll(async () => {
  for (const key of keys)
    await handleOf(key)
      .terminate('send-wait test done')
      .catch(() => undefined);
  if (worker) {
    worker.shutdown();
    await workerRun;
  }
  closeWorker?.();
  await sms?.close();
  await env?.teardown();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('send --wait', () => {
  it('prints the key at once, a line per attempt, and DELIVERED while the workflow still listens for feedback', async () => {
    const key = `wait-${taskQueue}`;
    const cli = runCli(sendArgs(key, '--wait', '--progress'));
    // The key is out before anything was delivered.
    await until('the key line', () => (cli.stdout.length > 0 ? true : undefined));
    expect(cli.stdout[0]).toBe(`started: ${key} (workflow ${workflowIdFor(key)})`);
    await receipt(key, 1, 'BLOCKED', cli.stdout);
    await receipt(key, 2, 'DELIVERED', cli.stdout);
    expect(await cli.exit).toBe(0);

    // The CLI is done; the workflow is not (ten minutes of feedback window left), and its record already
    // names the delivering attempt.
    expect((await handleOf(key).describe()).status.name).toBe('RUNNING');
    const live: StatusRecord = await handleOf(key).query(statusQuery);
    expect(live).toMatchObject({ status: 'DELIVERED', successfulAttempt: 2, needlessAttempts: [] });
    expect(live.finishedAt).toBeUndefined();

    const lines = cli.stdout;
    const idx = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(idx(/^ {2}#1 sms initial primary\/us-east-1 pool-sc: failed TEXT_BLOCKED/)).toBeGreaterThan(0);
    expect(idx(/^ {2}#2 sms originator primary\/us-east-1 pool-10dlc: sent/)).toBeGreaterThan(
      idx(/#1 .*: failed TEXT_BLOCKED/),
    );
    expect(idx(/#2 .*: delivered/)).toBeGreaterThan(idx(/#2 .*: sent/));
    expect(lines[lines.length - 1]).toMatch(
      /^DELIVERED by attempt #2 sms originator primary\/us-east-1 pool-10dlc after \d+\.\d s \(the workflow is still listening for feedback; --until-closed waits for it\)$/,
    );
    expect(lines.join('\n')).not.toContain(DEST);
  });

  it('without progress (not a terminal), prints the key line and the outcome line only', async () => {
    const key = `plain-${taskQueue}`;
    const cli = runCli(sendArgs(key, '--wait', '--no-progress'));
    await receipt(key, 1, 'DELIVERED');
    expect(await cli.exit).toBe(0);
    expect(cli.stdout).toHaveLength(2);
    expect(cli.stdout[0]).toBe(`started: ${key} (workflow ${workflowIdFor(key)})`);
    expect(cli.stdout[1]).toMatch(/^DELIVERED by attempt #1 sms initial primary\/us-east-1 pool-sc after /);
  });

  it('with --json, prints the status record at the delivery (the key on stderr)', async () => {
    const key = `json-${taskQueue}`;
    const cli = runCli(sendArgs(key, '--wait', '--json'));
    await receipt(key, 1, 'DELIVERED');
    expect(await cli.exit).toBe(0);
    expect(cli.stderr).toEqual([`started: ${key} (workflow ${workflowIdFor(key)})`]);
    const record = JSON.parse(cli.stdout.join('\n')) as StatusRecord;
    expect(record).toMatchObject({ idempotencyKey: key, status: 'DELIVERED', successfulAttempt: 1 });
    expect(record.finishedAt).toBeUndefined();
  });
});

describe('send --wait on a message that does not reach the user', () => {
  it('prints the outcome and exits 4, naming it on stderr', async () => {
    const key = `cancelled-${taskQueue}`;
    const cli = runCli(sendArgs(key, '--wait', '--no-progress'));
    await until('the key line', () => (cli.stdout.length > 0 ? true : undefined));
    await until('the first send', async () => {
      const record: StatusRecord = await handleOf(key).query(statusQuery);
      return record.attempts.length > 0 ? true : undefined;
    });
    await handleOf(key).signal(cancelSignal, { reason: 'test' });
    expect(await cli.exit).toBe(4);
    expect(cli.stdout[cli.stdout.length - 1]).toMatch(/^CANCELLED: /);
    expect(cli.stderr).toEqual([`resilient-sms: message "${key}" ended CANCELLED without reaching the user`]);
  });
});

describe('send --until-closed', () => {
  it('says DELIVERED when it happens and returns only when the workflow closes', async () => {
    const key = `closed-${taskQueue}`;
    const cli = runCli(sendArgs(key, '--until-closed', '--progress'));
    await receipt(key, 1, 'DELIVERED');
    await until('the DELIVERED progress line', () =>
      cli.stdout.some((l) => l.startsWith('  DELIVERED: delivered by attempt 1; listening for feedback'))
        ? true
        : undefined,
    );
    // Still waiting: the workflow listens for feedback, and nothing has closed it.
    expect(cli.done()).toBe(false);
    expect((await handleOf(key).describe()).status.name).toBe('RUNNING');

    await handleOf(key).signal(feedbackSignal, { status: 'RECEIVED' });
    expect(await cli.exit).toBe(0);
    expect((await handleOf(key).describe()).status.name).toBe('COMPLETED');
    expect(cli.stdout[cli.stdout.length - 1]).toMatch(
      /^CONFIRMED by attempt #1 sms initial primary\/us-east-1 pool-sc after \d+\.\d s, the user acted on the message$/,
    );
  });
});
