/**
 * `sendEmail` against moto's SES v2 (the real emulator process) through the real `@aws-sdk/client-sesv2` client
 * built by the worker's registry (only `endpoint` differs). A recording proxy in front of moto counts requests (one
 * per send) and, for the SES errors moto cannot produce (throttling, quotas, paused account, 5xx), answers with the
 * wire-format error itself so the real SDK parses it.
 */
import '../helpers/cross-realm-errors';
import { createActivities, decodeTagValue } from '../../src/activities';
import { createEmailClient } from '../../src/aws/clients';
import { channelClientsFromConfig } from '../../src/aws/registries';
import { configSchema, type Config } from '../../src/domain/config';
import { CONTEXT_ATTEMPT, CONTEXT_WORKFLOW_ID, type SendEmailInput, type SendResult } from '../../src/domain/sending';
import { startMoto, type Moto } from '../../src/tools/moto';
import { provisionChannels } from '../../src/tools/provision-channels';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy';
import { closedPort } from '../helpers/sms-v2-endpoint';
import { env, expectCleanLogs, expectSendFailure, logs, settleConnectTimer } from './channel-harness';

const KEYS = { accessKeyId: 'AKIDMAIL', secretAccessKey: 'mail-secret' };
const FROM = 'noreply@rsms.example.com';
const TO = 'alice.liddell@example.org';
const SUBJECT = 'Your sign-in code';
const TEXT = 'Your sign-in code is 640215';
const PERSONAL = /alice\.liddell|640215|sign-in code/;

let moto: Moto;
let proxy: RecordingProxy;
let config: Config;
let registry: ReturnType<typeof channelClientsFromConfig>;
let acts: ReturnType<typeof createActivities>;

function makeConfig(endpoint: string): Config {
  return configSchema.parse({
    accounts: { mail: { credentials: { type: 'static', ...KEYS } } },
    routes: [{ id: 'r1', account: 'mail', region: 'eu-west-1', endpoint: 'http://127.0.0.1:9' }],
    originators: { GB: [{ route: 'r1', identity: 'pool-gb', type: 'long-code' }] },
    policies: { otp: {} },
    channels: {
      email: { account: 'mail', region: 'eu-west-1', endpoint, fromAddress: FROM, configurationSet: 'rsms-email' },
    },
  });
}

function input(overrides: Partial<SendEmailInput> = {}): SendEmailInput {
  return {
    workflowId: 'otp:login.42',
    attempt: 9,
    target: { channel: 'email', account: 'mail', region: 'eu-west-1' },
    from: FROM,
    to: TO,
    subject: SUBJECT,
    text: TEXT,
    configurationSet: 'rsms-email',
    ...overrides,
  };
}

interface MotoMessage {
  id: string;
  source: string;
  subject: string;
  body: string;
  destinations: { ToAddresses: string[] };
}

async function motoMessages(): Promise<MotoMessage[]> {
  const res = await fetch(`${moto.endpoint}/moto-api/data.json`);
  const data = (await res.json()) as { ses: { Message: MotoMessage[] } };
  return data.ses.Message;
}

/** The restJson1 error answer of SES v2, as the service sends it. */
function sesError(status: number, type: string, message: string) {
  return {
    status,
    headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': type, 'x-amzn-RequestId': 'req-injected' },
    body: JSON.stringify({ message }),
  };
}

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startRecordingProxy(moto.endpoint);
  config = makeConfig(proxy.url);
  registry = channelClientsFromConfig(config, { requestTimeoutMs: 5_000 });
  acts = createActivities({ smsClient: () => undefined as never, channels: registry, now: () => 1_700_000_000_000 });
}, 60_000);

afterEach(() => {
  proxy.reset();
  expectCleanLogs(PERSONAL);
});

afterAll(async () => {
  registry?.destroyAll();
  await proxy?.close();
  await moto?.stop();
});

