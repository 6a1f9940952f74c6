/**
 * The simulator's pieces without an emulator: wire parsing, segment counting, event shapes, fault semantics, the
 * bounded message log, and front-door errors on raw HTTP.
 */
import { SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { configSchema, type Config } from '../../src/domain/config';
import { deliveryEventSchema } from '../../src/domain/delivery-event';
import { buildEvent, eventSchedule } from '../../src/simulator/events';
import { FaultStore } from '../../src/simulator/faults';
import type { MessageRecord } from '../../src/simulator/message-log';
import { isoCountryOf, parseAuthorization, parseSendRequest, smsSegments } from '../../src/simulator/protocol';
import { accountsByAccessKey, startSimulator, type Simulator } from '../../src/simulator/server';
import { admin, destroyClients, KEYS, smsClient } from './harness';

function localConfig(overrides: Record<string, unknown> = {}): Config {
  return configSchema.parse({
    accounts: { primary: { credentials: { type: 'static', ...KEYS.primary } } },
    routes: [{ id: 'r', account: 'primary', region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }],
    originators: { US: [{ route: 'r', identity: 'pool-1', type: 'toll-free' }] },
    policies: { otp: {} },
    ...overrides,
  });
}

describe('protocol', () => {
  it('reads access key and Region from the SigV4 credential scope', () => {
    expect(
      parseAuthorization(
        'AWS4-HMAC-SHA256 Credential=AKIDX/20250101/eu-west-1/sms-voice/aws4_request, SignedHeaders=host, Signature=ab',
      ),
    ).toEqual({ accessKeyId: 'AKIDX', region: 'eu-west-1', signingService: 'sms-voice' });
    expect(parseAuthorization('Bearer x')).toBeUndefined();
    expect(parseAuthorization(undefined)).toBeUndefined();
  });

  it.each([
    ['hi', 'GSM', 1],
    ['a'.repeat(160), 'GSM', 1],
    ['a'.repeat(161), 'GSM', 2],
    ['a'.repeat(306), 'GSM', 2],
    ['a'.repeat(307), 'GSM', 3],
    ['€'.repeat(80), 'GSM', 1], // extension characters count twice: 160 septets
    ['€'.repeat(81), 'GSM', 2],
    ['ü'.repeat(70), 'GSM', 1],
    ['ж'.repeat(70), 'UCS2', 1],
    ['ж'.repeat(71), 'UCS2', 2],
  ])('segments %j as %s in %d part(s)', (body, encoding, parts) => {
    expect(smsSegments(body)).toEqual({ encoding, parts });
  });

  it.each([
    ['+12065550152', 'US'],
    ['+15555550100', 'US'], // not a valid number, still the US calling code's main country
    ['+447700900123', 'GB'],
    ['+33612345678', 'FR'],
  ])('isoCountryCode of %s is %s', (number, country) => {
    expect(isoCountryOf(number)).toBe(country);
  });

  it('normalises a destination without "+" and defaults MessageType', () => {
    const req = parseSendRequest('SendTextMessage', {
      DestinationPhoneNumber: '14255550156',
      OriginationIdentity: 'pool-1',
      MessageBody: 'x',
    });
    expect(req).toMatchObject({ destination: '+14255550156', messageType: 'TRANSACTIONAL', bodyLength: 1 });
  });
});

describe('events', () => {
  const request = parseSendRequest('SendTextMessage', {
    DestinationPhoneNumber: '+14255550156',
    OriginationIdentity: 'pool-1',
    MessageBody: 'Your code is 1234',
    Context: { 'rsms-workflow-id': 'wf-1', 'rsms-attempt': '3' },
  });

  it('schedules text and voice events; "none" never ends', () => {
    expect(eventSchedule('SendTextMessage', undefined, 100)).toEqual([
      { eventType: 'TEXT_PENDING', isFinal: false, atMs: 0 },
      { eventType: 'TEXT_DELIVERED', isFinal: true, atMs: 100 },
    ]);
    expect(eventSchedule('SendTextMessage', 'none', 100)).toEqual([
      { eventType: 'TEXT_PENDING', isFinal: false, atMs: 0 },
    ]);
    expect(eventSchedule('SendVoiceMessage', 'VOICE_BUSY', 100).map((e) => e.eventType)).toEqual([
      'VOICE_INITIATED',
      'VOICE_RINGING',
      'VOICE_BUSY',
    ]);
  });

  it('builds events that parse with deliveryEventSchema and carry the Context', () => {
    const event = buildEvent(
      { messageId: 'm-1', request, isoCountryCode: 'US', acceptedAt: 1_000 },
      { eventType: 'TEXT_SPAM', isFinal: true, atMs: 5 },
      2_000,
    );
    const parsed = deliveryEventSchema.parse(event);
    expect(parsed).toMatchObject({
      eventType: 'TEXT_SPAM',
      messageStatus: 'SPAM',
      isFinal: true,
      eventTimestamp: 2_000,
      messageRequestTimestamp: 1_000,
      context: { 'rsms-workflow-id': 'wf-1', 'rsms-attempt': '3' },
    });
    expect(JSON.stringify(event)).not.toContain('1234');
  });
});

describe('FaultStore', () => {
  const send = {
    operation: 'SendTextMessage' as const,
    account: 'a',
    region: 'us-east-1',
    originator: 'p',
    destination: '+1',
  };

  it('consumes counts and removes an expired fault', () => {
    const store = new FaultStore(['a'], () => 0);
    const f = store.add({ effect: { api: 'throttle' }, count: 1 });
    expect(store.take(send)?.id).toBe(f.id);
    expect(store.take(send)).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('never applies probability 0, always applies probability 1', () => {
    const store = new FaultStore(['a'], () => 0);
    store.add({ effect: { api: 'throttle' }, probability: 0 });
    expect(store.take(send)).toBeUndefined();
    const always = store.add({ effect: { api: 'throttle' } });
    expect(store.take(send)?.id).toBe(always.id);
  });

  it('keeps TEXT_* DLR faults to text and VOICE_* to voice; "none" and API effects apply to both', () => {
    const store = new FaultStore(['a'], () => 0);
    const voice = store.add({ effect: { dlr: 'VOICE_NO_ANSWER' } });
    const textual = store.add({ effect: { dlr: 'TEXT_SPAM' } });
    expect(store.take(send)?.id).toBe(textual.id);
    expect(store.take({ ...send, operation: 'SendVoiceMessage' })?.id).toBe(voice.id);
  });

  it('accepts durations for delayMs', () => {
    const store = new FaultStore(['a'], () => 0);
    expect(store.add({ effect: { dlr: 'TEXT_BLOCKED', delayMs: '2s' } }).effect).toEqual({
      dlr: 'TEXT_BLOCKED',
      delayMs: 2_000,
    });
    expect(() => store.add({ effect: { api: 'throttle', delayMs: 5 } })).toThrow(/effect\.delayMs/);
  });
});

describe('without an emulator', () => {
  let sim: Simulator;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    sim = await startSimulator({
      config: localConfig(),
      deliveryDelayMs: 20,
      eventTypes: 'all',
      maxMessages: 3,
      log: (l) => lines.push(l),
    });
  });
  afterAll(async () => {
    destroyClients();
    await sim.stop();
  });

  it('refuses two accounts with one access key', () => {
    const config = localConfig({
      accounts: {
        primary: { credentials: { type: 'static', ...KEYS.primary } },
        twin: { credentials: { type: 'static', ...KEYS.primary } },
      },
    });
    expect(() => accountsByAccessKey(config)).toThrow(/accounts\.twin\.credentials\.accessKeyId/);
  });

  it('keeps only the last maxMessages sends, and records unpublished events with the reason', async () => {
    const sms = smsClient(sim.url, 'primary', 'us-east-1');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const out = await sms.send(
        new SendTextMessageCommand({
          DestinationPhoneNumber: '+14255550156',
          OriginationIdentity: `p-${i}`,
          MessageBody: 'x',
        }),
      );
      ids.push(out.MessageId!);
    }
    const res = await admin<{ messages: MessageRecord[]; total: number; trimmed: number }>(
      sim.url,
      'GET',
      '/_sim/messages',
    );
    expect(res.json.messages.map((m) => m.messageId)).toEqual(ids.slice(2));
    expect(res.json.trimmed).toBe(2);
    expect((await admin(sim.url, 'GET', `/_sim/messages/${ids[0]}`)).status).toBe(404);
    const limited = await admin<{ messages: MessageRecord[] }>(sim.url, 'GET', '/_sim/messages?limit=1');
    expect(limited.json.messages.map((m) => m.messageId)).toEqual([ids[4]]);

    await new Promise((r) => setTimeout(r, 200));
    const one = await admin<MessageRecord>(sim.url, 'GET', `/_sim/messages/${ids[4]}`);
    expect(one.json.events.map((e) => [e.eventType, e.published])).toEqual([
      ['TEXT_PENDING', false],
      ['TEXT_DELIVERED', false],
    ]);
    expect(one.json.events[0].error).toMatch(/no dlrQueues entry/);
    expect(lines.some((l) => l.msg === 'event' && l.published === false)).toBe(true);
  });

  it('DryRun: accepted, but no events', async () => {
    const out = await smsClient(sim.url, 'primary', 'us-east-1').send(
      new SendTextMessageCommand({
        DestinationPhoneNumber: '+14255550156',
        OriginationIdentity: 'p-dry',
        MessageBody: 'x',
        DryRun: true,
      }),
    );
    await new Promise((r) => setTimeout(r, 100));
    const one = await admin<MessageRecord>(sim.url, 'GET', `/_sim/messages/${out.MessageId}`);
    expect(one.json).toMatchObject({ outcome: 'accepted', dryRun: true, events: [], pendingEvents: 0 });
  });

  const post = (headers: Record<string, string>, body: string) =>
    fetch(sim.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', ...headers },
      body,
    }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }));
  const auth = (service: string) => ({
    authorization: `AWS4-HMAC-SHA256 Credential=${KEYS.primary.accessKeyId}/20250101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`,
  });

  it('front door: no Authorization -> 403, wrong signing service -> InvalidSignatureException', async () => {
    const target = { 'x-amz-target': 'PinpointSMSVoiceV2.SendTextMessage' };
    const none = await post(target, '{}');
    expect(none.status).toBe(403);
    expect(none.json.__type).toBe('MissingAuthenticationTokenException');
    const wrong = await post({ ...target, ...auth('sns') }, '{}');
    expect(wrong.status).toBe(400);
    expect(wrong.json.__type).toBe('InvalidSignatureException');
  });

  it('a body that is not JSON -> ValidationException CANNOT_PARSE; a huge one -> 413', async () => {
    const target = { 'x-amz-target': 'PinpointSMSVoiceV2.SendTextMessage', ...auth('sms-voice') };
    const bad = await post(target, '{"DestinationPhoneNumber":');
    expect(bad).toMatchObject({
      status: 400,
      json: { __type: 'com.amazonaws.pinpointsmsvoicev2#ValidationException', Reason: 'CANNOT_PARSE' },
    });
    const huge = await fetch(sim.url, { method: 'POST', headers: target, body: 'x'.repeat(1024 * 1024 + 1) }).catch(
      (e: unknown) => e,
    );
    // Either the 413 answer arrives or the connection is cut while uploading: never a 200.
    const status = typeof huge === 'object' && huge !== null && 'status' in huge ? huge.status : 'connection cut';
    expect([413, 'connection cut']).toContain(status);
    expect((await admin(sim.url, 'GET', '/_sim/health')).status).toBe(200);
  });
});
