/**
 * Opt-outs follow the number, end to end over real processes (`resilient-sms dev`: Temporal dev server, SQS/SNS
 * emulator, carrier simulator, worker, ingester) with test/e2e/config.yaml plus an `optOuts` section (written to a
 * temporary file): while us-east-1 is down (a simulator fault on the whole Region, its opt-out list operations
 * included), a person replies STOP to the us-east-1 number; the inbound message goes through the two-way SNS topic
 * and queue to the ingester, whose signal starts propagation, which puts the number on the us-west-2 list (us-east-1's
 * lists keep being retried). A message to that number is then sent nothing by SMS or voice in any Region and ends on
 * the channel allowed after an opt-out (email).
 */
import { randomUUID } from 'node:crypto';
import type { StatusRecord } from '../../src/domain/status';
import { optOutStatusQuery, optOutWorkflowId, type OptOutStatus } from '../../src/workflows/opt-out-definitions';
import { requireBuiltLib } from '../helpers/build-lib';
import { until } from '../helpers/until';
import { startStackWith, type Stack } from './stack';

let stack: Stack;

const inboundEntry = (account: string, region: string, name: string) => ({
  account,
  region,
  endpoint: 'http://127.0.0.1:4566',
  queueUrl: `http://127.0.0.1:4566/123456789012/rsms-inbound-${name}`,
  topicArn: `arn:aws:sns:${region}:123456789012:rsms-inbound-${name}`,
});

beforeAll(async () => {
  requireBuiltLib();
  stack = await startStackWith((base) => {
    base.optOuts = {
      inbound: [
        inboundEntry('primary', 'us-east-1', 'primary-use1'),
        inboundEntry('secondary', 'us-east-1', 'secondary-use1'),
        inboundEntry('primary', 'us-west-2', 'primary-usw2'),
      ],
    };
    // Email from us-west-2: the fault below takes down the whole of us-east-1 in the simulator, SES included (the
    // local stack mails through it), and the message must still reach the person on the channel allowed after an
    // opt-out.
    const channels = base.channels as { email: { region: string } };
    channels.email.region = 'us-west-2';
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

interface SimMessage {
  operation: string;
  account: string;
  region: string;
  originator: string;
  outcome: string;
}

it('a STOP in us-east-1 during its outage: nothing by SMS or voice in any Region, the message ends on email', async () => {
  const number = '+14255550188';
  await stack.sim('POST', '/_sim/faults', { match: { region: 'us-east-1' }, effect: { api: 'internal-error' } });
  try {
    const stop = await stack.sim<{ action: string; published: boolean }>('POST', '/_sim/inbound', {
      from: number,
      to: '+12065550100',
      account: 'primary',
      region: 'us-east-1',
      body: 'STOP',
    });
    expect(stop).toMatchObject({ action: 'opt-out', published: true });
    const propagation = await until<OptOutStatus>(
      () => stack.temporal.workflow.getHandle(optOutWorkflowId(number)).query(optOutStatusQuery),
      (s) => s.targets.some((t) => t.region === 'us-west-2' && t.state === 'done'),
      'the opt-out to reach us-west-2',
    );
    expect(propagation.latest).toMatchObject({ kind: 'opt-out', source: 'inbound-keyword' });

    const key = `e2e-opt-out-${randomUUID()}`;
    await stack.client.sendMessage({
      destination: number,
      body: 'Your code is 424242',
      useCase: 'e2e',
      idempotencyKey: key,
      contacts: { email: 'user@example.com' },
    });
    const s = await until<StatusRecord>(
      () => stack.client.getStatus(key),
      (r) => r.status !== 'IN_PROGRESS',
      'the message to end',
    );
    expect(s.status).toBe('DELIVERED');
    const last = s.attempts.at(-1)!;
    expect(`${last.channel}:${last.state}`).toBe('email:delivered');
    // The refusal that stopped every SMS and voice rung: us-west-2's list, asked before the first send there.
    const refusal = s.attempts.find((a) => a.outcome === 'DESTINATION_PHONE_NUMBER_OPTED_OUT');
    expect(refusal).toMatchObject({ region: 'us-west-2', state: 'send-failed' });
    expect(refusal?.failure?.message).toMatch(/on opt-out list Default of primary\/us-west-2/);
    expect(s.attempts.filter((a) => a.attempt > refusal!.attempt && a.channel !== 'email')).toEqual([]);
    // Nothing by SMS or voice was accepted for this number, in any Region or account.
    const { messages } = await stack.sim<{ messages: SimMessage[] }>(
      'GET',
      `/_sim/messages?destination=${encodeURIComponent(number)}`,
    );
    const numberSends = messages.filter((m) => m.operation === 'SendTextMessage' || m.operation === 'SendVoiceMessage');
    expect(numberSends.filter((m) => m.outcome !== 'rejected')).toEqual([]);
    expect(numberSends.every((m) => m.region === 'us-east-1')).toBe(true);
  } finally {
    await stack.sim('DELETE', '/_sim/faults');
  }
  // With us-east-1 back, propagation finishes there too (retried, never given up).
  await until<OptOutStatus>(
    () => stack.temporal.workflow.getHandle(optOutWorkflowId(number)).query(optOutStatusQuery),
    (st) => st.targets.every((t) => t.state === 'done'),
    'the opt-out on every list',
    120_000,
  );
}, 300_000);