describe('sendEmail', () => {
  test('an unverified sender is rejected by SES (MessageRejected) -> config, logged at ERROR', async () => {
    // Before provisioning: moto, like SES, refuses a From address that is not a verified identity.
    const classified = await expectSendFailure(acts.sendEmail, input(), PERSONAL);
    expect(classified).toMatchObject({
      scope: 'config',
      reason: 'EMAIL_ADDRESS_NOT_VERIFIED',
      retryable: false,
      ambiguous: false,
    });
    expect(classified.message).toContain(FROM); // our own sender may be named; the recipient never
    expect(proxy.requests).toHaveLength(1);
    expect(logs.find((l) => l.message === 'Email send failed: configuration problem')?.level).toBe('ERROR');
  });

  test('provisionChannels verifies the sender (idempotent); then the send is accepted and stored by SES', async () => {
    const provisioned = await provisionChannels(config);
    await provisionChannels(config); // a second run reuses what exists
    expect(provisioned.email).toEqual({ region: 'eu-west-1', identity: FROM, configurationSet: 'rsms-email' });
    proxy.reset();

    const result: SendResult = await env.run(acts.sendEmail, input());
    expect(result).toEqual({ messageId: expect.any(String), acceptedAt: 1_700_000_000_000 });
    expect(proxy.requests).toHaveLength(1);
    const req = proxy.requests[0];
    expect(req).toMatchObject({ method: 'POST', path: '/v2/email/outbound-emails', region: 'eu-west-1' });
    expect(req).toMatchObject({ signingService: 'ses', accessKeyId: KEYS.accessKeyId });
    expect(JSON.parse(req.body)).toEqual({
      FromEmailAddress: FROM,
      Destination: { ToAddresses: [TO] },
      Content: {
        Simple: {
          Subject: { Data: SUBJECT, Charset: 'UTF-8' },
          Body: { Text: { Data: TEXT, Charset: 'UTF-8' } },
        },
      },
      ConfigurationSetName: 'rsms-email',
      EmailTags: [
        { Name: CONTEXT_WORKFLOW_ID, Value: 'otp_3Alogin_2E42' },
        { Name: CONTEXT_ATTEMPT, Value: '9' },
      ],
    });
    expect(decodeTagValue('otp_3Alogin_2E42')).toBe('otp:login.42');

    const stored = (await motoMessages()).find((m) => m.id === result.messageId);
    expect(stored).toMatchObject({ source: FROM, subject: SUBJECT, body: TEXT, destinations: { ToAddresses: [TO] } });
    expect(logs.find((l) => l.message === 'Email accepted')?.meta).toMatchObject({
      channel: 'email',
      account: 'mail',
      attempt: 9,
      messageId: result.messageId,
    });
  });

  test('an HTML part is sent beside the text part', async () => {
    const html = '<p>Your sign-in code is <b>640215</b></p>';
    const result: SendResult = await env.run(acts.sendEmail, input({ html }));
    const body = JSON.parse(proxy.requests[0].body) as { Content: { Simple: { Body: Record<string, unknown> } } };
    expect(body.Content.Simple.Body).toEqual({
      Text: { Data: TEXT, Charset: 'UTF-8' },
      Html: { Data: html, Charset: 'UTF-8' },
    });
    expect((await motoMessages()).find((m) => m.id === result.messageId)?.body).toBe(html); // moto keeps the HTML
  });

  test('an invalid recipient address is rejected (moto: InvalidParameterValue, 400) -> request', async () => {
    const classified = await expectSendFailure(acts.sendEmail, input({ to: 'alice.liddell-at-example' }), PERSONAL);
    expect(classified).toMatchObject({ scope: 'request', reason: 'InvalidParameterValue', retryable: false });
    expect(proxy.requests).toHaveLength(1);
  });

  const injected: Array<{ status: number; type: string; message: string; expected: Record<string, unknown> }> = [
    {
      status: 429,
      type: 'TooManyRequestsException',
      message: 'Maximum sending rate exceeded.',
      expected: { scope: 'originator', retryable: true, ambiguous: false },
    },
    {
      status: 400,
      type: 'LimitExceededException',
      message: 'Daily message quota exceeded.',
      expected: { scope: 'account', retryable: false },
    },
    {
      status: 400,
      type: 'SendingPausedException',
      message: 'Sending is paused for this account.',
      expected: { scope: 'account' },
    },
    {
      status: 400,
      type: 'AccountSuspendedException',
      message: 'The account has been suspended.',
      expected: { scope: 'account' },
    },
    {
      status: 400,
      type: 'MailFromDomainNotVerifiedException',
      message: 'MAIL FROM domain is not verified.',
      expected: { scope: 'config' },
    },
    {
      status: 404,
      type: 'NotFoundException',
      message: 'Configuration set <rsms-email> does not exist.',
      expected: { scope: 'config' },
    },
    {
      status: 400,
      type: 'MessageRejected',
      message: 'Message contains a virus.',
      expected: { scope: 'request', reason: 'MessageRejected' },
    },
    {
      status: 400,
      type: 'BadRequestException',
      message: `Illegal address: ${TO}`,
      expected: { scope: 'request' },
    },
    {
      status: 500,
      type: 'InternalServiceErrorException',
      message: 'Internal failure.',
      expected: { scope: 'region', retryable: false, ambiguous: true },
    },
  ];

  test.each(injected)('SES $type ($status, injected on the wire) -> $expected.scope', async (c) => {
    proxy.inject(sesError(c.status, c.type, c.message), 3);
    const classified = await expectSendFailure(acts.sendEmail, input(), PERSONAL);
    expect(classified).toMatchObject({ reason: c.type, ...c.expected });
    expect(proxy.requests).toHaveLength(1); // the SDK would have retried a 429 / 500 without maxAttempts: 1
  });

  test('a proxy 502 with an HTML body -> region, ambiguous, one request', async () => {
    proxy.inject({ status: 502, headers: { 'Content-Type': 'text/html' }, body: '<html>Bad Gateway</html>' }, 3);
    const classified = await expectSendFailure(acts.sendEmail, input(), PERSONAL);
    expect(classified).toMatchObject({ scope: 'region', ambiguous: true, retryable: false });
    expect(proxy.requests).toHaveLength(1);
  });

  test('connection refused -> region, retryable, not ambiguous', async () => {
    const port = await closedPort();
    const client = createEmailClient({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: KEYS,
      connectTimeoutMs: 100,
    });
    try {
      const local = createActivities({ smsClient: () => undefined as never, channels: { email: () => client } });
      const classified = await expectSendFailure(local.sendEmail, input(), PERSONAL);
      expect(classified).toMatchObject({ scope: 'region', reason: 'ECONNREFUSED', retryable: true, ambiguous: false });
      await settleConnectTimer();
    } finally {
      client.destroy();
    }
  });
});
