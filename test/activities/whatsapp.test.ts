/**
 * `sendWhatsApp` against the carrier simulator's End User Messaging Social front (POST /v1/whatsapp/send), through
 * the real `@aws-sdk/client-socialmessaging` client built by the worker's registry (only `endpoint` differs). A
 * recording proxy between them counts requests: every send, failed or not, is exactly one request.
 */
import '../helpers/cross-realm-errors';
import { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { createActivities, whatsAppTemplateMessage } from '../../src/activities';
import { createWhatsAppClient } from '../../src/aws/clients';
import { channelClientsFromConfig } from '../../src/aws/registries';
import { configSchema, type Config } from '../../src/domain/config';
import {
  CONTEXT_ATTEMPT,
  CONTEXT_WORKFLOW_ID,
  type SendResult,
  type SendWhatsAppInput,
} from '../../src/domain/sending';
import type { MessageRecord } from '../../src/simulator/message-log';
import { startSimulator, type Simulator } from '../../src/simulator/server';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy';
import { closedPort } from '../helpers/sms-v2-endpoint';
import { env, expectCleanLogs, expectSendFailure, logs, settleConnectTimer } from './channel-harness';

const KEYS = {
  primary: { accessKeyId: 'AKIDWAPRIMARY', secretAccessKey: 'primary-secret' },
  secondary: { accessKeyId: 'AKIDWASECONDARY', secretAccessKey: 'secondary-secret' },
};
const PHONE_ID = 'phone-number-id-0123456789abcdef0123456789abcdef';
const DEST = '+447700900456';
const CODE = '583920';
const PERSONAL = /447700900456|583920/;

function baseConfig(whatsappEndpoint?: string): Config {
  return configSchema.parse({
    accounts: {
      primary: { credentials: { type: 'static', ...KEYS.primary } },
      secondary: { credentials: { type: 'static', ...KEYS.secondary } },
    },
    routes: [{ id: 'r1', account: 'primary', region: 'eu-west-1', endpoint: 'http://127.0.0.1:9' }],
    originators: { GB: [{ route: 'r1', identity: 'pool-gb', type: 'long-code' }] },
    policies: { otp: {} },
    ...(whatsappEndpoint
      ? {
          channels: {
            whatsapp: {
              account: 'primary',
              region: 'eu-west-1',
              endpoint: whatsappEndpoint,
              originationPhoneNumberId: PHONE_ID,
              templateName: 'otp_code',
            },
          },
        }
      : {}),
  });
}

let sim: Simulator;
let proxy: RecordingProxy;
let config: Config;
let registry: ReturnType<typeof channelClientsFromConfig>;
const extraClients: SocialMessagingClient[] = [];

function input(overrides: Partial<SendWhatsAppInput> = {}): SendWhatsAppInput {
  return {
    workflowId: 'otp:login-42',
    attempt: 5,
    target: { channel: 'whatsapp', account: 'primary', region: 'eu-west-1' },
    originationPhoneNumberId: PHONE_ID,
    destination: DEST,
    templateName: 'otp_code',
    templateLanguage: 'en_US',
    parameters: [CODE],
    metaApiVersion: 'v20.0',
    ...overrides,
  };
}

const extraRegistries: Array<ReturnType<typeof channelClientsFromConfig>> = [];

/** Activities over the worker's registry (built from the config); a custom request timeout gets its own registry. */
function activities(requestTimeoutMs?: number) {
  let channels = registry;
  if (requestTimeoutMs !== undefined) {
    channels = channelClientsFromConfig(config, { requestTimeoutMs });
    extraRegistries.push(channels);
  }
  return createActivities({ smsClient: () => undefined as never, channels, now: () => 1_700_000_000_000 });
}

function simRecords(): MessageRecord[] {
  return sim.state.messages.list({ operation: 'SendWhatsAppMessage' });
}

async function addFault(body: unknown): Promise<void> {
  const res = await fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  sim = await startSimulator({ config: baseConfig() });
  proxy = await startRecordingProxy(sim.url);
  config = baseConfig(proxy.url);
  registry = channelClientsFromConfig(config, { requestTimeoutMs: 5_000 });
});

