/**
 * `sendPush` against moto's SNS mobile push (platform application + endpoints, the real emulator process) through
 * the real `@aws-sdk/client-sns` client built by the worker's registry (only `endpoint` differs). A recording proxy in
 * front of moto counts requests (one per send) and, for the SNS errors moto cannot produce (throttling,
 * authorization, 5xx), answers with the awsQuery XML error itself so the real SDK parses it.
 */
import '../helpers/cross-realm-errors';
import { createActivities, pushMessage } from '../../src/activities';
import { channelClientsFromConfig } from '../../src/aws/registries';
import { configSchema, type Config } from '../../src/domain/config';
import { CONTEXT_ATTEMPT, CONTEXT_WORKFLOW_ID, type SendPushInput, type SendResult } from '../../src/domain/sending';
import { startMoto, type Moto } from '../../src/tools/moto';
import { provisionChannels, type PushEndpoints } from '../../src/tools/provision-channels';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy';
import { env, expectCleanLogs, expectSendFailure, logs } from './channel-harness';

const KEYS = { accessKeyId: 'AKIDPUSH', secretAccessKey: 'push-secret' };
const TITLE = 'Sign-in code';
const BODY = 'Your sign-in code is 305718';
const PERSONAL = /305718|Sign-in code/i;

let moto: Moto;
let proxy: RecordingProxy;
let config: Config;
let registry: ReturnType<typeof channelClientsFromConfig>;
let acts: ReturnType<typeof createActivities>;
let endpoints: PushEndpoints;

function makeConfig(endpoint: string): Config {
  return configSchema.parse({
    accounts: { app: { credentials: { type: 'static', ...KEYS } } },
    routes: [{ id: 'r1', account: 'app', region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }],
    originators: { US: [{ route: 'r1', identity: 'pool-us', type: 'toll-free' }] },
    policies: { otp: {} },
    channels: { push: { account: 'app', region: 'us-east-1', endpoint } },
  });
}

function input(endpointArn: string, overrides: Partial<SendPushInput> = {}): SendPushInput {
  return {
    workflowId: 'otp:push-3',
    attempt: 11,
    target: { channel: 'push', account: 'app', region: 'us-east-1' },
    endpointArn,
    title: TITLE,
    body: BODY,
    ...overrides,
  };
}

interface MotoEndpoint {
  arn: string;
  messages: Record<string, string>;
}

async function motoEndpoint(arn: string): Promise<MotoEndpoint | undefined> {
  const res = await fetch(`${moto.endpoint}/moto-api/data.json`);
  const data = (await res.json()) as { sns: { PlatformEndpoint: MotoEndpoint[] } };
  return data.sns.PlatformEndpoint.find((e) => e.arn === arn);
}

/** The awsQuery (XML) error answer of SNS, as the service sends it. */
function snsError(status: number, code: string, message: string) {
  return {
    status,
    headers: { 'Content-Type': 'text/xml' },
    body:
      '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type>' +
      `<Code>${code}</Code><Message>${message}</Message></Error><RequestId>req-injected</RequestId></ErrorResponse>`,
  };
}

let tokens = 0;
const newDevice = () => endpoints.create(`fcm-token-${++tokens}-${Date.now()}`);

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startRecordingProxy(moto.endpoint);
  config = makeConfig(proxy.url);
  const provisioned = await provisionChannels(config);
  endpoints = provisioned.push!;
  registry = channelClientsFromConfig(config, { requestTimeoutMs: 5_000 });
  acts = createActivities({ smsClient: () => undefined as never, channels: registry, now: () => 1_700_000_000_000 });
}, 60_000);

beforeEach(() => proxy.reset());

afterEach(() => {
  expectCleanLogs(PERSONAL);
});

afterAll(async () => {
  registry?.destroyAll();
  await proxy?.close();
  await moto?.stop();
});

