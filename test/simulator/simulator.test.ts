/**
 * The carrier simulator end to end: the REAL SMS v2 SDK client (endpoint = simulator, maxAttempts 1) sends, the
 * simulator publishes delivery events to SNS topics on moto (the real SQS/SNS emulator), and the tests read them
 * from the subscribed SQS queues (raw and enveloped).
 */
import '../helpers/cross-realm-errors';
import {
  AccessDeniedException,
  ConflictException,
  DescribePhoneNumbersCommand,
  InternalServerException,
  PutMessageFeedbackCommand,
  ResourceNotFoundException,
  SendTextMessageCommand,
  SendVoiceMessageCommand,
  ServiceQuotaExceededException,
  ThrottlingException,
  ValidationException,
  type PinpointSMSVoiceV2Client,
  type SendTextMessageCommandInput,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { createSmsClient } from '../../src/aws/clients';
import type { Config } from '../../src/domain/config';
import { CONTEXT_ATTEMPT, CONTEXT_WORKFLOW_ID } from '../../src/domain/sending';
import type { Fault } from '../../src/simulator/faults';
import type { MessageRecord } from '../../src/simulator/message-log';
import { US_CARRIER_FEE_PER_PART } from '../../src/simulator/events';
import { startSimulator, type Simulator } from '../../src/simulator/server';
import type { Moto } from '../../src/tools/moto';
import type { ProvisionedQueue } from '../../src/tools/provision-emulator';
import {
  ACCOUNTS,
  admin,
  DlrReader,
  isRaw,
  REGIONS,
  rejection,
  smsClient,
  startPublishingStack,
  type AccountName,
} from './harness';

const DELAY_MS = 100;
const DEST = '+14255550156';
const BODY = 'Your verification code is 482913';

let moto: Moto;
let config: Config;
let queues: ProvisionedQueue[];
let sim: Simulator;
let reader: DlrReader;
let stop: (() => Promise<void>) | undefined;
/** What the simulator's `random` returns next (fault probabilities). */
let nextRandom = 0.5;
const logLines: Record<string, unknown>[] = [];

function queue(account: AccountName, region: string): ProvisionedQueue {
  const q = queues.find((x) => x.account === account && x.region === region);
  if (!q) throw new Error(`no queue for ${account}/${region}`);
  return q;
}

function text(overrides: Partial<SendTextMessageCommandInput> = {}): SendTextMessageCommand {
  return new SendTextMessageCommand({
    DestinationPhoneNumber: DEST,
    OriginationIdentity: 'pool-default',
    MessageBody: BODY,
    MessageType: 'TRANSACTIONAL',
    TimeToLive: 300,
    Context: { [CONTEXT_WORKFLOW_ID]: 'wf-default', [CONTEXT_ATTEMPT]: '1' },
    ...overrides,
  });
}

async function record(messageIdOrFilter: string | Record<string, string>): Promise<MessageRecord[]> {
  const params = new URLSearchParams(
    typeof messageIdOrFilter === 'string' ? { messageId: messageIdOrFilter } : messageIdOrFilter,
  );
  const res = await admin<{ messages: MessageRecord[] }>(sim.url, 'GET', `/_sim/messages?${params.toString()}`);
  expect(res.status).toBe(200);
  return res.json.messages;
}

async function addFault(body: unknown): Promise<Fault> {
  const res = await admin<Fault>(sim.url, 'POST', '/_sim/faults', body);
  expect(res.status).toBe(201);
  expect(typeof res.json.id).toBe('string');
  return res.json;
}

/** Waits until the record's scheduled events have all been published (or failed to). */
async function settledRecord(messageId: string, timeoutMs = 5_000): Promise<MessageRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [r] = await record(messageId);
    if (r && r.pendingEvents === 0 && r.events.length > 0) return r;
    if (Date.now() > deadline) throw new Error(`events of ${messageId} not settled: ${JSON.stringify(r)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

beforeAll(async () => {
  const stack = await startPublishingStack({
    deliveryDelayMs: DELAY_MS,
    // Every event, intermediate ones included (the default follows the ingester: final events only).
    eventTypes: 'all',
    random: () => nextRandom,
    log: (line) => logLines.push(line),
  });
  ({ moto, config, queues, sim, stop } = stack);
  reader = new DlrReader(moto.endpoint);
}, 60_000);

afterAll(async () => {
  reader?.destroy();
  await stop?.();
});

beforeEach(() => {
  sim.state.faults.clear();
  nextRandom = 0.5;
});

describe('default delivery', () => {
  it.each([
    ['enveloped', 'primary', 'us-east-1'],
    ['raw', 'primary', 'us-west-2'],
  ] as const)(
    'publishes TEXT_PENDING then TEXT_DELIVERED to the %s queue, with the Context',
    async (_, account, region) => {
      const sms = smsClient(sim.url, account, region);
      const context = { [CONTEXT_WORKFLOW_ID]: `wf-default-${region}`, [CONTEXT_ATTEMPT]: '2' };
      const before = Date.now();
      const out = await sms.send(text({ OriginationIdentity: 'pool-delivery', Context: context }));
      expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);

      const got = await reader.waitFor(queue(account, region), out.MessageId!, 2);
      expect(got.map((g) => g.enveloped)).toEqual([!isRaw(account, region), !isRaw(account, region)]);
      const [pending, delivered] = got.map((g) => g.event);
      expect(pending).toMatchObject({ eventType: 'TEXT_PENDING', messageStatus: 'PENDING', isFinal: false });
      expect(delivered).toMatchObject({ eventType: 'TEXT_DELIVERED', messageStatus: 'DELIVERED', isFinal: true });
      for (const e of [pending, delivered]) {
        expect(e).toMatchObject({
          eventVersion: '1.0',
          messageId: out.MessageId,
          originationPhoneNumber: 'pool-delivery',
          destinationPhoneNumber: DEST,
          isoCountryCode: 'US',
          messageType: 'TRANSACTIONAL',
          context,
          totalMessageParts: 1,
          // A US number: US carriers' fee per part.
          totalCarrierFee: US_CARRIER_FEE_PER_PART,
        });
        expect(e.messageRequestTimestamp).toBeGreaterThanOrEqual(before);
        expect(e.totalMessagePrice).toBeGreaterThan(0);
        expect(e.messageStatusDescription).toEqual(expect.any(String));
      }
      expect(got[0].json.messageEncoding).toBe('GSM');
      expect(delivered.eventTimestamp - delivered.messageRequestTimestamp!).toBeGreaterThanOrEqual(DELAY_MS - 5);

      const r = await settledRecord(out.MessageId!);
      expect(r).toMatchObject({
        operation: 'SendTextMessage',
        account,
        region,
        originator: 'pool-delivery',
        destination: DEST,
        bodyLength: BODY.length,
        outcome: 'accepted',
        context,
      });
      expect(r.events.map((e) => [e.eventType, e.isFinal, e.published])).toEqual([
        ['TEXT_PENDING', false, true],
        ['TEXT_DELIVERED', true, true],
      ]);
      // Bodies are never echoed or logged.
      expect(JSON.stringify(r)).not.toContain('482913');
      expect(JSON.stringify(logLines)).not.toContain('482913');
    },
  );

  it('counts parts and encoding like a carrier (UCS-2 for non-GSM text)', async () => {
    const sms = smsClient(sim.url, 'primary', 'us-east-1');
    const out = await sms.send(text({ OriginationIdentity: 'pool-parts', MessageBody: 'Код: 1234 ✓'.repeat(8) }));
    const [first] = await reader.waitFor(queue('primary', 'us-east-1'), out.MessageId!, 1);
    expect(first.json.messageEncoding).toBe('UCS2');
    expect(first.event.totalMessageParts).toBe(2);
  });
});

describe('Regions and accounts', () => {
  it('tells (account, Region) apart by access key and credential scope, and publishes to that topic only', async () => {
    const sent: { account: AccountName; region: string; messageId: string }[] = [];
    for (const account of ACCOUNTS) {
      for (const region of REGIONS) {
        const out = await smsClient(sim.url, account, region).send(
          text({
            OriginationIdentity: `pool-${account}-${region}`,
            Context: { [CONTEXT_WORKFLOW_ID]: `wf-${account}-${region}`, [CONTEXT_ATTEMPT]: '1' },
          }),
        );
        sent.push({ account, region, messageId: out.MessageId! });
      }
    }
    for (const s of sent) {
      const got = await reader.waitFor(queue(s.account, s.region), s.messageId, 2);
      expect(got.map((g) => g.event.context?.[CONTEXT_WORKFLOW_ID])).toEqual([
        `wf-${s.account}-${s.region}`,
        `wf-${s.account}-${s.region}`,
      ]);
    }
    // No queue saw another (account, Region)'s message.
    const ids = new Set(sent.map((s) => s.messageId));
    for (const s of sent) {
      const q = queue(s.account, s.region);
      await reader.poll(q, 0);
      const foreign = reader.seen(q).filter((id) => ids.has(id) && id !== s.messageId);
      expect(foreign).toEqual([]);
    }
    const filtered = await record({
      account: 'secondary',
      region: 'us-west-2',
      originator: 'pool-secondary-us-west-2',
    });
    expect(filtered.map((r) => r.messageId)).toEqual([
      sent.find((s) => s.account === 'secondary' && s.region === 'us-west-2')!.messageId,
    ]);
  });

  it('answers an unknown access key with UnrecognizedClientException and records the rejected send', async () => {
    const stranger = createSmsClient({
      region: 'us-east-1',
      endpoint: sim.url,
      credentials: { accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'x' },
    });
    try {
      const err = await rejection(stranger.send(text({ OriginationIdentity: 'pool-stranger' })));
      expect(err.name).toBe('UnrecognizedClientException');
      expect((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(400);
    } finally {
      stranger.destroy();
    }
    const [r] = await record({ originator: 'pool-stranger' });
    expect(r).toMatchObject({
      outcome: 'rejected',
      accessKeyId: 'AKIDSTRANGER',
      error: { type: 'UnrecognizedClientException' },
    });
    expect(r.account).toBeUndefined();
  });

  it('records events it cannot publish: no DLR topic for (account, Region), or an SNS error', async () => {
    const noEntry = await smsClient(sim.url, 'primary', 'eu-west-1').send(text({ OriginationIdentity: 'pool-eu' }));
    const r1 = await settledRecord(noEntry.MessageId!);
    expect(r1.events).toHaveLength(2);
    for (const e of r1.events) {
      expect(e.published).toBe(false);
      expect(e.error).toMatch(/no dlrQueues entry with a topicArn for account "primary" in eu-west-1/);
    }
    const snsError = await smsClient(sim.url, 'secondary', 'eu-west-1').send(text({ OriginationIdentity: 'pool-eu2' }));
    const r2 = await settledRecord(snsError.MessageId!);
    expect(r2.events.map((e) => e.published)).toEqual([false, false]);
    expect(r2.events[0].error).toMatch(/SNS Publish failed/);
    expect(r2.events[0].topicArn).toBe('arn:aws:sns:eu-west-1:123456789012:dlr-missing');
    // The simulator is still serving.
    expect((await admin(sim.url, 'GET', '/_sim/health')).status).toBe(200);
  });
});

describe('request validation', () => {
  const sms = () => smsClient(sim.url, 'primary', 'us-east-1');

  it.each([
    ['no MessageBody', 'MISSING_PARAMETER', 'MessageBody', { MessageBody: undefined }],
    ['no DestinationPhoneNumber', 'MISSING_PARAMETER', 'DestinationPhoneNumber', { DestinationPhoneNumber: undefined }],
    ['no OriginationIdentity', 'MISSING_PARAMETER', 'OriginationIdentity', { OriginationIdentity: undefined }],
    ['a 1601-character body', 'MAXIMUM_SIZE_EXCEEDED', 'MessageBody', { MessageBody: 'x'.repeat(1601) }],
    [
      'a destination that is no number',
      'CANNOT_PARSE',
      'DestinationPhoneNumber',
      { DestinationPhoneNumber: 'call-me' },
    ],
    ['a TimeToLive out of range', 'INVALID_PARAMETER', 'TimeToLive', { TimeToLive: 3 }],
    [
      '6 Context entries',
      'MAXIMUM_SIZE_EXCEEDED',
      'Context',
      { Context: { a: '1', b: '2', c: '3', d: '4', e: '5', f: '6' } },
    ],
  ] as const)('rejects %s with ValidationException %s naming %s', async (_, reason, field, overrides) => {
    const err = await rejection(sms().send(text({ OriginationIdentity: 'pool-validation', ...overrides })));
    expect(err).toBeInstanceOf(ValidationException);
    expect((err as unknown as ValidationException).Reason).toBe(reason);
    expect((err as unknown as ValidationException).Fields?.[0]?.Name).toBe(field);
  });

  it('accepts exactly 1600 characters', async () => {
    const out = await sms().send(text({ OriginationIdentity: 'pool-1600', MessageBody: 'x'.repeat(1600) }));
    expect(out.MessageId).toEqual(expect.any(String));
  });
});

describe('API faults', () => {
  it.each([
    ['throttle', ThrottlingException, undefined, 400],
    ['internal-error', InternalServerException, undefined, 500],
    ['spend-limit', ServiceQuotaExceededException, 'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT', 400],
    ['account-disabled', AccessDeniedException, 'ACCOUNT_DISABLED', 400],
    ['opted-out', ConflictException, 'DESTINATION_PHONE_NUMBER_OPTED_OUT', 400],
    ['country-blocked', ValidationException, 'DESTINATION_COUNTRY_BLOCKED', 400],
  ] as const)('%s -> %p with Reason %s', async (effect, errorClass, reason, status) => {
    const originator = `pool-fault-${effect}`;
    const fault = await addFault({ match: { originator }, effect: { api: effect } });
    const err = await rejection(
      smsClient(sim.url, 'primary', 'us-east-1').send(text({ OriginationIdentity: originator })),
    );
    expect(err).toBeInstanceOf(errorClass);
    expect((err as { Reason?: string }).Reason).toBe(reason);
    expect((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(status);
    const [r] = await record({ originator });
    expect(r).toMatchObject({ outcome: 'rejected', faultId: fault.id, error: { type: errorClass.name } });
    expect(r.messageId).toBeUndefined();
    expect(r.pendingEvents).toBe(0);
    // Other originators are not affected.
    const ok = await smsClient(sim.url, 'primary', 'us-east-1').send(
      text({ OriginationIdentity: `${originator}-other` }),
    );
    expect(ok.MessageId).toEqual(expect.any(String));
  });

  it('timeout: never answers, and the message is not accepted', async () => {
    await addFault({ match: { originator: 'pool-hang' }, effect: { api: 'timeout' } });
    const impatient = smsClient(sim.url, 'primary', 'us-east-1', 500);
    const started = Date.now();
    const err = await rejection(impatient.send(text({ OriginationIdentity: 'pool-hang' })));
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(`${err.name} ${err.message} ${String(err.code)}`).toMatch(/timeout|ETIMEDOUT/i);
    const [r] = await record({ originator: 'pool-hang' });
    expect(r.outcome).toBe('timeout');
    expect(r.messageId).toBeUndefined();
    expect(r.events).toEqual([]);
  });

  it('ambiguous: the client sees a lost connection, yet the message was accepted and its DLRs arrive', async () => {
    await addFault({ match: { originator: 'pool-ambiguous' }, effect: { api: 'ambiguous' } });
    const context = { [CONTEXT_WORKFLOW_ID]: 'wf-ambiguous', [CONTEXT_ATTEMPT]: '4' };
    const err = await rejection(
      smsClient(sim.url, 'primary', 'us-east-1').send(
        text({ OriginationIdentity: 'pool-ambiguous', Context: context }),
      ),
    );
    expect(`${err.name} ${err.message} ${String(err.code)}`).toMatch(/socket hang up|ECONNRESET/i);
    const [r] = await record({ originator: 'pool-ambiguous' });
    expect(r.outcome).toBe('ambiguous');
    expect(r.messageId).toEqual(expect.any(String));
    const got = await reader.waitFor(queue('primary', 'us-east-1'), r.messageId!, 2);
    expect(got.map((g) => g.event.eventType)).toEqual(['TEXT_PENDING', 'TEXT_DELIVERED']);
    expect(got[1].event.context).toEqual(context);
  });

  it('applies to SendVoiceMessage too (spend limit for voice)', async () => {
    await addFault({ match: { originator: '+12065550100' }, effect: { api: 'spend-limit' } });
    const err = await rejection(
      smsClient(sim.url, 'primary', 'us-east-1').send(
        new SendVoiceMessageCommand({
          DestinationPhoneNumber: DEST,
          OriginationIdentity: '+12065550100',
          MessageBody: 'hi',
        }),
      ),
    );
    expect(err).toBeInstanceOf(ServiceQuotaExceededException);
    expect((err as { Reason?: string }).Reason).toBe('MONTHLY_SPEND_LIMIT_REACHED_FOR_VOICE');
  });
});

describe('DLR faults', () => {
  it('TEXT_BLOCKED: accepted, then a final TEXT_BLOCKED after delayMs', async () => {
    await addFault({ match: { originator: 'pool-blocked' }, effect: { dlr: 'TEXT_BLOCKED', delayMs: 400 } });
    const out = await smsClient(sim.url, 'secondary', 'us-east-1').send(text({ OriginationIdentity: 'pool-blocked' }));
    const got = await reader.waitFor(queue('secondary', 'us-east-1'), out.MessageId!, 2);
    expect(got.map((g) => [g.event.eventType, g.event.messageStatus, g.event.isFinal])).toEqual([
      ['TEXT_PENDING', 'PENDING', false],
      ['TEXT_BLOCKED', 'BLOCKED', true],
    ]);
    expect(got[1].event.eventTimestamp - got[1].event.messageRequestTimestamp!).toBeGreaterThanOrEqual(395);
  });

  it('TEXT_CARRIER_UNREACHABLE carries its status', async () => {
    await addFault({ match: { destinationPrefix: '+1206' }, effect: { dlr: 'TEXT_CARRIER_UNREACHABLE' } });
    const out = await smsClient(sim.url, 'primary', 'us-west-2').send(
      text({ OriginationIdentity: 'pool-unreachable', DestinationPhoneNumber: '+12065550199' }),
    );
    const got = await reader.waitFor(queue('primary', 'us-west-2'), out.MessageId!, 2);
    expect(got[1].event).toMatchObject({ eventType: 'TEXT_CARRIER_UNREACHABLE', messageStatus: 'CARRIER_UNREACHABLE' });
  });

  it('none: only TEXT_PENDING, never a final event', async () => {
    await addFault({ match: { originator: 'pool-silent' }, effect: { dlr: 'none' } });
    const out = await smsClient(sim.url, 'primary', 'us-east-1').send(text({ OriginationIdentity: 'pool-silent' }));
    const q = queue('primary', 'us-east-1');
    await reader.waitFor(q, out.MessageId!, 1);
    const got = await reader.settle(q, out.MessageId!, DELAY_MS * 8);
    expect(got.map((g) => g.event.eventType)).toEqual(['TEXT_PENDING']);
    const [r] = await record(out.MessageId!);
    expect(r.pendingEvents).toBe(0);
    expect(r.events.map((e) => e.eventType)).toEqual(['TEXT_PENDING']);
  });

  it('publishes final events only when the ingester consumes final events only (its default)', async () => {
    const finalOnly = await startSimulator({ config, deliveryDelayMs: DELAY_MS });
    try {
      const sms = smsClient(finalOnly.url, 'primary', 'us-east-1');
      const delivered = await sms.send(text({ OriginationIdentity: 'pool-delivery' }));
      await admin(finalOnly.url, 'POST', '/_sim/faults', {
        match: { originator: 'pool-silent' },
        effect: { dlr: 'none' },
      });
      const silent = await sms.send(text({ OriginationIdentity: 'pool-silent' }));
      const q = queue('primary', 'us-east-1');
      const got = await reader.settle(q, delivered.MessageId!, DELAY_MS * 8);
      expect(got.map((g) => g.event.eventType)).toEqual(['TEXT_DELIVERED']);
      expect(await reader.settle(q, silent.MessageId!, DELAY_MS * 2)).toEqual([]);
    } finally {
      await finalOnly.stop();
    }
  });

  it('a TEXT_* fault does not change voice calls', async () => {
    await addFault({ match: { originator: '+12065550111' }, effect: { dlr: 'TEXT_BLOCKED' } });
    const out = await smsClient(sim.url, 'primary', 'us-east-1').send(
      new SendVoiceMessageCommand({
        DestinationPhoneNumber: DEST,
        OriginationIdentity: '+12065550111',
        MessageBody: 'hi',
      }),
    );
    const got = await reader.waitFor(queue('primary', 'us-east-1'), out.MessageId!, 4);
    expect(got[3].event.eventType).toBe('VOICE_COMPLETED');
  });
});

describe("AWS's destination simulator numbers", () => {
  // https://docs.aws.amazon.com/sms-voice/latest/userguide/test-phone-numbers.html#test-phone-numbers-destination
  it('a success number is delivered, a failure number fails (TEXT_BLOCKED), whatever the originator', async () => {
    const client = smsClient(sim.url, 'primary', 'us-east-1');
    const ok = await client.send(text({ DestinationPhoneNumber: '+14254147755' }));
    const failed = await client.send(
      text({ DestinationPhoneNumber: '+447860019067', OriginationIdentity: 'ExampleCo' }),
    );
    const q = queue('primary', 'us-east-1');
    const okEvents = await reader.waitFor(q, ok.MessageId!, 2);
    const failedEvents = await reader.waitFor(q, failed.MessageId!, 2);
    expect(okEvents.map((g) => [g.event.eventType, g.event.isFinal])).toEqual([
      ['TEXT_PENDING', false],
      ['TEXT_DELIVERED', true],
    ]);
    expect(failedEvents.map((g) => [g.event.eventType, g.event.isFinal])).toEqual([
      ['TEXT_PENDING', false],
      ['TEXT_BLOCKED', true],
    ]);
  });

  it('DLR faults (a carrier) do not reach them; API faults (the service) do', async () => {
    await addFault({ match: {}, effect: { dlr: 'none' } });
    const client = smsClient(sim.url, 'primary', 'us-east-1');
    const probe = await client.send(text({ DestinationPhoneNumber: '+14254147755' }));
    const user = await client.send(text());
    const q = queue('primary', 'us-east-1');
    const got = await reader.waitFor(q, probe.MessageId!, 2);
    expect(got[1].event.eventType).toBe('TEXT_DELIVERED');
    const [userRecord] = await record(user.MessageId!);
    expect(userRecord.faultId).toBeDefined();
    const [probeRecord] = await record(probe.MessageId!);
    expect(probeRecord.faultId).toBeUndefined();

    sim.state.faults.clear();
    await addFault({ match: { region: 'us-east-1' }, effect: { api: 'internal-error' } });
    const refused = await rejection(client.send(text({ DestinationPhoneNumber: '+14254147755' })));
    expect(refused).toBeInstanceOf(InternalServerException);
  });
});

describe('fault bookkeeping', () => {
  it('count: applies to N matching sends, shows the remaining count, then expires', async () => {
    const fault = await addFault({ match: { originator: 'pool-count' }, effect: { api: 'throttle' }, count: 2 });
    expect(fault).toMatchObject({ count: 2, remaining: 2, applied: 0 });
    const sms = smsClient(sim.url, 'primary', 'us-east-1');
    await expect(sms.send(text({ OriginationIdentity: 'pool-count' }))).rejects.toBeInstanceOf(ThrottlingException);
    const listed = await admin<{ faults: Fault[] }>(sim.url, 'GET', '/_sim/faults');
    expect(listed.json.faults).toEqual([expect.objectContaining({ id: fault.id, remaining: 1, applied: 1 })]);
    await expect(sms.send(text({ OriginationIdentity: 'pool-count' }))).rejects.toBeInstanceOf(ThrottlingException);
    const third = await sms.send(text({ OriginationIdentity: 'pool-count' }));
    expect(third.MessageId).toEqual(expect.any(String));
    expect((await admin<{ faults: Fault[] }>(sim.url, 'GET', '/_sim/faults')).json.faults).toEqual([]);
  });

  it('probability: applied only when the dice say so; a fault that loses its roll lets the next one try', async () => {
    await addFault({ match: { originator: 'pool-dice' }, effect: { api: 'throttle' }, probability: 0.3 });
    await addFault({ match: { originator: 'pool-dice' }, effect: { api: 'internal-error' }, probability: 0.6 });
    const sms = smsClient(sim.url, 'primary', 'us-east-1');
    nextRandom = 0.1; // < 0.3: the first fault
    await expect(sms.send(text({ OriginationIdentity: 'pool-dice' }))).rejects.toBeInstanceOf(ThrottlingException);
    nextRandom = 0.5; // >= 0.3 but < 0.6: the second
    await expect(sms.send(text({ OriginationIdentity: 'pool-dice' }))).rejects.toBeInstanceOf(InternalServerException);
    nextRandom = 0.9; // neither
    expect((await sms.send(text({ OriginationIdentity: 'pool-dice' }))).MessageId).toEqual(expect.any(String));
  });

  it('the first matching fault wins; match by account and region', async () => {
    await addFault({ match: { account: 'secondary', region: 'us-west-2' }, effect: { api: 'account-disabled' } });
    await addFault({ match: { account: 'secondary' }, effect: { api: 'throttle' } });
    await expect(
      smsClient(sim.url, 'secondary', 'us-west-2').send(text({ OriginationIdentity: 'pool-first' })),
    ).rejects.toBeInstanceOf(AccessDeniedException);
    await expect(
      smsClient(sim.url, 'secondary', 'us-east-1').send(text({ OriginationIdentity: 'pool-first' })),
    ).rejects.toBeInstanceOf(ThrottlingException);
    const ok = await smsClient(sim.url, 'primary', 'us-west-2').send(text({ OriginationIdentity: 'pool-first' }));
    expect(ok.MessageId).toEqual(expect.any(String));
  });

  it('DELETE /_sim/faults/{id} removes one fault (404 when unknown), DELETE /_sim/faults all', async () => {
    const a = await addFault({ match: { originator: 'pool-del' }, effect: { api: 'throttle' } });
    await addFault({ match: { originator: 'pool-del-2' }, effect: { api: 'throttle' } });
    const sms = smsClient(sim.url, 'primary', 'us-east-1');
    await expect(sms.send(text({ OriginationIdentity: 'pool-del' }))).rejects.toBeInstanceOf(ThrottlingException);
    expect((await admin(sim.url, 'DELETE', `/_sim/faults/${a.id}`)).status).toBe(200);
    expect((await sms.send(text({ OriginationIdentity: 'pool-del' }))).MessageId).toEqual(expect.any(String));
    const again = await admin<{ error: string }>(sim.url, 'DELETE', `/_sim/faults/${a.id}`);
    expect(again.status).toBe(404);
    expect(again.json.error).toContain(a.id);
    const all = await admin<{ deleted: number }>(sim.url, 'DELETE', '/_sim/faults');
    expect(all.json.deleted).toBe(1);
    expect((await sms.send(text({ OriginationIdentity: 'pool-del-2' }))).MessageId).toEqual(expect.any(String));
  });

  it.each([
    ['an unknown api effect', 'effect.api', { effect: { api: 'explode' } }],
    ['an unknown dlr event type', 'effect.dlr', { effect: { dlr: 'TEXT_LOST' } }],
    ['both api and dlr', 'effect', { effect: { api: 'throttle', dlr: 'none' } }],
    ['no effect', 'effect', { match: {} }],
    ['a probability above 1', 'probability', { effect: { api: 'throttle' }, probability: 2 }],
    ['a count of 0', 'count', { effect: { api: 'throttle' }, count: 0 }],
    ['an unknown account', 'match.account', { match: { account: 'tertiary' }, effect: { api: 'throttle' } }],
    ['a bad region', 'match.region', { match: { region: 'mars' }, effect: { api: 'throttle' } }],
    ['an unknown match field', 'match', { match: { carrier: 'x' }, effect: { api: 'throttle' } }],
  ])('a fault with %s -> 400 naming %s', async (_, field, body) => {
    const res = await admin<{ error: string }>(sim.url, 'POST', '/_sim/faults', body);
    expect(res.status).toBe(400);
    expect(res.json.error).toContain(field);
    expect(sim.state.faults.size).toBe(0);
  });

  it('a fault body that is not JSON -> 400', async () => {
    const res = await admin<{ error: string }>(sim.url, 'POST', '/_sim/faults', '{"effect":');
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/not valid JSON/);
  });
});

describe('other operations', () => {
  it('an operation the simulator does not implement -> UnknownOperationException', async () => {
    const err = await rejection(smsClient(sim.url, 'primary', 'us-east-1').send(new DescribePhoneNumbersCommand({})));
    expect(err.name).toBe('UnknownOperationException');
    expect((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(400);
  });

  it('PutMessageFeedback records the feedback; an unknown or foreign MessageId -> ResourceNotFoundException', async () => {
    const sms = smsClient(sim.url, 'primary', 'us-east-1');
    const { MessageId } = await sms.send(text({ OriginationIdentity: 'pool-feedback', MessageFeedbackEnabled: true }));
    const out = await sms.send(new PutMessageFeedbackCommand({ MessageId, MessageFeedbackStatus: 'RECEIVED' }));
    expect(out).toMatchObject({ MessageId, MessageFeedbackStatus: 'RECEIVED' });
    const [r] = await record(MessageId!);
    expect(r.feedback?.status).toBe('RECEIVED');
    expect(r.messageFeedbackEnabled).toBe(true);

    const unknown = await rejection(
      sms.send(new PutMessageFeedbackCommand({ MessageId: 'no-such-message', MessageFeedbackStatus: 'FAILED' })),
    );
    expect(unknown).toBeInstanceOf(ResourceNotFoundException);
    expect((unknown as unknown as ResourceNotFoundException).ResourceType).toBe('message');
    const foreign = await rejection(
      smsClient(sim.url, 'secondary', 'us-east-1').send(
        new PutMessageFeedbackCommand({ MessageId, MessageFeedbackStatus: 'FAILED' }),
      ),
    );
    expect(foreign).toBeInstanceOf(ResourceNotFoundException);
    const bad = await rejection(
      sms.send(new PutMessageFeedbackCommand({ MessageId, MessageFeedbackStatus: 'MAYBE' as 'FAILED' })),
    );
    expect(bad).toBeInstanceOf(ValidationException);
    expect((bad as unknown as ValidationException).Fields?.[0]?.Name).toBe('MessageFeedbackStatus');
  });

  it('SendVoiceMessage: VOICE_INITIATED, RINGING, ANSWERED, then a final VOICE_COMPLETED', async () => {
    const context = { [CONTEXT_WORKFLOW_ID]: 'wf-voice', [CONTEXT_ATTEMPT]: '7' };
    const out = await smsClient(sim.url, 'secondary', 'us-west-2').send(
      new SendVoiceMessageCommand({
        DestinationPhoneNumber: DEST,
        OriginationIdentity: '+12065550123',
        MessageBody: 'Your code is 4 8 2 9 1 3',
        MessageBodyTextType: 'TEXT',
        VoiceId: 'JOANNA',
        Context: context,
      }),
    );
    const got = await reader.waitFor(queue('secondary', 'us-west-2'), out.MessageId!, 4);
    expect(got.map((g) => [g.event.eventType, g.event.messageStatus, g.event.isFinal])).toEqual([
      ['VOICE_INITIATED', 'INITIATED', false],
      ['VOICE_RINGING', 'RINGING', false],
      ['VOICE_ANSWERED', 'ANSWERED', false],
      ['VOICE_COMPLETED', 'COMPLETED', true],
    ]);
    for (const g of got) expect(g.event).toMatchObject({ context, originationPhoneNumber: '+12065550123' });
    const [r] = await record(out.MessageId!);
    expect(r.operation).toBe('SendVoiceMessage');
  });
});

describe('admin', () => {
  it('health, and 404 / 405 for what does not exist', async () => {
    const health = await admin<{ status: string }>(sim.url, 'GET', '/_sim/health');
    expect(health).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect((await admin(sim.url, 'GET', '/_sim/nothing')).status).toBe(404);
    expect((await admin(sim.url, 'PUT', '/_sim/faults')).status).toBe(405);
    expect((await admin(sim.url, 'GET', '/_sim/messages?carrier=x')).status).toBe(400);
  });

  it('filters messages by originator written with an unencoded "+"', async () => {
    await smsClient(sim.url, 'primary', 'us-east-1').send(text({ OriginationIdentity: '+12065550177' }));
    const res = await admin<{ messages: MessageRecord[] }>(sim.url, 'GET', '/_sim/messages?originator=+12065550177');
    expect(res.json.messages.map((m) => m.originator)).toEqual(['+12065550177']);
  });

  it('POST /_sim/reset clears messages and faults and cancels events still to come', async () => {
    await addFault({ effect: { dlr: 'TEXT_DELIVERED', delayMs: 60_000 } });
    await smsClient(sim.url, 'primary', 'us-east-1').send(text({ OriginationIdentity: 'pool-reset' }));
    expect(sim.state.pendingTimers()).toBeGreaterThan(0);
    const res = await admin(sim.url, 'POST', '/_sim/reset');
    expect(res.status).toBe(200);
    expect(sim.state.pendingTimers()).toBe(0);
    expect((await admin<{ messages: unknown[] }>(sim.url, 'GET', '/_sim/messages')).json.messages).toEqual([]);
    expect((await admin<{ faults: unknown[] }>(sim.url, 'GET', '/_sim/faults')).json.faults).toEqual([]);
  });
});

describe('lifecycle', () => {
  it('stop() clears pending timers and does not wait for a hung request', async () => {
    const other = await startSimulator({ config, deliveryDelayMs: 60_000 });
    const client: PinpointSMSVoiceV2Client = createSmsClient({
      region: 'us-east-1',
      endpoint: other.url,
      credentials: { accessKeyId: 'AKIDSIMPRIMARY', secretAccessKey: 'x' },
      requestTimeoutMs: 10_000,
    });
    try {
      await client.send(text({ OriginationIdentity: 'pool-stop' }));
      expect(other.state.pendingTimers()).toBeGreaterThanOrEqual(1); // the final event, 60 s away
      other.state.faults.add({ effect: { api: 'timeout' } });
      const hung = client.send(text({ OriginationIdentity: 'pool-stop' })).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      await other.stop();
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(other.state.pendingTimers()).toBe(0);
      expect(await hung).toBeInstanceOf(Error);
    } finally {
      client.destroy();
      await other.stop();
    }
  });
});