afterEach(() => {
  sim.state.reset();
  proxy.reset();
  expectCleanLogs(PERSONAL);
});

afterAll(async () => {
  registry.destroyAll();
  for (const r of extraRegistries) r.destroyAll();
  for (const c of extraClients) c.destroy();
  await proxy.close();
  await sim.stop();
});

describe('sendWhatsApp', () => {
  test('success: one SendWhatsAppMessage with the template message; the simulator records it', async () => {
    const result: SendResult = await env.run(activities().sendWhatsApp, input());
    expect(result).toEqual({ messageId: expect.any(String), acceptedAt: 1_700_000_000_000 });

    expect(proxy.requests).toHaveLength(1);
    const req = proxy.requests[0];
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/whatsapp/send');
    expect(req.signingService).toBe('social-messaging');
    expect(req.region).toBe('eu-west-1');
    expect(req.accessKeyId).toBe(KEYS.primary.accessKeyId);
    const body = JSON.parse(req.body) as { originationPhoneNumberId: string; metaApiVersion: string; message: string };
    expect(body.originationPhoneNumberId).toBe(PHONE_ID);
    expect(body.metaApiVersion).toBe('v20.0');
    const message = JSON.parse(Buffer.from(body.message, 'base64').toString('utf8')) as unknown;
    expect(message).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: DEST,
      type: 'template',
      template: {
        name: 'otp_code',
        language: { code: 'en_US' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: CODE }] }],
      },
      biz_opaque_callback_data: JSON.stringify({ [CONTEXT_WORKFLOW_ID]: 'otp:login-42', [CONTEXT_ATTEMPT]: '5' }),
    });

    const [record] = simRecords();
    expect(record).toMatchObject({
      operation: 'SendWhatsAppMessage',
      messageId: result.messageId,
      outcome: 'accepted',
      account: 'primary',
      region: 'eu-west-1',
      originator: PHONE_ID,
      destination: DEST,
      isoCountryCode: 'GB',
      messageType: 'template',
      context: { [CONTEXT_WORKFLOW_ID]: 'otp:login-42', [CONTEXT_ATTEMPT]: '5' },
    });
    expect(record).not.toHaveProperty('bodyLength');
    const accepted = logs.find((l) => l.message === 'WhatsApp accepted');
    expect(accepted?.meta).toMatchObject({ channel: 'whatsapp', account: 'primary', attempt: 5, originator: PHONE_ID });
  });

  test('a template without parameters has no components; a phone-number-id ARN of the Region is accepted', async () => {
    expect(whatsAppTemplateMessage(input({ parameters: [] }))).not.toHaveProperty('template.components');
    const arn = 'arn:aws:social-messaging:eu-west-1:123456789012:phone-number-id/0123456789abcdef';
    await env.run(activities().sendWhatsApp, input({ parameters: [], originationPhoneNumberId: arn }));
    expect(simRecords()[0]).toMatchObject({ outcome: 'accepted', originator: arn });
  });

  test('accounts and Regions are told apart by access key and SigV4 scope', async () => {
    const client = createWhatsAppClient({ region: 'us-west-2', endpoint: proxy.url, credentials: KEYS.secondary });
    extraClients.push(client);
    const acts = createActivities({ smsClient: () => undefined as never, channels: { whatsapp: () => client } });
    await env.run(
      acts.sendWhatsApp,
      input({ target: { channel: 'whatsapp', account: 'secondary', region: 'us-west-2' } }),
    );
    expect(simRecords()[0]).toMatchObject({ account: 'secondary', region: 'us-west-2', outcome: 'accepted' });
  });

  const faults: Array<{ effect: string; expected: Record<string, unknown> }> = [
    {
      effect: 'throttle',
      expected: { scope: 'originator', reason: 'ThrottledRequestException', retryable: true, ambiguous: false },
    },
    {
      effect: 'internal-error',
      expected: { scope: 'region', reason: 'InternalServiceException', retryable: false, ambiguous: true },
    },
    { effect: 'spend-limit', expected: { scope: 'account', reason: 'LimitExceededException', retryable: false } },
    { effect: 'account-disabled', expected: { scope: 'account', reason: 'AccessDeniedByMetaException' } },
  ];

  // Meta refusing the recipient is no send error: End User Messaging Social accepts the send and Meta's `failed`
  // status follows, with its error code (131026 not on WhatsApp, 130497 country restricted).
  test.each([
    ['opted-out', 'not on WhatsApp'],
    ['country-blocked', 'country restricted'],
  ])('simulator fault %s (%s) -> accepted, then a failed status', async (effect) => {
    await addFault({ match: { originator: PHONE_ID }, effect: { api: effect } });
    const result: SendResult = await env.run(activities().sendWhatsApp, input());
    expect(result.messageId).toEqual(expect.any(String));
    expect(simRecords()[0]).toMatchObject({ outcome: 'accepted', faultId: expect.any(String) });
    const record = simRecords()[0];
    for (let i = 0; i < 200 && !record.events.some((e) => e.eventType === 'WHATSAPP_FAILED'); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(record.events.map((e) => e.eventType)).toEqual(['WHATSAPP_SENT', 'WHATSAPP_FAILED']);
    // This config has no dlrQueues topic: the statuses are recorded as not published, with why.
    expect(record.events[1]).toMatchObject({ published: false, error: expect.stringContaining('no dlrQueues entry') });
  });

  test.each(faults)('simulator fault $effect -> $expected.scope', async ({ effect, expected }) => {
    await addFault({ match: { originator: PHONE_ID }, effect: { api: effect } });
    const classified = await expectSendFailure(activities().sendWhatsApp, input(), PERSONAL);
    expect(classified).toMatchObject(expected);
    expect(proxy.requests).toHaveLength(1);
    expect(simRecords()).toHaveLength(1);
    expect(simRecords()[0]).toMatchObject({ outcome: 'rejected', faultId: expect.any(String) });
  });

  test('a fault aimed at another originator or at SMS only does not apply', async () => {
    await addFault({ match: { originator: 'phone-number-id-other' }, effect: { api: 'throttle' } });
    await addFault({ match: { operation: 'SendTextMessage' }, effect: { api: 'internal-error' } });
    await addFault({ match: {}, effect: { dlr: 'TEXT_BLOCKED' }, count: 1 });
    await env.run(activities().sendWhatsApp, input());
    expect(simRecords()[0].outcome).toBe('accepted');
    // The DLR fault was not consumed by the WhatsApp send.
    expect(sim.state.faults.list().find((f) => 'dlr' in f.effect)?.remaining).toBe(1);
  });

  test('timeout fault -> no answer -> region, ambiguous (ETIMEDOUT), one request', async () => {
    await addFault({ match: {}, effect: { api: 'timeout' } });
    const classified = await expectSendFailure(activities(300).sendWhatsApp, input(), PERSONAL);
    expect(classified).toMatchObject({ scope: 'region', reason: 'ETIMEDOUT', retryable: false, ambiguous: true });
    expect(proxy.requests).toHaveLength(1);
    expect(simRecords()[0].outcome).toBe('timeout');
  });

  test('ambiguous fault -> accepted but the answer is lost -> region, ambiguous, one request', async () => {
    await addFault({ match: {}, effect: { api: 'ambiguous' } });
    const classified = await expectSendFailure(activities().sendWhatsApp, input(), PERSONAL);
    expect(classified).toMatchObject({ scope: 'region', retryable: false, ambiguous: true });
    expect(proxy.requests).toHaveLength(1);
    expect(simRecords()[0]).toMatchObject({ outcome: 'ambiguous', messageId: expect.any(String) });
  });

  test('an unknown phone number id -> ResourceNotFound -> config, logged at ERROR', async () => {
    const classified = await expectSendFailure(
      activities().sendWhatsApp,
      input({ originationPhoneNumberId: 'pn-typo' }),
      PERSONAL,
    );
    expect(classified).toMatchObject({ scope: 'config', reason: 'ResourceNotFoundException' });
    expect(logs.find((l) => l.message === 'WhatsApp send failed: configuration problem')?.level).toBe('ERROR');
  });

  test('a phone number id ARN of another Region -> ResourceNotFound -> config', async () => {
    const arn = 'arn:aws:social-messaging:us-east-1:123456789012:phone-number-id/0123456789abcdef';
    const classified = await expectSendFailure(
      activities().sendWhatsApp,
      input({ originationPhoneNumberId: arn }),
      PERSONAL,
    );
    expect(classified).toMatchObject({ scope: 'config', reason: 'ResourceNotFoundException' });
  });

  test('a malformed metaApiVersion -> ValidationException -> request', async () => {
    const classified = await expectSendFailure(activities().sendWhatsApp, input({ metaApiVersion: '20' }), PERSONAL);
    expect(classified).toMatchObject({ scope: 'request', reason: 'ValidationException' });
    expect(proxy.requests).toHaveLength(1);
  });

  test('a destination that is not a phone number -> InvalidParametersException -> request', async () => {
    const classified = await expectSendFailure(activities().sendWhatsApp, input({ destination: 'nobody' }), PERSONAL);
    expect(classified).toMatchObject({ scope: 'request', reason: 'InvalidParametersException' });
  });

  test('an access key the simulator does not know -> UnrecognizedClientException -> account', async () => {
    const client = createWhatsAppClient({
      region: 'eu-west-1',
      endpoint: proxy.url,
      credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' },
    });
    extraClients.push(client);
    const acts = createActivities({ smsClient: () => undefined as never, channels: { whatsapp: () => client } });
    const classified = await expectSendFailure(acts.sendWhatsApp, input(), PERSONAL);
    expect(classified).toMatchObject({ scope: 'account', reason: 'UnrecognizedClientException' });
  });

  test('connection refused -> region, retryable, not ambiguous', async () => {
    const port = await closedPort();
    const client = createWhatsAppClient({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: KEYS.primary,
      connectTimeoutMs: 100,
    });
    extraClients.push(client);
    const acts = createActivities({ smsClient: () => undefined as never, channels: { whatsapp: () => client } });
    const classified = await expectSendFailure(acts.sendWhatsApp, input(), PERSONAL);
    expect(classified).toMatchObject({ scope: 'region', reason: 'ECONNREFUSED', retryable: true, ambiguous: false });
    await settleConnectTimer();
  });

  test('a target this worker has no config for, or no WhatsApp channel at all -> config', async () => {
    const other = await expectSendFailure(
      activities().sendWhatsApp,
      input({ target: { channel: 'whatsapp', account: 'secondary', region: 'eu-west-1' } }),
      PERSONAL,
    );
    expect(other).toMatchObject({ scope: 'config', reason: 'CHANNEL_NOT_CONFIGURED' });
    const none = createActivities({ smsClient: () => undefined as never });
    const missing = await expectSendFailure(none.sendWhatsApp, input(), PERSONAL);
    expect(missing).toMatchObject({ scope: 'config', reason: 'CHANNEL_NOT_CONFIGURED' });
    expect(proxy.requests).toHaveLength(0);
  });

  test('control: a default SDK client re-sends after a 500 (what maxAttempts: 1 prevents)', async () => {
    await addFault({ match: {}, effect: { api: 'internal-error' }, count: 3 });
    const client = new SocialMessagingClient({ region: 'eu-west-1', endpoint: proxy.url, credentials: KEYS.primary });
    extraClients.push(client);
    const acts = createActivities({ smsClient: () => undefined as never, channels: { whatsapp: () => client } });
    await expectSendFailure(acts.sendWhatsApp, input(), PERSONAL);
    expect(proxy.requests.length).toBeGreaterThan(1);
  });
});
