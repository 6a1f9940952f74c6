/**
 * The channel classifiers row by row, fed with the SDKs' own exception classes (constructed here; the activity tests
 * provoke them on the wire where moto or the simulator can), plus the redaction and the SES tag encoding.
 */
import * as ses from '@aws-sdk/client-sesv2';
import * as sns from '@aws-sdk/client-sns';
import * as social from '@aws-sdk/client-socialmessaging';
import fc from 'fast-check';
import {
  classifyEmailError,
  classifyPushError,
  classifyWhatsAppError,
  redactChannel,
  toChannelErrorInfo,
} from '../../src/activities/channel-errors';
import { decodeTagValue, encodeTagValue } from '../../src/activities/email';
import type { ClassifiedFailure } from '../../src/domain/outcome';

type Ctor = new (opts: { message: string; $metadata: { httpStatusCode?: number } }) => Error;

function sdkError(ctor: Ctor, status: number, message = 'simulated'): Error {
  return new ctor({ message, $metadata: { httpStatusCode: status } });
}

type Row = [string, Ctor, number, Partial<ClassifiedFailure>];

describe('classifyWhatsAppError', () => {
  const rows: Row[] = [
    ['ThrottledRequestException', social.ThrottledRequestException, 429, { scope: 'originator', retryable: true }],
    ['InternalServiceException', social.InternalServiceException, 500, { scope: 'region', ambiguous: true }],
    // A retryable server fault (the SDK model's $fault "server" and $retryable), not Meta refusing the recipient.
    ['DependencyException', social.DependencyException, 502, { scope: 'region', retryable: true, ambiguous: false }],
    ['AccessDeniedException', social.AccessDeniedException, 403, { scope: 'account' }],
    ['AccessDeniedByMetaException', social.AccessDeniedByMetaException, 403, { scope: 'account' }],
    ['LimitExceededException', social.LimitExceededException, 400, { scope: 'account' }],
    ['ValidationException', social.ValidationException, 400, { scope: 'request' }],
    ['InvalidParametersException', social.InvalidParametersException, 400, { scope: 'request' }],
    ['ResourceNotFoundException', social.ResourceNotFoundException, 404, { scope: 'config' }],
  ];
  test.each(rows)('%s', (name, ctor, status, expected) => {
    const c = classifyWhatsAppError(toChannelErrorInfo(sdkError(ctor, status)));
    expect(c).toMatchObject({ reason: name, retryable: false, ambiguous: false, ...expected });
  });
});

describe('classifyEmailError', () => {
  const rows: Row[] = [
    ['TooManyRequestsException', ses.TooManyRequestsException, 429, { scope: 'originator', retryable: true }],
    ['LimitExceededException', ses.LimitExceededException, 400, { scope: 'account' }],
    ['SendingPausedException', ses.SendingPausedException, 400, { scope: 'account' }],
    ['AccountSuspendedException', ses.AccountSuspendedException, 400, { scope: 'account' }],
    ['MailFromDomainNotVerifiedException', ses.MailFromDomainNotVerifiedException, 400, { scope: 'config' }],
    ['BadRequestException', ses.BadRequestException, 400, { scope: 'request' }],
    ['NotFoundException', ses.NotFoundException, 404, { scope: 'config' }],
    ['InternalServiceErrorException', ses.InternalServiceErrorException, 500, { scope: 'region', ambiguous: true }],
  ];
  test.each(rows)('%s', (name, ctor, status, expected) => {
    const c = classifyEmailError(toChannelErrorInfo(sdkError(ctor, status)));
    expect(c).toMatchObject({ reason: name, retryable: false, ambiguous: false, ...expected });
  });

  test('MessageRejected: an unverified identity is our config, anything else the request', () => {
    const unverified = sdkError(
      ses.MessageRejected,
      400,
      'Email address is not verified. The following identities failed the check in region EU-WEST-1: a@b.example',
    );
    expect(classifyEmailError(toChannelErrorInfo(unverified))).toMatchObject({
      scope: 'config',
      reason: 'EMAIL_ADDRESS_NOT_VERIFIED',
    });
    expect(classifyEmailError(toChannelErrorInfo(sdkError(ses.MessageRejected, 400, 'virus')))).toMatchObject({
      scope: 'request',
      reason: 'MessageRejected',
    });
  });
});

