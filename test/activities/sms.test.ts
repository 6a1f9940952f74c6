/**
 * The SMS activities against a real HTTP endpoint speaking the SMS v2 protocol, through the real AWS SDK client
 * (only `endpoint` changed). Every error case asserts that exactly one request reached the "service": the client
 * must never re-send on its own.
 */
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { inspect } from 'node:util';
import { createActivities, FEEDBACK_REJECTED_TYPE } from '../../src/activities';
import { createSmsClient } from '../../src/aws/clients';
import type { SmsClientRegistry } from '../../src/aws/registries';
import type { ClassifiedFailure } from '../../src/domain/outcome';
import {
  CONTEXT_ATTEMPT,
  CONTEXT_WORKFLOW_ID,
  SEND_FAILURE_TYPE,
  type PutFeedbackInput,
  type RouteRef,
  type SendSmsInput,
} from '../../src/domain/sending';
import { closedPort, startSmsV2Endpoint, type Behaviour, type SmsV2Endpoint } from '../helpers/sms-v2-endpoint';

const PRIMARY: RouteRef = { id: 'primary-euw1', account: 'primary', region: 'eu-west-1', configurationSet: 'rsms-cs' };
const SECONDARY: RouteRef = { id: 'secondary-usw2', account: 'secondary', region: 'us-west-2' };
const DESTINATION = '+447700900123';
const BODY = 'Your verification code is 482913';

const KEYS: Record<string, string> = { primary: 'AKIDTESTPRIMARY', secondary: 'AKIDTESTSECONDARY' };

function input(overrides: Partial<SendSmsInput> = {}): SendSmsInput {
  return {
    workflowId: 'msg-0001',
    attempt: 3,
    route: PRIMARY,
    originationIdentity: 'pool-0123456789abcdef',
    destination: DESTINATION,
    body: BODY,
    messageType: 'TRANSACTIONAL',
    ttlSeconds: 300,
    maxPrice: '0.05',
    feedbackEnabled: true,
    ...overrides,
  };
}

function feedback(messageId: string, status: PutFeedbackInput['status']): PutFeedbackInput {
  return { route: PRIMARY, messageId, status };
}

let endpoint: SmsV2Endpoint;
const clients: PinpointSMSVoiceV2Client[] = [];

interface Timeouts {
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
}

function clientFor(route: RouteRef, url: string, timeouts: Timeouts = {}): PinpointSMSVoiceV2Client {
  const client = createSmsClient({
    region: route.region,
    endpoint: url,
    credentials: { accessKeyId: KEYS[route.account], secretAccessKey: 'test-secret' },
    requestTimeoutMs: timeouts.requestTimeoutMs ?? 2_000,
    connectTimeoutMs: timeouts.connectTimeoutMs ?? 1_000,
  });
  clients.push(client);
  return client;
}

/** A registry like the worker's: one client per (account, Region), built once. */
function registryFor(url: string, timeouts?: Timeouts): SmsClientRegistry {
  const byKey = new Map<string, PinpointSMSVoiceV2Client>();
  return (route) => {
    const key = `${route.account}/${route.region}`;
    if (!byKey.has(key)) byKey.set(key, clientFor(route, url, timeouts));
    return byKey.get(key)!;
  };
}

function activities(url = endpoint.url, timeouts?: Timeouts) {
  return createActivities({ smsClient: registryFor(url, timeouts), now: () => 1_700_000_000_000 });
}

/** Everything the activities (and the activity framework around them) log. */
const logs: LogEntry[] = [];
const env = new MockActivityEnvironment(undefined, {
  logger: new DefaultLogger('TRACE', (entry) => logs.push(entry)),
});

