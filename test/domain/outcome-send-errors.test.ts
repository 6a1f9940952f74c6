/**
 * The send-error classification table of docs/failure-classification.md ("Send errors: SMS and voice"), row by
 * row, against the pure classifier.
 */
import { classifySendError, type FailureScope, type SendErrorInfo } from '../../src/domain/outcome';

interface Row {
  what: string;
  err: SendErrorInfo;
  scope: FailureScope;
  reason: string;
  retryable: boolean;
  ambiguous: boolean;
}

const v = (reason: string): SendErrorInfo => ({ name: 'ValidationException', reason, httpStatus: 400, message: 'x' });
const c = (reason: string): SendErrorInfo => ({ name: 'ConflictException', reason, httpStatus: 400, message: 'x' });

const rows: Row[] = [
  // ThrottlingException -> originator, retry with backoff
  {
    what: 'ThrottlingException',
    err: { name: 'ThrottlingException', httpStatus: 400 },
    scope: 'originator',
    reason: 'ThrottlingException',
    retryable: true,
    ambiguous: false,
  },
  // InternalServerException, 5xx, timeout, connection refused -> Region
  {
    what: 'InternalServerException',
    err: { name: 'InternalServerException', httpStatus: 500 },
    scope: 'region',
    reason: 'InternalServerException',
    retryable: false,
    ambiguous: true,
  },
  {
    what: 'unmodelled 502',
    err: { name: 'Unknown', httpStatus: 502 },
    scope: 'region',
    reason: 'HTTP_502',
    retryable: false,
    ambiguous: true,
  },
  {
    what: 'request timeout',
    err: { name: 'TimeoutError', code: 'ETIMEDOUT' },
    scope: 'region',
    reason: 'ETIMEDOUT',
    retryable: false,
    ambiguous: true,
  },
  {
    what: 'connect timeout (no code)',
    err: { name: 'TimeoutError' },
    scope: 'region',
    reason: 'TimeoutError',
    retryable: false,
    ambiguous: true,
  },
  {
    what: 'lost response (reset after the request left)',
    err: { name: 'TimeoutError', code: 'ECONNRESET' },
    scope: 'region',
    reason: 'ECONNRESET',
    retryable: false,
    ambiguous: true,
  },
  {
    what: 'connection refused',
    err: { name: 'Error', code: 'ECONNREFUSED' },
    scope: 'region',
    reason: 'ECONNREFUSED',
    retryable: true,
    ambiguous: false,
  },
  {
    what: 'DNS failure',
    err: { name: 'Error', code: 'ENOTFOUND' },
    scope: 'region',
    reason: 'ENOTFOUND',
    retryable: true,
    ambiguous: false,
  },
  // ServiceQuotaExceeded -> account
  {
    what: 'ServiceQuotaExceeded MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT',
    err: { name: 'ServiceQuotaExceededException', reason: 'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT', httpStatus: 400 },
    scope: 'account',
    reason: 'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT',
    retryable: false,
    ambiguous: false,
  },
  // AccessDenied -> account
  {
    what: 'AccessDenied ACCOUNT_DISABLED',
    err: { name: 'AccessDeniedException', reason: 'ACCOUNT_DISABLED', httpStatus: 400 },
    scope: 'account',
    reason: 'ACCOUNT_DISABLED',
    retryable: false,
    ambiguous: false,
  },
  {
    what: 'AccessDenied INSUFFICIENT_ACCOUNT_REPUTATION',
    err: { name: 'AccessDeniedException', reason: 'INSUFFICIENT_ACCOUNT_REPUTATION', httpStatus: 400 },
    scope: 'account',
    reason: 'INSUFFICIENT_ACCOUNT_REPUTATION',
    retryable: false,
    ambiguous: false,
  },
  // Validation -> originator
  ...['SENDER_ID_NOT_REGISTERED', 'INVALID_IDENTITY_FOR_DESTINATION_COUNTRY', 'RESOURCE_NOT_ACCESSIBLE'].map(
    (reason): Row => ({
      what: `Validation ${reason}`,
      err: v(reason),
      scope: 'originator',
      reason,
      retryable: false,
      ambiguous: false,
    }),
  ),
  // Validation -> account
  ...['DESTINATION_COUNTRY_BLOCKED', 'COUNTRY_NOT_ENABLED'].map((reason): Row => ({
    what: `Validation ${reason}`,
    err: v(reason),
    scope: 'account',
    reason,
    retryable: false,
    ambiguous: false,
  })),
  // Validation -> request (permanent)
  ...['CANNOT_PARSE', 'INVALID_PARAMETER', 'MAXIMUM_SIZE_EXCEEDED', 'PRICE_OVER_THRESHOLD'].map((reason): Row => ({
    what: `Validation ${reason}`,
    err: v(reason),
    scope: 'request',
    reason,
    retryable: false,
    ambiguous: false,
  })),
  // Conflict opted out -> recipient (never routed around, only channels allowed after an opt-out)
  {
    what: 'Conflict DESTINATION_PHONE_NUMBER_OPTED_OUT',
    err: c('DESTINATION_PHONE_NUMBER_OPTED_OUT'),
    scope: 'recipient',
    reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT',
    retryable: false,
    ambiguous: false,
  },
  // Conflict protect block -> channel (no other SMS route; another channel may still reach the user)
  ...[
    'DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE',
    'DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION',
  ].map((reason): Row => ({
    what: `Conflict ${reason}`,
    err: c(reason),
    scope: 'channel',
    reason,
    retryable: false,
    ambiguous: false,
  })),
  // Conflict / ResourceNotFound -> config
  ...['RESOURCE_NOT_ACTIVE', 'NO_ORIGINATION_IDENTITIES_FOUND'].map((reason): Row => ({
    what: `Conflict ${reason}`,
    err: c(reason),
    scope: 'config',
    reason,
    retryable: false,
    ambiguous: false,
  })),
  {
    what: 'ResourceNotFoundException',
    err: { name: 'ResourceNotFoundException', httpStatus: 400 },
    scope: 'config',
    reason: 'ResourceNotFoundException',
    retryable: false,
    ambiguous: false,
  },
];

describe('classifySendError (docs/failure-classification.md table)', () => {
  test.each(rows)('$what -> $scope', ({ err, scope, reason, retryable, ambiguous }) => {
    const out = classifySendError(err);
    expect(out).toMatchObject({ scope, reason, retryable, ambiguous });
    expect(typeof out.message).toBe('string');
    expect(out.message.length).toBeGreaterThan(0);
  });

  test('an unknown error is Region-scoped and ambiguous (the safe side for a non-idempotent send)', () => {
    expect(classifySendError({ name: 'SomethingNew' })).toMatchObject({
      scope: 'region',
      ambiguous: true,
      retryable: false,
    });
  });

  test('an unmodelled 4xx is a request failure', () => {
    expect(classifySendError({ name: 'Unknown', httpStatus: 413 })).toMatchObject({
      scope: 'request',
      reason: 'HTTP_413',
    });
  });

  test('only provably-unsent failures are retryable, and none is both retryable and ambiguous', () => {
    for (const row of rows) {
      const out = classifySendError(row.err);
      expect(out.retryable && out.ambiguous).toBe(false);
    }
  });
});
