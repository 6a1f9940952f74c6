/**
 * The SMS pumping guard end to end over real processes (`resilient-sms dev`: Temporal dev server, SQS/SNS emulator,
 * carrier simulator, worker, ingester) with test/e2e/config.yaml plus a `pumping` section (written to a temporary
 * file): a fourth one-time password to one premium prefix within a minute is stopped before any send by the velocity
 * limit; a message of another use case to that prefix that meets the primary account's spend limit stops instead of
 * moving to the secondary account (while one to another prefix still moves); the three codes nobody confirmed get
 * the prefix blocked by the conversion watch, which an operator then unblocks.
 */
import { randomUUID } from 'node:crypto';
import type { StatusRecord } from '../../src/domain/status';
import { PumpingOperators } from '../../src/pumping/operators';
import { requireBuiltLib } from '../helpers/build-lib';
import { until } from '../helpers/until';
import { startStackWith, type Stack } from './stack';

let stack: Stack;
const PREFIX = '+1900234';

beforeAll(async () => {
  requireBuiltLib();
  stack = await startStackWith((base) => {
    (base.policies as Record<string, unknown>).alert = {
      success: 'dlr',
      stepWait: '4s',
      deadline: '2m',
      allowedCountries: ['US'],
      channels: ['sms'],
    };
    base.pumping = {
      enabled: true,
      prefixLength: 7,
      velocity: { e2e: [{ scope: 'prefix', limit: 3, window: '60s' }] },
      conversion: {
        useCases: ['e2e'],
        threshold: 0.5,
        minVolume: 3,
        window: '5m',
        feedbackWait: '3s',
        blockFor: '10m',
      },
      flushInterval: '250ms',
      refreshInterval: '250ms',
    };
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

async function send(useCase: string, destination: string): Promise<string> {
  const key = `pumping-${randomUUID()}`;
  await stack.client.sendMessage({ destination, body: 'Your code is 123456', useCase, idempotencyKey: key });
  return key;
}

const ended = (r: StatusRecord) => r.status !== 'IN_PROGRESS';
const settled = (key: string) => until(() => stack.client.getStatus(key), ended, `${key} to end`);
const sendsTo = async (destination: string) =>
  (
    await stack.sim<{ messages: { account?: string }[] }>(
      'GET',
      `/_sim/messages?destination=${encodeURIComponent(destination)}`,
    )
  ).messages;
const operators = () => new PumpingOperators({ client: stack.temporal, config: stack.config });

it('stops the fourth code to one prefix within a minute before any send, with the reason', async () => {
  const numbers = [1, 2, 3, 4].map((i) => `${PREFIX}000${i}`);
  const first = [];
  for (const n of numbers.slice(0, 3)) first.push(await send('e2e', n));
  for (const key of first) {
    const r = await until(
      () => stack.client.getStatus(key),
      (s) => s.attempts.length > 0,
      `${key} sent`,
    );
    expect(r.attempts[0].account).toBe('primary');
  }
  const fourth = await settled(await send('e2e', numbers[3]));
  expect(fourth.status).toBe('STOPPED');
  expect(fourth.reason).toBe(`VELOCITY_LIMIT: prefix ${PREFIX} over 3 per 60s for e2e`);
  expect(fourth.attempts).toEqual([]);
  expect(await sendsTo(numbers[3])).toEqual([]);
}, 90_000);

it('a spend limit while the prefix is tripped stops instead of moving to the secondary account', async () => {
  const fault = await stack.sim<{ id: string }>('POST', '/_sim/faults', {
    match: { account: 'primary', region: 'us-east-1' },
    effect: { api: 'spend-limit' },
  });
  try {
    const pumpedKey = await send('alert', `${PREFIX}0005`);
    const normalKey = await send('alert', '+12065550142');
    const pumped = await settled(pumpedKey);
    expect(pumped.status).toBe('STOPPED');
    expect(pumped.reason).toMatch(/^PUMPING_SPEND_LIMIT: MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT while the pumping guard/);
    expect(pumped.attempts.map((a) => a.account)).toEqual(['primary']);
    expect((await sendsTo(`${PREFIX}0005`)).map((s) => s.account)).toEqual(['primary']);
    // Another prefix is no pumping symptom: its spend limit moves on to the secondary account as before.
    const normal = await until(
      () => stack.client.getStatus(normalKey),
      (r) => r.attempts.some((a) => a.account === 'secondary'),
      'a normal message on the secondary account',
    );
    expect(normal.attempts[0].account).toBe('primary');
  } finally {
    await stack.sim('DELETE', `/_sim/faults/${fault.id}`);
  }
}, 90_000);

it('blocks the prefix whose codes nobody confirmed, shows it, stops the next code, and unblocks on request', async () => {
  const answer = await until(
    () => operators().list(),
    (a) => a.view?.blocks.some((b) => b.key === `prefix:${PREFIX}`) === true,
    'the conversion block',
  );
  const row = answer.view!.keys.find((k) => k.key === `prefix:${PREFIX}`)!;
  expect(row).toMatchObject({ state: 'blocked', sends: 3, received: 0 });
  expect(row.why).toBe(`conversion 0% (0 RECEIVED of 3 sends) below 50% for prefix ${PREFIX}`);
  // The worker checks against its own snapshot of the guard, refreshed every 250 ms: until it has the block, the
  // prefix's velocity limit stops the code instead. Either way nothing is sent; once it has it, the block stops it.
  let blocked: Awaited<ReturnType<typeof settled>>;
  for (let n = 6; ; n++) {
    blocked = await settled(await send('e2e', `${PREFIX}${String(n).padStart(4, '0')}`));
    expect(blocked.status).toBe('STOPPED');
    expect(blocked.attempts).toEqual([]);
    if (!blocked.reason?.startsWith('VELOCITY_LIMIT') || n >= 20) break;
  }
  expect(blocked.reason).toMatch(new RegExp(`^PUMPING_BLOCKED: prefix \\${PREFIX} blocked until `));

  const { unblocked } = await operators().unblock(PREFIX, 'e2e-test');
  expect(unblocked.key).toBe(`prefix:${PREFIX}`);
  const after = await operators().list();
  expect(after.view?.blocks).toEqual([]);
  await expect(operators().unblock(PREFIX, 'e2e-test')).rejects.toThrow(
    `nothing to unblock: prefix:${PREFIX} is not blocked`,
  );
}, 90_000);