/** Run `sendSms` in an activity context and return the classification it failed with. */
async function sendExpectingFailure(
  acts: ReturnType<typeof createActivities>,
  req = input(),
): Promise<ClassifiedFailure> {
  const err: unknown = await env.run(acts.sendSms, req).then(
    () => {
      throw new Error('expected sendSms to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  const failure = err as ApplicationFailure;
  expect(failure.type).toBe(SEND_FAILURE_TYPE);
  expect(failure.nonRetryable).toBe(true);
  expect(failure.details).toHaveLength(1);
  const classified = failure.details![0] as ClassifiedFailure;
  expect(failure.message).toBe(classified.message);
  // No personal data in what goes to the workflow history.
  expect(JSON.stringify({ m: failure.message, d: failure.details })).not.toMatch(/447700900123|482913/);
  return classified;
}

beforeAll(async () => {
  endpoint = await startSmsV2Endpoint();
});

afterEach(() => {
  endpoint.reset();
  // Never a phone number or a message body in the logs, whatever happened.
  const logged = inspect(logs.splice(0), { depth: 10 });
  expect(logged).not.toMatch(/447700900123|482913/);
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await endpoint.close();
});

describe('sendSms', () => {
  test('success: maps every field onto SendTextMessage and returns the MessageId', async () => {
    endpoint.once('SendTextMessage', { kind: 'success', messageId: 'mid-123' });
    const result = await env.run(activities().sendSms, input());

    expect(result).toEqual({ messageId: 'mid-123', acceptedAt: 1_700_000_000_000 });
    expect(endpoint.requests).toHaveLength(1);
    const req = endpoint.requests[0];
    expect(req.operation).toBe('SendTextMessage');
    expect(req.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(req.region).toBe('eu-west-1');
    expect(req.accessKeyId).toBe('AKIDTESTPRIMARY');
    expect(req.signingService).toBe('sms-voice');
    expect(req.body).toEqual({
      DestinationPhoneNumber: DESTINATION,
      OriginationIdentity: 'pool-0123456789abcdef',
      MessageBody: BODY,
      MessageType: 'TRANSACTIONAL',
      ConfigurationSetName: 'rsms-cs',
      MaxPrice: '0.05',
      TimeToLive: 300,
      Context: { [CONTEXT_WORKFLOW_ID]: 'msg-0001', [CONTEXT_ATTEMPT]: '3' },
      MessageFeedbackEnabled: true,
    });
  });

  test('optional fields: ProtectConfigurationId and DryRun are sent when set, absent ones are omitted', async () => {
    await env.run(
      activities().sendSms,
      input({
        route: SECONDARY,
        maxPrice: undefined,
        feedbackEnabled: false,
        protectConfigurationId: 'protect-abc',
        dryRun: true,
        messageType: 'PROMOTIONAL',
      }),
    );
    const body = endpoint.requests[0].body!;
    expect(body).toMatchObject({
      ProtectConfigurationId: 'protect-abc',
      DryRun: true,
      MessageFeedbackEnabled: false,
      MessageType: 'PROMOTIONAL',
    });
    expect(body).not.toHaveProperty('MaxPrice');
    expect(body).not.toHaveProperty('ConfigurationSetName');
    expect(body).not.toHaveProperty('Keyword');
    expect(body).not.toHaveProperty('DestinationCountryParameters');
  });

  test("the use case's Keyword and DestinationCountryParameters reach SendTextMessage as given", async () => {
    await env.run(
      activities().sendSms,
      input({ keyword: 'ACMEOTP', destinationCountryParameters: { IN_ENTITY_ID: '1101', IN_TEMPLATE_ID: '1107' } }),
    );
    expect(endpoint.requests[0].body).toMatchObject({
      Keyword: 'ACMEOTP',
      DestinationCountryParameters: { IN_ENTITY_ID: '1101', IN_TEMPLATE_ID: '1107' },
    });
  });

  test('each route uses its own account credentials and Region', async () => {
    const acts = activities();
    await env.run(acts.sendSms, input({ route: PRIMARY }));
    await env.run(acts.sendSms, input({ route: SECONDARY, attempt: 4 }));
    expect(endpoint.requests.map((r) => [r.region, r.accessKeyId])).toEqual([
      ['eu-west-1', 'AKIDTESTPRIMARY'],
      ['us-west-2', 'AKIDTESTSECONDARY'],
    ]);
  });

  const serviceErrors: Array<{
    what: string;
    behaviour: Behaviour;
    expected: Partial<ClassifiedFailure>;
  }> = [
    {
      what: 'Throttling -> originator, retryable',
      behaviour: { kind: 'error', type: 'ThrottlingException', message: 'Rate exceeded' },
      expected: { scope: 'originator', reason: 'ThrottlingException', retryable: true, ambiguous: false },
    },
    {
      what: 'ServiceQuotaExceeded MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT -> account',
      behaviour: {
        kind: 'error',
        type: 'ServiceQuotaExceededException',
        reason: 'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT',
      },
      expected: {
        scope: 'account',
        reason: 'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT',
        retryable: false,
        ambiguous: false,
      },
    },
    {
      what: 'AccessDenied ACCOUNT_DISABLED -> account',
      behaviour: { kind: 'error', type: 'AccessDeniedException', reason: 'ACCOUNT_DISABLED' },
      expected: { scope: 'account', reason: 'ACCOUNT_DISABLED', retryable: false, ambiguous: false },
    },
    {
      what: 'Validation SENDER_ID_NOT_REGISTERED -> originator',
      behaviour: { kind: 'error', type: 'ValidationException', reason: 'SENDER_ID_NOT_REGISTERED' },
      expected: { scope: 'originator', reason: 'SENDER_ID_NOT_REGISTERED', retryable: false, ambiguous: false },
    },
    {
      what: 'Validation DESTINATION_COUNTRY_BLOCKED -> account',
      behaviour: { kind: 'error', type: 'ValidationException', reason: 'DESTINATION_COUNTRY_BLOCKED' },
      expected: { scope: 'account', reason: 'DESTINATION_COUNTRY_BLOCKED', retryable: false, ambiguous: false },
    },
    {
      what: 'Validation CANNOT_PARSE -> request (the message quoting the number is redacted)',
      behaviour: {
        kind: 'error',
        type: 'ValidationException',
        reason: 'CANNOT_PARSE',
        message: `Value '${DESTINATION}' at 'destinationPhoneNumber' failed to satisfy constraint`,
        extra: { Fields: [{ Name: 'DestinationPhoneNumber', Message: `invalid ${DESTINATION}` }] },
      },
      expected: { scope: 'request', reason: 'CANNOT_PARSE', retryable: false, ambiguous: false },
    },
    {
      what: 'Conflict DESTINATION_PHONE_NUMBER_OPTED_OUT -> recipient',
      behaviour: {
        kind: 'error',
        type: 'ConflictException',
        reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT',
        extra: { ResourceType: 'opted-out-number', ResourceId: DESTINATION },
      },
      expected: {
        scope: 'recipient',
        reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT',
        retryable: false,
        ambiguous: false,
      },
    },
    {
      what: 'Conflict RESOURCE_NOT_ACTIVE -> config',
      behaviour: {
        kind: 'error',
        type: 'ConflictException',
        reason: 'RESOURCE_NOT_ACTIVE',
        extra: { ResourceType: 'pool' },
      },
      expected: { scope: 'config', reason: 'RESOURCE_NOT_ACTIVE', retryable: false, ambiguous: false },
    },
    {
      // Every originator of the route sends through that configuration set: the whole route is out.
      what: 'ResourceNotFound configuration-set -> route',
      behaviour: {
        kind: 'error',
        type: 'ResourceNotFoundException',
        extra: { ResourceType: 'configuration-set', ResourceId: 'rsms-cs' },
      },
      expected: { scope: 'route', reason: 'ResourceNotFoundException', retryable: false, ambiguous: false },
    },
    {
      what: 'ResourceNotFound pool -> config (that originator)',
      behaviour: {
        kind: 'error',
        type: 'ResourceNotFoundException',
        extra: { ResourceType: 'pool', ResourceId: 'pool-x' },
      },
      expected: { scope: 'config', reason: 'ResourceNotFoundException', retryable: false, ambiguous: false },
    },
    {
      what: 'InternalServer 500 -> region, ambiguous',
      behaviour: { kind: 'error', type: 'InternalServerException', message: 'Internal failure' },
      expected: { scope: 'region', reason: 'InternalServerException', retryable: false, ambiguous: true },
    },
    {
      what: 'a proxy 502 with an HTML body -> region, ambiguous',
      behaviour: {
        kind: 'raw',
        status: 502,
        body: '<html><body>Bad Gateway</body></html>',
        headers: { 'Content-Type': 'text/html' },
      },
      expected: { scope: 'region', retryable: false, ambiguous: true },
    },
  ];

  test.each(serviceErrors)('$what', async ({ behaviour, expected }) => {
    endpoint.on('SendTextMessage', behaviour);
    const classified = await sendExpectingFailure(activities());
    expect(classified).toMatchObject(expected);
    expect(endpoint.requestsFor('SendTextMessage')).toHaveLength(1);
  });

  test('a configuration failure is logged loudly, with the route but without personal data', async () => {
    endpoint.on('SendTextMessage', { kind: 'error', type: 'ResourceNotFoundException', message: 'Pool not found' });
    await sendExpectingFailure(activities());
    const entry = logs.find((l) => l.message === 'SMS send failed: configuration problem');
    expect(entry).toBeDefined();
    expect(entry!.level).toBe('ERROR');
    expect(entry!.meta).toMatchObject({
      routeId: 'primary-euw1',
      account: 'primary',
      region: 'eu-west-1',
      workflowId: 'msg-0001',
      attempt: 3,
      scope: 'config',
      httpStatus: 400,
    });
    expect(typeof entry!.meta!.requestId).toBe('string');
  });

  test('the service Reason reaches the classification message, field names included', async () => {
    endpoint.on('SendTextMessage', {
      kind: 'error',
      type: 'ValidationException',
      reason: 'CANNOT_PARSE',
      message: `Value '${DESTINATION}' is not a valid phone number`,
      extra: { Fields: [{ Name: 'DestinationPhoneNumber', Message: 'bad' }] },
    });
    const classified = await sendExpectingFailure(activities());
    expect(classified.message).toContain('ValidationException/CANNOT_PARSE');
    expect(classified.message).toContain('<destination>');
    expect(classified.message).toContain('[fields: DestinationPhoneNumber]');
  });

  test('hang -> client timeout -> region, ambiguous (TimeoutError / ETIMEDOUT)', async () => {
    endpoint.on('SendTextMessage', { kind: 'hang' });
    const started = Date.now();
    const classified = await sendExpectingFailure(activities(endpoint.url, { requestTimeoutMs: 300 }));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(classified).toMatchObject({ scope: 'region', reason: 'ETIMEDOUT', retryable: false, ambiguous: true });
    expect(endpoint.requestsFor('SendTextMessage')).toHaveLength(1);
  });

  test('lost response (accepted, then the connection drops) -> region, ambiguous', async () => {
    endpoint.on('SendTextMessage', { kind: 'lost-response', messageId: 'mid-lost' });
    const classified = await sendExpectingFailure(activities());
    expect(classified).toMatchObject({ scope: 'region', reason: 'ECONNRESET', retryable: false, ambiguous: true });
    const reqs = endpoint.requestsFor('SendTextMessage');
    expect(reqs).toHaveLength(1);
    expect(reqs[0].acceptedMessageId).toBe('mid-lost'); // the user got the text although we saw a failure
  });

  test('connection refused -> region, retryable, not ambiguous', async () => {
    const port = await closedPort();
    const classified = await sendExpectingFailure(activities(`http://127.0.0.1:${port}`, { connectTimeoutMs: 100 }));
    expect(classified).toMatchObject({ scope: 'region', reason: 'ECONNREFUSED', retryable: true, ambiguous: false });
    expect(endpoint.requests).toHaveLength(0);
    // @smithy/node-http-handler leaves its connect-timeout timer armed when the connection fails outright (it is
    // only cleared on 'connect'); let it fire so the test file leaves no open handle behind.
    await new Promise((resolve) => setTimeout(resolve, 150));
  });

  test('control: a default SDK client would have re-sent on a 500 (what maxAttempts: 1 prevents)', async () => {
    endpoint.on('SendTextMessage', { kind: 'error', type: 'InternalServerException' });
    const defaultClient = new PinpointSMSVoiceV2Client({
      region: 'eu-west-1',
      endpoint: endpoint.url,
      credentials: { accessKeyId: 'AKIDTESTPRIMARY', secretAccessKey: 'test-secret' },
    });
    clients.push(defaultClient);
    const acts = createActivities({ smsClient: () => defaultClient });
    await sendExpectingFailure(acts);
    expect(endpoint.requestsFor('SendTextMessage').length).toBeGreaterThan(1);
  });
});

describe('putMessageFeedback', () => {
  test('success sends MessageId and status', async () => {
    await env.run(activities().putMessageFeedback, feedback('mid-123', 'RECEIVED'));
    const reqs = endpoint.requestsFor('PutMessageFeedback');
    expect(reqs).toHaveLength(1);
    expect(reqs[0].body).toEqual({ MessageId: 'mid-123', MessageFeedbackStatus: 'RECEIVED' });
    expect(reqs[0].region).toBe('eu-west-1');
  });

  test('a rejection (ResourceNotFound) is a non-retryable FeedbackRejected failure', async () => {
    endpoint.on('PutMessageFeedback', {
      kind: 'error',
      type: 'ResourceNotFoundException',
      extra: { ResourceType: 'message' },
    });
    const err: unknown = await env
      .run(activities().putMessageFeedback, feedback('mid-unknown', 'FAILED'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: FEEDBACK_REJECTED_TYPE, nonRetryable: true });
    expect((err as ApplicationFailure).details).toEqual([
      { name: 'ResourceNotFoundException', reason: undefined, httpStatus: 400 },
    ]);
    expect(endpoint.requestsFor('PutMessageFeedback')).toHaveLength(1);
  });

  test('AccessDenied is rejected too', async () => {
    endpoint.on('PutMessageFeedback', { kind: 'error', type: 'AccessDeniedException', reason: 'ACCOUNT_DISABLED' });
    await expect(env.run(activities().putMessageFeedback, feedback('mid-1', 'FAILED'))).rejects.toMatchObject({
      type: FEEDBACK_REJECTED_TYPE,
      nonRetryable: true,
    });
  });

  test('a transient error (throttling) is thrown as-is so Temporal retries it', async () => {
    endpoint.on('PutMessageFeedback', { kind: 'error', type: 'ThrottlingException' });
    const err: unknown = await env
      .run(activities().putMessageFeedback, feedback('mid-1', 'RECEIVED'))
      .catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(ApplicationFailure);
    expect((err as Error).name).toBe('ThrottlingException');
    expect(endpoint.requestsFor('PutMessageFeedback')).toHaveLength(1);
  });
});
