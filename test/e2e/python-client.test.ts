/**
 * Any Temporal client can send: the Python Temporal SDK (temporalio, in .tools/venv) runs examples/python/send_otp.py
 * against the local stack (Temporal dev server, simulator, ingester, worker, codec server; payloads encrypted). It
 * starts deliverMessage with the request alone, reads the status query, signals feedback RECEIVED and reads the
 * result through the codec server; the message ends CONFIRMED and the typed client reads the same record.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseEnvFile } from '../../src/codec/secrets';
import type { StatusRecord } from '../../src/domain/status';
import { requireBuiltLib } from '../helpers/build-lib';
import { startStack, type Stack } from './stack';

const REPO = path.join(__dirname, '..', '..');
const PYTHON = path.join(REPO, '.tools', 'venv', 'bin', 'python');
const SCRIPT = path.join(REPO, 'examples', 'python', 'send_otp.py');

let stack: Stack;

beforeAll(async () => {
  requireBuiltLib();
  stack = await startStack(path.join(__dirname, 'config.yaml'));
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

it('starts, queries and signals deliverMessage from Python with the request alone; the message ends CONFIRMED', async () => {
  const keys = parseEnvFile(fs.readFileSync(stack.info.keysFile!, 'utf8'));
  const key = `python-${randomUUID()}`;
  const { stdout } = await promisify(execFile)(PYTHON, [SCRIPT], {
    timeout: 90_000,
    env: {
      PATH: process.env.PATH,
      RSMS_TEMPORAL_ADDRESS: stack.info.temporalAddress,
      RSMS_NAMESPACE: stack.info.namespace,
      RSMS_TASK_QUEUE: stack.info.taskQueue,
      RSMS_CODEC_URL: stack.info.codecServerUrl,
      RSMS_CODEC_TOKEN: keys.RSMS_LOCAL_CODEC_TOKEN,
      RSMS_DESTINATION: '+14255550123',
      RSMS_BODY: 'Your code is 313131',
      RSMS_USE_CASE: 'confirm',
      RSMS_KEY: key,
    },
  });
  const lines = stdout.trim().split('\n');
  const record = JSON.parse(lines.at(-1)!) as StatusRecord;
  expect(lines.length).toBeGreaterThanOrEqual(2); // at least one status query, then the result
  expect(record).toMatchObject({ status: 'CONFIRMED', idempotencyKey: key, useCase: 'confirm', country: 'US' });
  expect(record.destination).toBe('+1425*****23');
  // Feedback may come before or after the receipt (the attempt is then superseded or delivered): either way it was
  // recorded with PutMessageFeedback for the attempt that sent.
  expect(record.attempts[0]).toMatchObject({ channel: 'sms', feedback: 'RECEIVED' });
  // The same message as the typed client sees it.
  expect((await stack.client.getStatus(key)).status).toBe('CONFIRMED');
  // The workflow's input is stored encrypted: the server holds no readable number.
  const history = await stack.temporal.workflow.getHandle(`sms:${key}`).fetchHistory();
  const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  expect(Buffer.from(input!.metadata!.encoding).toString()).toBe('binary/encrypted');
}, 150_000);
