/**
 * requestDifferences: which fields of a reused idempotency key's request differ from the stored one (the 409's
 * `differentFields`), compared on normalised requests as the typed client does, never echoing a value.
 */
import { resolveMessage } from '../../src/domain/resolve';
import { requestDifferences, sameJson } from '../../src/domain/request-diff';
import type { MessageRequestInput } from '../../src/domain/message';
import { apiTestConfig } from '../api/doubles';

const base: MessageRequestInput = {
  destination: '+14255550156',
  body: 'Your code is 123456',
  useCase: 'otp',
  idempotencyKey: 'login-42',
};
const normalised = (r: MessageRequestInput) => resolveMessage(apiTestConfig(), r).request;
const diff = (a: MessageRequestInput, b: MessageRequestInput) => requestDifferences(normalised(a), normalised(b));

describe('requestDifferences', () => {
  it('finds nothing between a request and itself, however it is spelled', () => {
    expect(diff(base, base)).toEqual([]);
    expect(diff(base, { ...base, destination: ' +14255550156 ' })).toEqual([]);
    expect(diff(base, { ...base, messageType: 'TRANSACTIONAL' })).toEqual([]); // the policy's default, spelled out
    expect(diff({ ...base, tags: { a: '1', b: '2' } }, { ...base, tags: { b: '2', a: '1' } })).toEqual([]);
  });

  it('names each differing field in a fixed order, nested ones one level down', () => {
    expect(diff(base, { ...base, body: 'Your code is 654321' })).toEqual(['body']);
    expect(diff(base, { ...base, destination: '+14255550199', useCase: 'alert' })).toEqual(['destination', 'useCase']);
    expect(diff(base, { ...base, contacts: { email: 'a@example.com' } })).toEqual(['contacts.email']);
    expect(diff(base, { ...base, content: { voice: { text: 'Your code is one two three' } } })).toEqual([
      'content.voice',
    ]);
    expect(diff(base, { ...base, timeZone: 'America/New_York', tags: { campaign: 'x' } })).toEqual([
      'timeZone',
      'tags',
    ]);
    expect(diff(base, { ...base, messageType: 'PROMOTIONAL' })).toEqual(['messageType']);
  });

  it('does not repeat a body change as every derived channel content change', () => {
    expect(diff(base, { ...base, body: 'another body' })).toEqual(['body']);
  });

  it('skips content a stored request from an older release does not have', () => {
    const { content: _none, ...old } = normalised(base);
    expect(requestDifferences(old, normalised(base))).toEqual([]);
  });
});

describe('sameJson', () => {
  it('compares JSON values deeply, ignoring key order and absent-vs-undefined', () => {
    expect(sameJson({ a: [1, { b: 2 }], c: undefined }, { a: [1, { b: 2 }] })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameJson([], {})).toBe(false);
    expect(sameJson(null, {})).toBe(false);
    expect(sameJson('1', 1)).toBe(false);
  });
});
