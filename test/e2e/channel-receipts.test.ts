/**
 * WhatsApp receipts end to end on the local stack (`resilient-sms dev`: Temporal, moto, the simulator, worker,
 * ingester): the simulator publishes Meta's statuses to the DLR topic, the ingester signals them, and the workflow
 * settles the WhatsApp attempt on `delivered` — or, for a recipient not on WhatsApp (`failed`, Meta error 131026),
 * moves the ladder on to email. (SES v2 runs on moto, which publishes no events: email succeeds on acceptance here.)
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { StatusRecord } from '../../src/domain/status';
import { requireBuiltLib } from '../helpers/build-lib';
import { startStack, type Stack } from './stack';

let stack: Stack;

beforeAll(async () => {
  requireBuiltLib();
  stack = await startStack(path.join(__dirname, 'config.yaml'));
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

afterEach(async () => {
  await stack.sim('DELETE', '/_sim/faults');
});

async function sendAndWait(destination: string): Promise<StatusRecord> {
  const key = `wa-${randomUUID()}`;
  await stack.client.sendMessage({
    destination,
    body: 'Your code is 424242',
    useCase: 'wa',
    idempotencyKey: key,
    contacts: { whatsapp: '+14255550171', email: 'user@example.com' },
  });
  const until = Date.now() + 60_000;
  let last: StatusRecord | undefined;
  while (Date.now() < until) {
    last = await stack.client.getStatus(key);
    if (last.status !== 'IN_PROGRESS') return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for the message to end: ${JSON.stringify(last, null, 1)}`);
}

it('a WhatsApp attempt is delivered by Meta’s delivered status, not by acceptance', async () => {
  const s = await sendAndWait('+14255550161');
  expect(s.status).toBe('DELIVERED');
  expect(s.attempts.map((a) => `${a.channel}:${a.state}:${a.outcome}`)).toEqual(['whatsapp:delivered:DELIVERED']);
  expect(s.attempts[0].events.map((e) => e.type)).toContain('WHATSAPP_DELIVERED');
});

it('a recipient not on WhatsApp (failed 131026) moves the ladder to email', async () => {
  await stack.sim('POST', '/_sim/faults', {
    match: { operation: 'SendWhatsAppMessage' },
    effect: { api: 'opted-out' },
  });
  const s = await sendAndWait('+14255550162');
  expect(s.status).toBe('DELIVERED');
  expect(s.attempts.map((a) => `${a.channel}:${a.state}:${a.outcome}`)).toEqual([
    'whatsapp:failed:WHATSAPP_FAILED',
    'email:delivered:ACCEPTED',
  ]);
  expect(s.attempts[0].failure).toMatchObject({ scope: 'channel', reason: 'WHATSAPP_FAILED_131026' });
});