describe('sendPush', () => {
  test('provisioning: an FCM platform application, endpoints per device token (the same ARN for the same token)', async () => {
    expect(endpoints.platformApplicationArn).toMatch(/^arn:aws:sns:us-east-1:\d{12}:app\/GCM\/resilient-sms$/);
    const arn = await endpoints.create('fcm-token-same');
    expect(arn).toMatch(/^arn:aws:sns:us-east-1:\d{12}:endpoint\/GCM\/resilient-sms\//);
    expect(await endpoints.create('fcm-token-same')).toBe(arn);
    expect((await provisionChannels(config)).push?.platformApplicationArn).toBe(endpoints.platformApplicationArn);
  });

  test('success: one Publish to the endpoint with per-platform JSON; SNS stores it for the device', async () => {
    const arn = await newDevice();
    proxy.reset();
    const result: SendResult = await env.run(acts.sendPush, input(arn));
    expect(result).toEqual({ messageId: expect.any(String), acceptedAt: 1_700_000_000_000 });

    expect(proxy.requests).toHaveLength(1);
    const req = proxy.requests[0];
    expect(req).toMatchObject({
      method: 'POST',
      region: 'us-east-1',
      signingService: 'sns',
      accessKeyId: KEYS.accessKeyId,
    });
    const form = new URLSearchParams(req.body);
    expect(form.get('Action')).toBe('Publish');
    expect(form.get('TargetArn')).toBe(arn);
    expect(form.get('MessageStructure')).toBe('json');
    const message = JSON.parse(form.get('Message')!) as Record<string, string>;
    const data = { [CONTEXT_WORKFLOW_ID]: 'otp:push-3', [CONTEXT_ATTEMPT]: '11' };
    expect(message.default).toBe(`${TITLE}: ${BODY}`);
    expect(JSON.parse(message.GCM)).toEqual({
      fcmV1Message: { message: { notification: { title: TITLE, body: BODY }, data } },
    });
    expect(JSON.parse(message.APNS)).toEqual({ aps: { alert: { title: TITLE, body: BODY } }, ...data });
    expect(message.APNS_SANDBOX).toBe(message.APNS);

    const stored = await motoEndpoint(arn);
    expect(stored?.messages[result.messageId]).toBe(pushMessage(input(arn)));
    expect(logs.find((l) => l.message === 'Push accepted')?.meta).toMatchObject({ channel: 'push', attempt: 11 });
  });

  test('a disabled endpoint (the platform dropped the token) -> EndpointDisabled -> channel', async () => {
    const arn = await newDevice();
    await endpoints.disable(arn);
    proxy.reset();
    const classified = await expectSendFailure(acts.sendPush, input(arn), PERSONAL);
    expect(classified).toMatchObject({
      scope: 'channel',
      reason: 'EndpointDisabledException',
      retryable: false,
      ambiguous: false,
    });
    expect(proxy.requests).toHaveLength(1);
    expect(Object.keys((await motoEndpoint(arn))!.messages)).toHaveLength(0);
  });

  test('an endpoint created disabled fails the same way', async () => {
    const arn = await endpoints.create(`fcm-token-off-${Date.now()}`, { enabled: false });
    const classified = await expectSendFailure(acts.sendPush, input(arn), PERSONAL);
    expect(classified).toMatchObject({ scope: 'channel', reason: 'EndpointDisabledException' });
  });

  test('an unknown endpoint ARN -> NotFound -> channel', async () => {
    const arn = `${endpoints.platformApplicationArn.replace(':app/', ':endpoint/')}/00000000-0000-4000-8000-000000000000`;
    const classified = await expectSendFailure(acts.sendPush, input(arn), PERSONAL);
    expect(classified).toMatchObject({ scope: 'channel', reason: 'NotFoundException', retryable: false });
    expect(proxy.requests).toHaveLength(1);
  });

  test('a malformed target ARN -> InvalidParameter -> request', async () => {
    const classified = await expectSendFailure(acts.sendPush, input('not-an-arn'), PERSONAL);
    expect(classified).toMatchObject({ scope: 'request', reason: 'InvalidParameterException' });
    expect(proxy.requests).toHaveLength(1);
  });

  const injected: Array<{ status: number; code: string; expected: Record<string, unknown> }> = [
    {
      status: 429,
      code: 'Throttled',
      expected: { scope: 'originator', reason: 'ThrottledException', retryable: true, ambiguous: false },
    },
    {
      status: 403,
      code: 'AuthorizationError',
      expected: { scope: 'account', reason: 'AuthorizationErrorException', retryable: false },
    },
    {
      status: 400,
      code: 'PlatformApplicationDisabled',
      expected: { scope: 'config', reason: 'PlatformApplicationDisabledException' },
    },
    {
      status: 400,
      code: 'InvalidClientTokenId',
      expected: { scope: 'account', reason: 'InvalidClientTokenId' },
    },
    {
      status: 500,
      code: 'InternalError',
      expected: { scope: 'region', reason: 'InternalErrorException', retryable: false, ambiguous: true },
    },
  ];

  test.each(injected)('SNS $code ($status, injected on the wire) -> $expected.scope', async (c) => {
    const arn = await newDevice();
    proxy.reset();
    proxy.inject(snsError(c.status, c.code, `simulated ${c.code}`), 3);
    const classified = await expectSendFailure(acts.sendPush, input(arn), PERSONAL);
    expect(classified).toMatchObject(c.expected);
    expect(proxy.requests).toHaveLength(1); // the SDK would have retried a 429 / 500 without maxAttempts: 1
  });
});
