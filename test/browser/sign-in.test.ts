/**
 * The sign-in example (examples/sign-in/) as a user meets it: the local stack (`resilient-sms dev`, headless) and the
 * example server, run by test/helpers/sign-in-harness.mjs, which imports it `from 'resilient-sms'` through the
 * package's exports map. Headless Chromium (playwright-core) types a phone number, the test reads the code the way
 * the phone would (the harness's `generateCode` hands it over; the simulator keeps no bodies) once the simulator has
 * delivered the SMS, and types it:
 * - the right code: signed in, the message ends CONFIRMED, and the simulator recorded PutMessageFeedback RECEIVED for
 *   the message id the status record names;
 * - a wrong code: not signed in, the message ends DELIVERED (not confirmed) and PutMessageFeedback FAILED was recorded
 *   for its message id.
 * No code ever appears in the server's log. Bad requests get 4xx naming what is wrong.
 *
 * Needs /usr/bin/chromium or CHROMIUM_PATH; skipped, with a message, when neither exists.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CONTEXT_WORKFLOW_ID } from '../../src/domain/sending';
import type { StatusRecord } from '../../src/domain/status';
import { requireBuiltLib } from '../helpers/build-lib';
import { cleanEnv } from '../helpers/scratch-app';
import { startStack, type Stack } from '../e2e/stack';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
const HARNESS = path.join(__dirname, '..', 'helpers', 'sign-in-harness.mjs');
const WAIT_MS = 30_000;

interface SimMessage {
  messageId?: string;
  destination?: string;
  context?: Record<string, string>;
  events: { eventType: string; isFinal: boolean }[];
  feedback?: { status: string };
}

/** The example server's stdout, line by line: codes, log events and its URL. */
class Harness {
  readonly lines: Record<string, string>[] = [];
  private waiters: (() => void)[] = [];
  constructor(readonly child: ChildProcess) {
    let rest = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop()!;
      for (const line of parts) {
        try {
          const value = JSON.parse(line) as unknown;
          if (value !== null && typeof value === 'object') this.lines.push(value as Record<string, string>);
        } catch {
          // not one of the example's lines (a library's notice): only JSON lines matter here
        }
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    child.on('exit', () => this.waiters.splice(0).forEach((wake) => wake()));
  }

  /** The next line with `field` after the first `skip` of them. */
  async next(field: string, skip: number): Promise<string> {
    const until = Date.now() + WAIT_MS;
    for (;;) {
      const found = this.lines.filter((l) => field in l);
      if (found.length > skip) return found[skip][field];
      if (this.child.exitCode !== null) throw new Error(`the sign-in example exited (${this.child.exitCode})`);
      if (Date.now() > until) throw new Error(`the sign-in example printed no ${field}`);
      await new Promise<void>((wake) => this.waiters.push(wake));
    }
  }
}

let stack: Stack;
let browser: Browser;
let harness: Harness;
let url: string;
let codesRead = 0;

const describeIfChromium = haveChromium ? describe : describe.skip;
if (!haveChromium) {
  console.warn(`[browser] ${CHROMIUM} not found: skipping the sign-in example test (or set CHROMIUM_PATH)`);
}

describeIfChromium('the sign-in example', () => {
  beforeAll(async () => {
    requireBuiltLib();
    [stack, browser] = await Promise.all([
      startStack(path.join(__dirname, '..', 'e2e', 'config.yaml')),
      chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      }),
    ]);
    const child = spawn(process.execPath, [HARNESS], {
      // `confirm`: message feedback on, 20 s of feedback grace after the receipt.
      env: cleanEnv({ RESILIENT_SMS_CONFIG: stack.info.configPath, SIGN_IN_USE_CASE: 'confirm' }),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    harness = new Harness(child);
    url = await harness.next('url', 0);
  }, 180_000);

  afterAll(async () => {
    if (harness?.child.exitCode === null) {
      const exited = new Promise((resolve) => harness.child.once('exit', resolve));
      harness.child.kill('SIGTERM');
      await exited;
    }
    await browser?.close();
    await stack?.stop();
  });

  /**
   * The phone: the SMS to `destination` the simulator delivered, and the code it carries. The user types the code
   * once the message's own record says DELIVERED too (its receipt reached the workflow), so that the feedback
   * always follows the receipt, as it does for a person reading the SMS.
   */
  async function receive(destination: string): Promise<{ message: SimMessage; code: string }> {
    const code = await harness.next('code', codesRead++);
    const until = Date.now() + WAIT_MS;
    for (;;) {
      const { messages } = await stack.sim<{ messages: SimMessage[] }>(
        'GET',
        `/_sim/messages?destination=${encodeURIComponent(destination)}`,
      );
      const message = messages.find((m) => m.events.some((e) => e.isFinal && e.eventType === 'TEXT_DELIVERED'));
      const workflowId = message?.context?.[CONTEXT_WORKFLOW_ID];
      if (message && workflowId && (await stack.client.getStatus(workflowId)).status === 'DELIVERED') {
        return { message, code };
      }
      if (Date.now() > until) throw new Error(`no SMS delivered to ${destination}: ${JSON.stringify(messages)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async function signIn(page: Page, destination: string, typed: (code: string) => string) {
    await page.goto(url);
    await page.fill('#phone', destination);
    await page.click('#send');
    await page.getByText('Code sent. Type it below.').waitFor();
    const { message, code } = await receive(destination);
    await page.fill('#code', typed(code));
    await page.click('#verify');
    const result = page.locator('#result');
    await result.getByText(/signed in/i).waitFor();
    return { message, code, result: await result.innerText() };
  }

  async function feedbackRecorded(messageId: string): Promise<string | undefined> {
    const { messages } = await stack.sim<{ messages: SimMessage[] }>('GET', `/_sim/messages?messageId=${messageId}`);
    return messages[0]?.feedback?.status;
  }

  it('signs in with the right code: CONFIRMED, PutMessageFeedback RECEIVED for that message', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(WAIT_MS);
    const { message, code, result } = await signIn(page, '+14255550191', (c) => c);
    await page.close();
    expect(result).toBe('Signed in.');

    const workflowId = message.context![CONTEXT_WORKFLOW_ID];
    const record: StatusRecord = await stack.client.waitForOutcome(workflowId);
    expect(record.status).toBe('CONFIRMED');
    expect(record.attempts).toHaveLength(1);
    expect(record.attempts[0]).toMatchObject({ messageId: message.messageId, feedback: 'RECEIVED' });
    await expect(feedbackRecorded(message.messageId!)).resolves.toBe('RECEIVED');
    expect(harness.lines.filter((l) => 'event' in l && JSON.stringify(l).includes(code))).toEqual([]);
  }, 120_000);

  it('refuses a wrong code: not signed in, PutMessageFeedback FAILED for that message', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(WAIT_MS);
    const wrong = (c: string) => String((Number(c) + 1) % 1_000_000).padStart(6, '0');
    const { message, code, result } = await signIn(page, '+14255550192', wrong);
    await page.close();
    expect(result).toBe('Not signed in: that code is not right: request a new one');

    const workflowId = message.context![CONTEXT_WORKFLOW_ID];
    const record: StatusRecord = await stack.client.waitForOutcome(workflowId);
    // The SMS did arrive (its receipt says so); the user did not sign in with it.
    expect(record.status).toBe('DELIVERED');
    expect(record.attempts).toHaveLength(1);
    expect(record.attempts[0]).toMatchObject({ messageId: message.messageId, feedback: 'FAILED' });
    await expect(feedbackRecorded(message.messageId!)).resolves.toBe('FAILED');
    expect(harness.lines.filter((l) => 'event' in l && JSON.stringify(l).includes(code))).toEqual([]);
  }, 120_000);

  it('answers bad requests with 4xx naming what is wrong', async () => {
    const post = async (route: string, body: string, type = 'application/json') => {
      const res = await fetch(`${url}${route}`, { method: 'POST', headers: { 'content-type': type }, body });
      return { status: res.status, body: (await res.json()) as { error: string } };
    };
    await expect(post('/api/sign-in/start', '{"phone":"12345"}')).resolves.toEqual({
      status: 400,
      body: { error: expect.stringMatching(/destination: must be an E\.164 number/) },
    });
    await expect(post('/api/sign-in/start', '{}')).resolves.toEqual({
      status: 400,
      body: { error: 'phone: required' },
    });
    await expect(post('/api/sign-in/start', 'not json')).resolves.toMatchObject({ status: 400 });
    await expect(post('/api/sign-in/start', '{}', 'text/plain')).resolves.toMatchObject({ status: 415 });
    await expect(post('/api/sign-in/verify', '{"attemptId":"nope","code":"123456"}')).resolves.toEqual({
      status: 400,
      body: { error: 'no code is waiting: request a new one' },
    });
  });
});