describe('classifyPushError', () => {
  const rows: Row[] = [
    ['EndpointDisabledException', sns.EndpointDisabledException, 400, { scope: 'channel' }],
    ['NotFoundException', sns.NotFoundException, 404, { scope: 'channel' }],
    ['ThrottledException', sns.ThrottledException, 429, { scope: 'originator', retryable: true }],
    ['KMSThrottlingException', sns.KMSThrottlingException, 400, { scope: 'originator', retryable: true }],
    ['AuthorizationErrorException', sns.AuthorizationErrorException, 403, { scope: 'account' }],
    ['InvalidSecurityException', sns.InvalidSecurityException, 403, { scope: 'account' }],
    ['PlatformApplicationDisabledException', sns.PlatformApplicationDisabledException, 400, { scope: 'config' }],
    ['KMSDisabledException', sns.KMSDisabledException, 400, { scope: 'config' }],
    ['InvalidParameterException', sns.InvalidParameterException, 400, { scope: 'request' }],
    ['InvalidParameterValueException', sns.InvalidParameterValueException, 400, { scope: 'request' }],
    ['ValidationException', sns.ValidationException as unknown as Ctor, 400, { scope: 'request' }],
    ['InternalErrorException', sns.InternalErrorException, 500, { scope: 'region', ambiguous: true }],
  ];
  test.each(rows)('%s', (name, ctor, status, expected) => {
    const c = classifyPushError(toChannelErrorInfo(sdkError(ctor, status)));
    expect(c).toMatchObject({ reason: name, retryable: false, ambiguous: false, ...expected });
  });
});

describe('rows every channel shares', () => {
  const classifiers = [classifyWhatsAppError, classifyEmailError, classifyPushError];
  const cases: Array<[string, unknown, Partial<ClassifiedFailure>]> = [
    [
      'credentials unavailable (AssumeRole failed)',
      Object.assign(new Error('could not assume role'), { name: 'CredentialsProviderError' }),
      { scope: 'account', reason: 'CREDENTIALS_UNAVAILABLE', retryable: false },
    ],
    [
      'unknown access key at the front door',
      Object.assign(new Error('invalid token'), {
        name: 'UnrecognizedClientException',
        $metadata: { httpStatusCode: 403 },
      }),
      { scope: 'account', reason: 'UnrecognizedClientException' },
    ],
    [
      'connection refused',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      { scope: 'region', reason: 'ECONNREFUSED', retryable: true, ambiguous: false },
    ],
    [
      'request timeout after sending',
      Object.assign(new Error('timed out'), { name: 'TimeoutError', code: 'ETIMEDOUT' }),
      { scope: 'region', reason: 'ETIMEDOUT', retryable: false, ambiguous: true },
    ],
    [
      'an unmodelled 503',
      Object.assign(new Error('Service Unavailable'), { name: 'Unknown', $metadata: { httpStatusCode: 503 } }),
      { scope: 'region', reason: 'HTTP_503', ambiguous: true },
    ],
    [
      'an unmodelled 429',
      Object.assign(new Error('slow down'), { name: 'SlowDown', $metadata: { httpStatusCode: 429 } }),
      { scope: 'originator', retryable: true },
    ],
    [
      'an unmodelled 400',
      Object.assign(new Error('nope'), { name: 'SomethingNew', $metadata: { httpStatusCode: 400 } }),
      { scope: 'request', reason: 'SomethingNew' },
    ],
    ['a thrown string', 'boom', { scope: 'region', ambiguous: true }],
  ];
  test.each(cases)('%s', (_what, err, expected) => {
    for (const classify of classifiers) expect(classify(toChannelErrorInfo(err))).toMatchObject(expected);
  });
});

describe('redaction', () => {
  test('texts, other people’s e-mail addresses and phone numbers are removed; our sender stays', () => {
    const msg =
      'Rejected mail from noreply@rsms.example.com to alice@example.org about "Your code is 123456" for +447700900123';
    expect(
      redactChannel(msg, {
        texts: ['Your code is 123456'],
        destination: '+447700900123',
        keepEmails: ['noreply@rsms.example.com'],
      }),
    ).toBe('Rejected mail from noreply@rsms.example.com to <email> about "<content>" for <destination>');
  });

  test('a text containing another is replaced whole; short texts are left alone', () => {
    expect(redactChannel('a 4821 and Code 4821', { texts: ['4821', 'Code 4821', 'ab'] })).toBe(
      'a <content> and <content>',
    );
  });

  test('toChannelErrorInfo keeps name, status and code', () => {
    const err = Object.assign(sdkError(ses.BadRequestException, 400, 'Illegal address: bob@example.org'), {});
    expect(toChannelErrorInfo(err)).toEqual({
      name: 'BadRequestException',
      httpStatus: 400,
      message: 'Illegal address: <email>',
    });
  });
});

describe('SES tag value encoding', () => {
  test('ids made of letters, digits and dashes stay readable; others are escaped', () => {
    expect(encodeTagValue('msg-0001')).toBe('msg-0001');
    expect(encodeTagValue('otp:login.42')).toBe('otp_3Alogin_2E42');
    expect(encodeTagValue('a_b')).toBe('a_5Fb');
    expect(encodeTagValue('é')).toBe('_C3_A9');
  });

  test('always within the SES alphabet and length, and reversible when not hashed', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (s) => {
        const enc = encodeTagValue(s);
        expect(enc).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(enc.length).toBeLessThanOrEqual(256);
        if (!enc.startsWith('sha256-')) expect(decodeTagValue(enc)).toBe(s);
      }),
    );
  });

  test('too long for a tag -> a stable hash', () => {
    const long = 'x:'.repeat(200);
    expect(encodeTagValue(long)).toMatch(/^sha256-[0-9a-f]{64}$/);
    expect(encodeTagValue(long)).toBe(encodeTagValue(long));
  });
});
