/** startDevServer (used by the local stack launcher): a real CLI process with persistence, UI and search attributes. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { startDevServer } from '../../src/tools/temporal-cli';

describe('startDevServer', () => {
  let tmp: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'start-dev-server-'));
  });

  afterEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('starts with a SQLite file, the Web UI and search attributes, and stops cleanly', async () => {
    const dbFile = path.join(tmp, 'data', 'temporal.db');
    const logFile = path.join(tmp, 'temporal.log');
    const started = Date.now();
    const server = await startDevServer({
      dbFile,
      log: logFile,
      namespace: 'sms-test',
      searchAttributes: { SmsStatus: 'Keyword', SmsAttempts: 'Int' },
    });
    const startMs = Date.now() - started;
    try {
      expect(server.address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(startMs).toBeLessThan(30_000);
      const connection = await Connection.connect({ address: server.address });
      try {
        const ns = await connection.workflowService.describeNamespace({ namespace: 'sms-test' });
        expect(ns.namespaceInfo?.name).toBe('sms-test');
        const attrs = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
        expect(attrs.customAttributes).toMatchObject({ SmsStatus: expect.anything(), SmsAttempts: expect.anything() });
      } finally {
        await connection.close();
      }
      expect(server.uiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const ui = await fetch(server.uiUrl!);
      expect(ui.status).toBe(200);
      expect(fs.existsSync(dbFile)).toBe(true);
    } finally {
      await server.stop();
    }
    expect(server.process.exitCode !== null || server.process.signalCode !== null).toBe(true);
    await server.stop(); // idempotent
  });

  it('rejects with the server output when the executable exits early', async () => {
    const fake = path.join(tmp, 'temporal');
    fs.writeFileSync(fake, '#!/bin/sh\necho "boom: bad flag" >&2\nexit 3\n');
    fs.chmodSync(fake, 0o755);
    await expect(startDevServer({ executable: fake, headless: true, log: 'ignore' })).rejects.toThrow(
      /exited early \(code 3.*boom: bad flag/s,
    );
  });

  it('rejects with a timeout error when the server never becomes ready', async () => {
    const fake = path.join(tmp, 'temporal');
    fs.writeFileSync(fake, '#!/bin/sh\nexec sleep 30\n');
    fs.chmodSync(fake, 0o755);
    await expect(
      startDevServer({ executable: fake, headless: true, log: 'ignore', startTimeoutMs: 500 }),
    ).rejects.toThrow(/not ready after 500 ms: temporal dev server/);
  });
});
