/**
 * Delivery-receipt classification against docs/failure-classification.md ("Delivery receipts"): which statuses
 * are final successes, which are final failures, which are intermediate, and the scope of each failure.
 */
import fc from 'fast-check';
import {
  classifyDlrFailure,
  FAILURE_SCOPES,
  FAILURE_STATUSES,
  INTERMEDIATE_STATUSES,
  statusClass,
  SUCCESS_STATUSES,
  type FailureScope,
} from '../../src/domain/outcome';

describe('statusClass', () => {
  it.each(['QUEUED', 'PENDING', 'SENT'])('%s (TEXT_%s) is intermediate', (status) => {
    expect(statusClass(status)).toBe('intermediate');
  });

  it.each(['DELIVERED', 'SUCCESSFUL'])('%s (TEXT_%s) is a success', (status) => {
    expect(statusClass(status)).toBe('success');
  });

  it.each([
    'BLOCKED',
    'CARRIER_BLOCKED',
    'SPAM',
    'TTL_EXPIRED',
    'CARRIER_UNREACHABLE',
    'UNREACHABLE',
    'INVALID',
    'INVALID_MESSAGE',
    'PROTECT_BLOCKED',
    'UNKNOWN',
  ])('%s (TEXT_%s) is a failure', (status) => {
    expect(statusClass(status)).toBe('failure');
  });

  it('treats an unknown or new status as intermediate (it never ends a step by itself)', () => {
    expect(statusClass('SOMETHING_NEW')).toBe('intermediate');
    expect(statusClass('')).toBe('intermediate');
  });

  it('is case-sensitive: receipts carry upper-case statuses', () => {
    expect(statusClass('delivered')).toBe('intermediate');
  });

  it('the three status lists are disjoint and classify as listed', () => {
    const all = [...SUCCESS_STATUSES, ...INTERMEDIATE_STATUSES, ...FAILURE_STATUSES];
    expect(new Set(all).size).toBe(all.length);
    for (const s of SUCCESS_STATUSES) expect(statusClass(s)).toBe('success');
    for (const s of INTERMEDIATE_STATUSES) expect(statusClass(s)).toBe('intermediate');
    for (const s of FAILURE_STATUSES) expect(statusClass(s)).toBe('failure');
  });
});

describe('classifyDlrFailure', () => {
  const table: [string, FailureScope][] = [
    ['BLOCKED', 'originator'],
    ['CARRIER_BLOCKED', 'originator'],
    ['SPAM', 'originator'],
    ['CARRIER_UNREACHABLE', 'route'],
    ['TTL_EXPIRED', 'route'],
    ['UNKNOWN', 'route'],
    ['INVALID', 'channel'],
    ['UNREACHABLE', 'handset'],
    ['PROTECT_BLOCKED', 'channel'],
    ['INVALID_MESSAGE', 'request'],
  ];

  it.each(table)('%s -> %s scope, reason TEXT_%s, never retryable nor ambiguous', (status, scope) => {
    const f = classifyDlrFailure(status);
    expect(f).toEqual({
      scope,
      reason: `TEXT_${status}`,
      message: expect.any(String),
      retryable: false,
      ambiguous: false,
    });
    expect(f.message.length).toBeGreaterThan(0);
  });

  it('covers every failure status of docs/failure-classification.md', () => {
    const designFailures = table.map(([s]) => s);
    for (const s of designFailures) expect(FAILURE_STATUSES).toContain(s);
  });

  it('appends the description to the message', () => {
    const f = classifyDlrFailure('BLOCKED', 'Handset blocked the sender');
    expect(f.message).toMatch(/Handset blocked the sender$/);
    expect(classifyDlrFailure('BLOCKED').message).not.toContain('undefined');
  });

  it.each([
    ['FAILED', 'route'],
    ['TTL_EXPIRED', 'route'],
    ['BUSY', 'handset'],
    ['NO_ANSWER', 'handset'],
    ['COMPLETED_NO_ANSWER', 'handset'],
  ])('voice status %s -> %s scope, reason is the VOICE_ event type', (status, scope) => {
    expect(classifyDlrFailure(status, undefined, `VOICE_${status}`)).toMatchObject({
      scope,
      reason: `VOICE_${status}`,
      retryable: false,
      ambiguous: false,
    });
  });

  it('an unknown status is route-scoped (try elsewhere), never recipient or request', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z_]{1,30}$/).filter((s) => !(FAILURE_STATUSES as readonly string[]).includes(s)),
        (status) => {
          const f = classifyDlrFailure(status);
          expect(f.scope).toBe('route');
          expect(f.reason).toBe(`TEXT_${status}`);
        },
      ),
    );
  });

  it('always yields a known scope and never marks a receipt failure retryable or ambiguous', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...FAILURE_STATUSES), fc.string()), fc.option(fc.string()), (status, d) => {
        const f = classifyDlrFailure(status, d ?? undefined);
        expect(FAILURE_SCOPES).toContain(f.scope);
        expect(f.retryable).toBe(false);
        expect(f.ambiguous).toBe(false);
      }),
    );
  });
});
