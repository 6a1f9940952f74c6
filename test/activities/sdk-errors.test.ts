import { findErrorCode, redact, toSendErrorInfo } from '../../src/activities/sdk-errors';

describe('toSendErrorInfo', () => {
  test('service exception: name, Reason, status', () => {
    const err = Object.assign(new Error('quota'), {
      name: 'ServiceQuotaExceededException',
      Reason: 'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT',
      $metadata: { httpStatusCode: 400, requestId: 'r-1' },
    });
    expect(toSendErrorInfo(err)).toEqual({
      name: 'ServiceQuotaExceededException',
      reason: 'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT',
      httpStatus: 400,
      message: 'quota',
    });
  });

  test('network code on the error, in a cause chain, or inside an AggregateError', () => {
    expect(findErrorCode(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(
      findErrorCode(
        new Error('outer', {
          cause: new Error('mid', { cause: Object.assign(new Error('in'), { code: 'EHOSTUNREACH' }) }),
        }),
      ),
    ).toBe('EHOSTUNREACH');
    const agg = new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })], 'all failed');
    expect(toSendErrorInfo(agg)).toMatchObject({ name: 'AggregateError', code: 'ECONNREFUSED' });
  });

  test('validation field names are kept, their messages (which may quote values) are not', () => {
    const err = Object.assign(new Error('bad request'), {
      name: 'ValidationException',
      Reason: 'CANNOT_PARSE',
      Fields: [{ Name: 'DestinationPhoneNumber', Message: 'value +447700900123 is not valid' }],
    });
    const info = toSendErrorInfo(err);
    expect(info.message).toBe('bad request [fields: DestinationPhoneNumber]');
  });

  test('non-errors do not throw', () => {
    expect(toSendErrorInfo('boom')).toEqual({ name: 'Error', message: 'boom' });
    expect(toSendErrorInfo(undefined)).toEqual({ name: 'Error', message: 'undefined' });
  });
});

describe('redact', () => {
  test('removes the destination (with or without +), the body, and phone-like numbers', () => {
    const secrets = { destination: '+447700900123', body: 'Your code is 123456' };
    expect(redact("Value '+447700900123' is invalid", secrets)).toBe("Value '<destination>' is invalid");
    expect(redact('number 447700900123 opted out', secrets)).toBe('number <destination> opted out');
    expect(redact('body "Your code is 123456" too long', secrets)).toBe('body "<body>" too long');
    expect(redact('call +1 (206) 555-0152 now')).toBe('call <number> now');
  });

  test('leaves ordinary messages alone', () => {
    expect(redact('connect ECONNREFUSED 127.0.0.1:4566')).toBe('connect ECONNREFUSED 127.0.0.1:4566');
    expect(redact('Rate exceeded')).toBe('Rate exceeded');
  });
});
