/**
 * WhatsApp and email receipts end to end on the local stack (`resilient-sms dev`: Temporal, moto, the simulator,
 * worker, ingester): the simulator publishes Meta's statuses and SES's configuration-set events to the DLR topic of
 * the channel's account × Region, the ingester signals them, and the workflow settles the attempt on WhatsApp's
 * `delivered` / SES's Delivery — or, for a recipient not on WhatsApp (`failed`, Meta error 131026) or an email that
 * bounces, moves the ladder on to the next channel, and ends the message FAILED when none is left.
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

async function sendAndWait(destination: string, useCase = 'wa'): Promise<StatusRecord> {
  const key = `${useCase}-${randomUUID()}`;
  await stack.client.sendMessage({
    destination,
    body: 'Your code is 424242',
    useCase,
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
  // Meta's `delivered` and `read` both settle it; a standard SQS queue does not keep their order, so the outcome is
  // whichever the workflow saw first. Acceptance (`sent`) alone never does.
  expect(s.attempts.map((a) => `${a.channel}:${a.state}`)).toEqual(['whatsapp:delivered']);
  expect(['DELIVERED', 'READ']).toContain(s.attempts[0].outcome);
  expect(s.attempts[0].events.map((e) => e.type)).toEqual(
    expect.arrayContaining([expect.stringMatching(/^WHATSAPP_(DELIVERED|READ)$/)]),
  );
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
    'email:delivered:DELIVERED',
  ]);
  expect(s.attempts[0].failure).toMatchObject({ scope: 'channel', reason: 'WHATSAPP_FAILED_131026' });
  expect(s.attempts[1].events.map((e) => e.type)).toContain('EMAIL_DELIVERY');
});

const SEND_EMAIL = 'SendEmail';

it('an email is delivered by its SES Delivery event, not by acceptance', async () => {
  const s = await sendAndWait('+14255550163', 'mail');
  expect(s.status).toBe('DELIVERED');
  expect(s.attempts.map((a) => `${a.channel}:${a.state}:${a.outcome}`)).toEqual(['email:delivered:DELIVERED']);
  expect(s.attempts[0].events.map((e) => e.type)).toContain('EMAIL_DELIVERY');
});

it('an email Bounce (on the suppression list) moves the ladder on to WhatsApp', async () => {
  await stack.sim('POST', '/_sim/faults', { match: { operation: SEND_EMAIL }, effect: { api: 'opted-out' } });
  const s = await sendAndWait('+14255550164', 'mail');
  expect(s.status).toBe('DELIVERED');
  expect(s.attempts.map((a) => `${a.channel}:${a.state}`)).toEqual(['email:failed', 'whatsapp:delivered']);
  expect(s.attempts[0].failure).toMatchObject({ scope: 'channel', reason: 'EMAIL_BOUNCE_PERMANENT' });
  expect(s.attempts[0].events.map((e) => e.type)).toContain('EMAIL_BOUNCE');
});

it('an email Bounce on the last channel ends the message FAILED', async () => {
  await stack.sim('POST', '/_sim/faults', {
    match: { operation: 'SendWhatsAppMessage' },
    effect: { api: 'opted-out' },
  });
  await stack.sim('POST', '/_sim/faults', { match: { operation: SEND_EMAIL }, effect: { api: 'country-blocked' } });
  const s = await sendAndWait('+14255550165');
  expect(s.status).toBe('FAILED');
  expect(s.attempts.map((a) => `${a.channel}:${a.state}`)).toEqual(['whatsapp:failed', 'email:failed']);
  expect(s.attempts[1].failure).toMatchObject({ scope: 'channel', reason: 'EMAIL_BOUNCE_PERMANENT' });
});
