/**
 * The simulator's MPS through the real SMS v2 SDK client (in process): a send over the originator's MPS comes back
 * as the SDK's ThrottlingException (client fault, retryable as throttling), is logged as rejected, and the sends
 * within it are accepted.
 */
import { SendTextMessageCommand, ThrottlingException } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { configSchema } from '../../src/domain/config';
import type { MessageRecord } from '../../src/simulator/message-log';
import { startSimulator, type Simulator } from '../../src/simulator/server';
import { admin, destroyClients, KEYS, smsClient } from './harness';

let sim: Simulator;

beforeAll(async () => {
  const config = configSchema.parse({
    accounts: { primary: { credentials: { type: 'static', ...KEYS.primary } } },
    routes: [{ id: 'r', account: 'primary', region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }],
    // 2 MPS: a burst of 5 within a few milliseconds gets 2 through (the test runs far faster than the refill).
    originators: { US: [{ route: 'r', identity: 'tf-1', type: 'toll-free', mps: 2 }] },
    policies: { otp: {} },
    pacing: { enabled: true },
  });
  sim = await startSimulator({ config, deliveryDelayMs: 10_000, eventTypes: 'final', log: () => undefined });
});
afterAll(async () => {
  destroyClients();
  await sim.stop();
});

it('answers a send over the MPS with the SDK’s ThrottlingException', async () => {
  const client = smsClient(sim.url, 'primary', 'us-east-1');
  const send = () =>
    client.send(
      new SendTextMessageCommand({
        DestinationPhoneNumber: '+14255550123',
        OriginationIdentity: 'tf-1',
        MessageBody: 'Your code is 123456',
      }),
    );
  const results = await Promise.allSettled([send(), send(), send(), send(), send()]);
  const rejected: unknown[] = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  expect(results.filter((r) => r.status === 'fulfilled').length).toBeLessThanOrEqual(3);
  expect(rejected.length).toBeGreaterThanOrEqual(2);
  for (const err of rejected) {
    expect(err).toBeInstanceOf(ThrottlingException);
    expect((err as ThrottlingException).$fault).toBe('client');
  }
  const log = (await admin<{ messages: MessageRecord[] }>(sim.url, 'GET', '/_sim/messages?originator=tf-1')).json;
  expect(log.messages.filter((m) => m.error?.type === 'ThrottlingException').length).toBe(rejected.length);
});
