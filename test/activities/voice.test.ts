/**
 * `sendVoice` against the carrier simulator (SendVoiceMessage, AWS JSON 1.0) through the real SMS v2 SDK client, with
 * the simulator publishing VOICE_* delivery events to SNS/SQS on moto: the same DLR path as SMS, matched by the
 * `Context` the send puts in. A recording proxy in front of the simulator counts requests (one per send).
 */
import '../helpers/cross-realm-errors';
import type { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { createActivities } from '../../src/activities';
import { createSmsClient } from '../../src/aws/clients';
import type { SmsClientRegistry } from '../../src/aws/registries';
import type { Config } from '../../src/domain/config';
import {
  CONTEXT_ATTEMPT,
  CONTEXT_WORKFLOW_ID,
  type RouteRef,
  type SendResult,
  type SendVoiceInput,
} from '../../src/domain/sending';
import type { MessageRecord } from '../../src/simulator/message-log';
import { startSimulator, type Simulator } from '../../src/simulator/server';
import { startMoto, type Moto } from '../../src/tools/moto';
import { provisionDlrQueues, type ProvisionedQueue } from '../../src/tools/provision-emulator';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy';
import { DlrReader, KEYS, provisionedPart, simConfig, type AccountName } from '../simulator/harness';
import { env, expectCleanLogs, expectSendFailure, logs } from './channel-harness';

const DEST = '+14255550199';
const SPOKEN = 'Your code is 7 1 9 3 0 4';
const PERSONAL = /4255550199|7 1 9 3 0 4/;
const ROUTE: RouteRef = {
  id: 'secondary-us-west-2',
  account: 'secondary',
  region: 'us-west-2',
  configurationSet: 'rsms-voice',
};

let moto: Moto;
let config: Config;
let queues: ProvisionedQueue[];
let sim: Simulator;
let proxy: RecordingProxy;
let reader: DlrReader;
const clients: PinpointSMSVoiceV2Client[] = [];

function registry(requestTimeoutMs = 5_000): SmsClientRegistry {
  const byKey = new Map<string, PinpointSMSVoiceV2Client>();
  return (route) => {
    const key = `${route.account}/${route.region}`;
    let client = byKey.get(key);
    if (!client) {
      client = createSmsClient({
        region: route.region,
        endpoint: proxy.url,
        credentials: KEYS[route.account as AccountName],
        requestTimeoutMs,
      });
      byKey.set(key, client);
      clients.push(client);
    }
    return client;
  };
}

function activities(requestTimeoutMs?: number) {
  return createActivities({ smsClient: registry(requestTimeoutMs), now: () => 1_700_000_000_000 });
}

function input(overrides: Partial<SendVoiceInput> = {}): SendVoiceInput {
  return {
    workflowId: 'otp:voice-7',
    attempt: 6,
    route: ROUTE,
    originationIdentity: '+12065550123',
    destination: DEST,
    text: SPOKEN,
    textType: 'TEXT',
    voiceId: 'Joanna',
    ttlSeconds: 120,
    maxPrice: '0.10',
    feedbackEnabled: true,
    ...overrides,
  };
}

function voiceRecords(): MessageRecord[] {
  return sim.state.messages.list({ operation: 'SendVoiceMessage' });
}

async function addFault(body: unknown): Promise<void> {
  const res = await fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(201);
}

function queue(account: string, region: string): ProvisionedQueue {
  const q = queues.find((x) => x.account === account && x.region === region);
  if (!q) throw new Error(`no queue for ${account}/${region}`);
  return q;
}

beforeAll(async () => {
  moto = await startMoto();
  config = simConfig(moto.endpoint);
  queues = await provisionDlrQueues(provisionedPart(config));
  sim = await startSimulator({ config, deliveryDelayMs: 90, eventTypes: 'all' });
  proxy = await startRecordingProxy(sim.url);
  reader = new DlrReader(moto.endpoint);
}, 60_000);

afterEach(() => {
  sim.state.faults.clear();
  proxy.reset();
  expectCleanLogs(PERSONAL);
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  reader?.destroy();
  await proxy?.close();
  await sim?.stop();
  await moto?.stop();
});

describe('sendVoice', () => {
  test('success: every field on SendVoiceMessage; VOICE_* events with our Context reach the DLR queue', async () => {
    const result: SendResult = await env.run(activities().sendVoice, input());
    expect(result).toEqual({ messageId: expect.any(String), acceptedAt: 1_700_000_000_000 });

    expect(proxy.requests).toHaveLength(1);
    const req = proxy.requests[0];
    expect(req.headers['x-amz-target']).toBe('PinpointSMSVoiceV2.SendVoiceMessage');
    expect(req).toMatchObject({
      region: 'us-west-2',
      accessKeyId: KEYS.secondary.accessKeyId,
      signingService: 'sms-voice',
    });
    expect(JSON.parse(req.body)).toEqual({
      DestinationPhoneNumber: DEST,
      OriginationIdentity: '+12065550123',
      MessageBody: SPOKEN,
      MessageBodyTextType: 'TEXT',
      VoiceId: 'JOANNA',
      ConfigurationSetName: 'rsms-voice',
      MaxPricePerMinute: '0.10',
      TimeToLive: 120,
      Context: { [CONTEXT_WORKFLOW_ID]: 'otp:voice-7', [CONTEXT_ATTEMPT]: '6' },
      MessageFeedbackEnabled: true,
    });

    const got = await reader.waitFor(queue('secondary', 'us-west-2'), result.messageId, 4);
    expect(got.map((g) => g.event.eventType)).toEqual([
      'VOICE_INITIATED',
      'VOICE_RINGING',
      'VOICE_ANSWERED',
      'VOICE_COMPLETED',
    ]);
    for (const g of got) {
      expect(g.event.context).toEqual({ [CONTEXT_WORKFLOW_ID]: 'otp:voice-7', [CONTEXT_ATTEMPT]: '6' });
    }
    expect(voiceRecords()[0]).toMatchObject({ account: 'secondary', region: 'us-west-2', outcome: 'accepted' });
    expect(logs.find((l) => l.message === 'Voice accepted')?.meta).toMatchObject({
      channel: 'voice',
      routeId: ROUTE.id,
      attempt: 6,
    });
  });

  test('SSML without a voice id: MessageBodyTextType SSML, no VoiceId; a DLR fault gives VOICE_NO_ANSWER', async () => {
    await addFault({ match: { originator: '+12065550124' }, effect: { dlr: 'VOICE_NO_ANSWER' } });
    const ssml = '<speak>Your code is <say-as interpret-as="digits">719304</say-as></speak>';
    const result: SendResult = await env.run(
      activities().sendVoice,
      input({
        text: ssml,
        textType: 'SSML',
        voiceId: undefined,
        originationIdentity: '+12065550124',
        route: { id: 'primary-us-east-1', account: 'primary', region: 'us-east-1' },
      }),
    );
    const body = JSON.parse(proxy.requests[0].body) as Record<string, unknown>;
    expect(body).toMatchObject({ MessageBody: ssml, MessageBodyTextType: 'SSML' });
    expect(body).not.toHaveProperty('VoiceId');
    expect(body).not.toHaveProperty('ConfigurationSetName');
    const got = await reader.waitFor(queue('primary', 'us-east-1'), result.messageId, 3);
    expect(got.at(-1)!.event).toMatchObject({ eventType: 'VOICE_NO_ANSWER', isFinal: true });
  });

  const faults: Array<{ effect: string; expected: Record<string, unknown> }> = [
    { effect: 'throttle', expected: { scope: 'originator', reason: 'ThrottlingException', retryable: true } },
    { effect: 'internal-error', expected: { scope: 'region', reason: 'InternalServerException', ambiguous: true } },
    { effect: 'spend-limit', expected: { scope: 'account', reason: 'MONTHLY_SPEND_LIMIT_REACHED_FOR_VOICE' } },
    { effect: 'account-disabled', expected: { scope: 'account', reason: 'ACCOUNT_DISABLED' } },
    { effect: 'opted-out', expected: { scope: 'recipient', reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' } },
    { effect: 'country-blocked', expected: { scope: 'account', reason: 'DESTINATION_COUNTRY_BLOCKED' } },
  ];

  test.each(faults)('simulator fault $effect -> $expected.scope', async ({ effect, expected }) => {
    await addFault({ match: { operation: 'SendVoiceMessage', account: 'secondary' }, effect: { api: effect } });
    const before = voiceRecords().length;
    const classified = await expectSendFailure(activities().sendVoice, input(), PERSONAL);
    expect(classified).toMatchObject(expected);
    expect(proxy.requests).toHaveLength(1);
    expect(voiceRecords()).toHaveLength(before + 1);
  });

  test('timeout fault -> region, ambiguous (ETIMEDOUT); ambiguous fault -> region, ambiguous, message went out', async () => {
    await addFault({ match: {}, effect: { api: 'timeout' }, count: 1 });
    const timedOut = await expectSendFailure(activities(300).sendVoice, input(), PERSONAL);
    expect(timedOut).toMatchObject({ scope: 'region', reason: 'ETIMEDOUT', ambiguous: true, retryable: false });
    expect(proxy.requests).toHaveLength(1);

    await addFault({ match: {}, effect: { api: 'ambiguous' }, count: 1 });
    const lost = await expectSendFailure(activities().sendVoice, input(), PERSONAL);
    expect(lost).toMatchObject({ scope: 'region', ambiguous: true, retryable: false });
    expect(proxy.requests).toHaveLength(2);
    expect(voiceRecords().at(-1)).toMatchObject({ outcome: 'ambiguous', messageId: expect.any(String) });
  });

  test('what the service validates: a body over 6000 characters -> request; a bad number -> request', async () => {
    const long = await expectSendFailure(activities().sendVoice, input({ text: 'x'.repeat(6001) }), PERSONAL);
    expect(long).toMatchObject({ scope: 'request', reason: 'MAXIMUM_SIZE_EXCEEDED' });
    const bad = await expectSendFailure(activities().sendVoice, input({ destination: 'not-a-number' }), PERSONAL);
    expect(bad).toMatchObject({ scope: 'request', reason: 'CANNOT_PARSE' });
    expect(proxy.requests).toHaveLength(2);
  });

  test('an SMS-only fault does not touch voice', async () => {
    await addFault({ match: { operation: 'SendTextMessage' }, effect: { api: 'throttle' } });
    await env.run(activities().sendVoice, input());
    expect(voiceRecords().at(-1)!.outcome).toBe('accepted');
  });
});
