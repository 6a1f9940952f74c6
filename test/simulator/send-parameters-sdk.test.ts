/**
 * The send activities through the real SMS v2 SDK client against the simulator (in process, no emulator): a
 * MaxPrice the API's pattern refuses comes back as the SDK's ValidationException and the activity's request-scoped
 * failure; the use case's Keyword, DestinationCountryParameters, ProtectConfigurationId and MaxPricePerMinute reach
 * the service (the simulator's message log shows what each request carried).
 */
import { SendTextMessageCommand, ValidationException } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { createActivities } from '../../src/activities';
import { configSchema } from '../../src/domain/config';
import type { RouteRef, SendResult, SendSmsInput, SendVoiceInput } from '../../src/domain/sending';
import type { MessageRecord } from '../../src/simulator/message-log';
import { startSimulator, type Simulator } from '../../src/simulator/server';
import { env, expectSendFailure } from '../activities/channel-harness';
import { admin, destroyClients, KEYS, smsClient } from './harness';

const ROUTE: RouteRef = { id: 'r', account: 'primary', region: 'us-east-1' };
let sim: Simulator;

beforeAll(async () => {
  const config = configSchema.parse({
    accounts: { primary: { credentials: { type: 'static', ...KEYS.primary } } },
    routes: [{ id: 'r', account: 'primary', region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }],
    originators: { US: [{ route: 'r', identity: 'pool-1', type: 'short-code' }] },
    policies: { otp: {} },
  });
  sim = await startSimulator({ config, deliveryDelayMs: 10_000, eventTypes: 'final', log: () => undefined });
});
afterAll(async () => {
  destroyClients();
  await sim.stop();
});

const activities = () => createActivities({ smsClient: () => smsClient(sim.url, 'primary', 'us-east-1') });
const record = async (messageId: string) =>
  (await admin<MessageRecord>(sim.url, 'GET', `/_sim/messages/${messageId}`)).json;

const sms = (more: Partial<SendSmsInput> = {}): SendSmsInput => ({
  workflowId: 'otp:1',
  attempt: 1,
  route: ROUTE,
  originationIdentity: 'pool-1',
  destination: '+14255550123',
  body: 'Your code is 123456',
  messageType: 'TRANSACTIONAL',
  ttlSeconds: 300,
  feedbackEnabled: false,
  ...more,
});

it('a MaxPrice of "1" is refused as AWS refuses it: ValidationException FIELD_VALIDATION_FAILED on MaxPrice', async () => {
  const err = await smsClient(sim.url, 'primary', 'us-east-1')
    .send(
      new SendTextMessageCommand({
        DestinationPhoneNumber: '+14255550123',
        OriginationIdentity: 'pool-1',
        MessageBody: 'x',
        MaxPrice: '1',
      }),
    )
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ValidationException);
  expect(err).toMatchObject({ Reason: 'FIELD_VALIDATION_FAILED', Fields: [{ Name: 'MaxPrice' }] });
  const failure = await expectSendFailure(activities().sendSms, sms({ maxPrice: '1' }), /4255550123|123456/);
  expect(failure).toMatchObject({ scope: 'request', reason: 'FIELD_VALIDATION_FAILED' });
});

it("the use case's Keyword, DestinationCountryParameters and ProtectConfigurationId reach SendTextMessage", async () => {
  const { messageId }: SendResult = await env.run(
    activities().sendSms,
    sms({
      maxPrice: '0.05',
      keyword: 'ACMEOTP',
      protectConfigurationId: 'pc-otp',
      destinationCountryParameters: { IN_ENTITY_ID: '1101' },
    }),
  );
  expect((await record(messageId)).parameters).toEqual({
    maxPrice: '0.05',
    keyword: 'ACMEOTP',
    protectConfigurationId: 'pc-otp',
    destinationCountryParameters: { IN_ENTITY_ID: '1101' },
  });
});

it('voice sends its MaxPricePerMinute and ProtectConfigurationId; a per-minute cap of "2" is refused', async () => {
  const voice: SendVoiceInput = {
    workflowId: 'otp:2',
    attempt: 1,
    route: ROUTE,
    originationIdentity: '+12065550100',
    destination: '+14255550123',
    text: 'Your code is 1 2 3',
    textType: 'TEXT',
    ttlSeconds: 120,
    maxPrice: '0.10',
    feedbackEnabled: false,
    protectConfigurationId: 'pc-otp',
  };
  const { messageId }: SendResult = await env.run(activities().sendVoice, voice);
  expect((await record(messageId)).parameters).toEqual({ maxPricePerMinute: '0.10', protectConfigurationId: 'pc-otp' });
  const failure = await expectSendFailure(activities().sendVoice, { ...voice, maxPrice: '2' }, /4255550123/);
  expect(failure).toMatchObject({ scope: 'request', reason: 'FIELD_VALIDATION_FAILED' });
});
