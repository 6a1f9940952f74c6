/**
 * The Temporal Web UI, as an operator uses it at 3 a.m.: the local stack (`resilient-sms dev`, with its UI)
 * delivers a message that failed over to another Region during a simulated us-east-1 outage; headless
 * Chromium (Debian's `chromium`, driven by playwright-core) filters the workflow list by a custom search
 * attribute, opens the message, and finds the rung it climbed to in the activity summaries, the static
 * details and the search attributes; the list shows the Sms* search attributes as columns once the browser has the
 * column list docs/runbook.md gives. A screenshot goes to test-results/ (git-ignored).
 *
 * Needs /usr/bin/chromium (scripts/ensure-tools.sh installs it where it may) or CHROMIUM_PATH; skipped, with
 * a message, when neither exists.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { StatusRecord } from '../../src/domain/status';
import { requireBuiltLib } from '../helpers/build-lib';
import { startStack, type Stack } from '../e2e/stack';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
const RESULTS = path.join(__dirname, '..', '..', 'test-results');
/** The page's Web Storage, as far as the saved view uses it. */
interface Storage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The UI renders client-side after several API calls: wait generously for text to appear. */
const UI_WAIT_MS = 30_000;

let stack: Stack;
let browser: Browser;

const describeIfChromium = haveChromium ? describe : describe.skip;
if (!haveChromium) {
  console.warn(
    `[browser] ${CHROMIUM} not found: skipping the Web UI test (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
}

describeIfChromium('Temporal Web UI', () => {
  beforeAll(async () => {
    const t0 = Date.now();
    requireBuiltLib();
    console.log(`[browser] build ${Date.now() - t0} ms`);
    [stack, browser] = await Promise.all([
      startStack(path.join(__dirname, '..', 'e2e', 'config.yaml'), { ui: true }),
      chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      }),
    ]);
    console.log(`[browser] stack and browser up after ${Date.now() - t0} ms`);
  }, 180_000);

  afterAll(async () => {
    const t0 = Date.now();
    await browser?.close();
    await stack?.stop();
    console.log(`[browser] stopped in ${Date.now() - t0} ms`);
  });

  async function openUntil(page: Page, url: string, text: string | RegExp): Promise<void> {
    // Visibility is eventually consistent: reload the list until the row shows up.
    const until = Date.now() + UI_WAIT_MS;
    for (;;) {
      await page.goto(url, { waitUntil: 'domcontentloaded' });
      try {
        await page.getByText(text).first().waitFor({ timeout: 8_000 });
        return;
      } catch (err) {
        if (Date.now() > until) throw err;
      }
    }
  }

  /** Waits until the text of the page or of one of its frames matches. */
  async function textInAnyFrame(page: Page, re: RegExp): Promise<void> {
    const until = Date.now() + UI_WAIT_MS;
    for (;;) {
      for (const frame of page.frames()) {
        const text = await frame
          .locator('body')
          .innerText({ timeout: 1_000 })
          .catch(() => '');
        if (re.test(text.replace(/\s+/g, ' '))) return;
      }
      if (Date.now() > until) throw new Error(`no frame of ${page.url()} shows ${re}`);
      await page.waitForTimeout(250);
    }
  }

  it('filters by SmsLevel, opens the message that failed over, and shows its rung', async () => {
    const info = stack.readInfo();
    expect(info.uiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // A us-east-1 outage: the send is ambiguous, no receipt comes, the message moves to us-west-2.
    await stack.sim('POST', '/_sim/faults', { match: { region: 'us-east-1' }, effect: { api: 'internal-error' } });
    const key = `ui-${randomUUID()}`;
    const sent = await stack.client.sendMessage({
      destination: '+14255550123',
      body: 'Your code is 424242',
      useCase: 'e2e',
      idempotencyKey: key,
    });
    const result = (await stack.temporal.workflow.getHandle(sent.workflowId).result()) as StatusRecord;
    await stack.sim('DELETE', '/_sim/faults');
    expect(result.status).toBe('DELIVERED');
    expect(result.attempts.map((a) => `${a.level} ${a.account}/${a.region}`)).toEqual([
      'initial primary/us-east-1',
      'region primary/us-west-2',
    ]);

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(UI_WAIT_MS);
    try {
      await checkUi(page, info.uiUrl!, info.namespace, sent.workflowId);
    } catch (err) {
      fs.mkdirSync(RESULTS, { recursive: true });
      await page.screenshot({ path: path.join(RESULTS, 'ui-failure.png'), fullPage: true }).catch(() => undefined);
      throw err;
    } finally {
      await page.close();
    }
  }, 120_000);

  async function checkUi(page: Page, uiUrl: string, namespace: string, workflowId: string): Promise<void> {
    // 1. The workflow list, filtered by a custom search attribute.
    const query = `SmsLevel="region" AND WorkflowId="${workflowId}"`;
    await openUntil(page, `${uiUrl}/namespaces/${namespace}/workflows?query=${encodeURIComponent(query)}`, workflowId);
    await expect(page.getByText('SmsLevel = "region"').first().isVisible()).resolves.toBe(true);

    // 1b. The saved view's columns, set as docs/runbook.md ("A saved view with the Sms* columns") says: the Sms*
    // search attributes become columns of the list, with the message's values.
    await page.evaluate((ns) => {
      // Runs in the page: the browser's localStorage (the tests are compiled without the DOM types).
      const localStorage = (globalThis as unknown as { localStorage: Storage }).localStorage;
      localStorage.setItem(
        'namespace-workflow-table-columns',
        JSON.stringify({
          ...(JSON.parse(localStorage.getItem('namespace-workflow-table-columns') ?? '{}') as object),
          [ns]: [
            'Status',
            'Workflow ID',
            'SmsStatus',
            'SmsLevel',
            'SmsRoute',
            'SmsAttempts',
            'SmsCountry',
            'SmsUseCase',
            'Start',
            'End',
          ].map((label) => ({ label })),
        }),
      );
    }, namespace);
    await openUntil(page, `${uiUrl}/namespaces/${namespace}/workflows?query=${encodeURIComponent(query)}`, workflowId);
    await page.locator('th', { hasText: 'SmsRoute' }).first().waitFor();
    const row = page.locator('tr', { hasText: workflowId }).first();
    await expect(row.innerText()).resolves.toMatch(
      /DELIVERED[\s\S]*region[\s\S]*primary\/us-west-2[\s\S]*US[\s\S]*e2e/,
    );

    // 2. Open the message: the timeline's activity summaries show each rung.
    await page
      .locator(`a[href*="/workflows/${encodeURIComponent(workflowId)}/"]`)
      .first()
      .click();
    await page
      .getByText(/attempt 2 · region · sms primary\/us-west-2/)
      .first()
      .waitFor();
    await expect(
      page
        .getByText(/attempt 1 · initial · sms primary\/us-east-1/)
        .first()
        .isVisible(),
    ).resolves.toBe(true);
    fs.mkdirSync(RESULTS, { recursive: true });
    const timelineShot = path.join(RESULTS, 'ui-failover-timeline.png');
    await page.screenshot({ path: timelineShot, fullPage: true });

    // 3. User metadata: the current details the workflow sets once the worker resolved its plan: the progress line,
    // then the plan's summary and rungs.
    await page.getByText('User Metadata', { exact: true }).click();
    // The UI renders the details (markdown) in sandboxed iframes: look in every frame.
    await textInAnyFrame(page, /e2e to US: success on/);
    await textInAnyFrame(page, /sms · region · primary\/us-west-2/);
    await textInAnyFrame(page, /DELIVERED: delivered by attempt 2/);
    const shot = path.join(RESULTS, 'ui-failover.png');
    await page.screenshot({ path: shot, fullPage: true });

    // 4. The search attributes an operator filters on.
    await page.getByText('Search Attributes', { exact: true }).click();
    await page.getByText('SmsRoute').first().waitFor();
    const body = await page.locator('main').innerText();
    expect(body).toContain('SmsLevel');
    expect(body).toContain('primary/us-west-2');

    for (const file of [shot, timelineShot]) {
      const png = fs.readFileSync(file);
      expect(png.length).toBeGreaterThan(10_000);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
    }
  }
});
