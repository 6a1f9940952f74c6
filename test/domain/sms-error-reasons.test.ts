/**
 * Every reason and event the installed SDK knows has an explicit, deliberate row: the classifier's tables
 * (src/domain/sms-error-reasons.ts, src/domain/sms-event-types.ts) against the SDK's own enums at run time, and the
 * classifier (src/domain/outcome.ts) against the tables.
 */
import * as sdk from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { classifyDlrFailure, classifySendError, statusClass } from '../../src/domain/outcome';
import {
  ACCESS_DENIED_REASON_SCOPES,
  CONFLICT_REASON_SCOPES,
  MISSING_RESOURCE_SCOPES,
  QUOTA_REASON_SCOPES,
  VALIDATION_REASON_SCOPES,
} from '../../src/domain/sms-error-reasons';
import { SMS_VOICE_EVENT_MEANINGS } from '../../src/domain/sms-event-types';

const TABLES: [string, Record<string, string>, Record<string, string>, string][] = [
  ['ValidationExceptionReason', sdk.ValidationExceptionReason, VALIDATION_REASON_SCOPES, 'ValidationException'],
  ['ConflictExceptionReason', sdk.ConflictExceptionReason, CONFLICT_REASON_SCOPES, 'ConflictException'],
  [
    'AccessDeniedExceptionReason',
    sdk.AccessDeniedExceptionReason,
    ACCESS_DENIED_REASON_SCOPES,
    'AccessDeniedException',
  ],
  [
    'ServiceQuotaExceededExceptionReason',
    sdk.ServiceQuotaExceededExceptionReason,
    QUOTA_REASON_SCOPES,
    'ServiceQuotaExceededException',
  ],
];

describe.each(TABLES)('%s', (_name, sdkEnum, table, exception) => {
  const members = Object.values(sdkEnum);

  it('has a row for every member of the installed SDK, and no row the SDK does not know', () => {
    expect(members.length).toBeGreaterThan(0);
    expect(members.filter((m) => !Object.prototype.hasOwnProperty.call(table, m))).toEqual([]);
    expect(Object.keys(table).filter((k) => !members.includes(k))).toEqual([]);
  });

  it.each(members)('%s is classified with the scope of its row', (reason) => {
    const f = classifySendError({ name: exception, reason, httpStatus: 400, message: 'x' });
    expect({ reason: f.reason, scope: f.scope, retryable: f.retryable, ambiguous: f.ambiguous }).toEqual({
      reason,
      scope: table[reason],
      retryable: false,
      ambiguous: false,
    });
  });
});

describe('ResourceNotFoundException ResourceType', () => {
  it('has a row for every ResourceType of the installed SDK', () => {
    const members = Object.values(sdk.ResourceType) as string[];
    expect(members.filter((m) => !Object.prototype.hasOwnProperty.call(MISSING_RESOURCE_SCOPES, m))).toEqual([]);
  });

  it.each(Object.values(sdk.ResourceType) as string[])('a missing %s is classified with its row', (type) => {
    const f = classifySendError({ name: 'ResourceNotFoundException', resourceType: type, httpStatus: 404 });
    expect(f.scope).toBe(MISSING_RESOURCE_SCOPES[type as sdk.ResourceType]);
  });
});

describe('reasons the SDK does not know yet', () => {
  it('take the safe path: a new validation reason tries the next originator, never FAILED', () => {
    expect(classifySendError({ name: 'ValidationException', reason: 'SOMETHING_NEW', httpStatus: 400 })).toMatchObject({
      scope: 'originator',
      reason: 'SOMETHING_NEW',
    });
    expect(classifySendError({ name: 'ConflictException', reason: 'SOMETHING_NEW', httpStatus: 409 }).scope).toBe(
      'config',
    );
    expect(classifySendError({ name: 'ServiceQuotaExceededException', reason: 'NEW_QUOTA' }).scope).toBe('account');
  });

  it('are read as own rows only (a reason named like an Object property is unknown, not a function)', () => {
    expect(classifySendError({ name: 'ValidationException', reason: 'constructor' }).scope).toBe('originator');
  });
});

describe('the rows the review asked for', () => {
  it.each([
    ['ValidationException', 'SENDER_ID_REQUIRES_REGISTRATION', 'originator'],
    ['ValidationException', 'INTERNATIONAL_SENDING_NOT_SUPPORTED', 'account'],
    ['ValidationException', 'CHANNEL_NOT_ENABLED', 'originator'],
    ['ValidationException', 'VOICE_CAPABILITY_NOT_AVAILABLE', 'originator'],
    // An account still in the SMS sandbox can text verified numbers only: the account is skipped, not one originator.
    ['ConflictException', 'DESTINATION_PHONE_NUMBER_NOT_VERIFIED', 'account'],
  ])('%s %s -> %s', (name, reason, scope) => {
    expect(classifySendError({ name, reason, httpStatus: 400 }).scope).toBe(scope);
  });
});

describe('SMS and voice event types', () => {
  const members = (Object.values(sdk.EventType) as string[]).filter((t) => /^(TEXT|VOICE)_/.test(t));

  it('has a row for every TEXT_ and VOICE_ event type of the installed SDK', () => {
    expect(members.length).toBeGreaterThan(20);
    expect(members.filter((m) => !Object.prototype.hasOwnProperty.call(SMS_VOICE_EVENT_MEANINGS, m))).toEqual([]);
  });

  it.each(members.filter((m) => !m.endsWith('_ALL')))('%s is classified as its row says', (eventType) => {
    const meaning = SMS_VOICE_EVENT_MEANINGS[eventType as keyof typeof SMS_VOICE_EVENT_MEANINGS];
    const status = eventType.replace(/^(TEXT|VOICE)_/, '');
    expect(statusClass(status)).toBe(meaning.class);
    if (meaning.class === 'failure') {
      const f = classifyDlrFailure(status, undefined, eventType);
      expect({ scope: f.scope, reason: f.reason }).toEqual({ scope: meaning.scope, reason: eventType });
    }
  });
});
