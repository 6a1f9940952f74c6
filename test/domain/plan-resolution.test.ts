/**
 * The worker's resolution of a request-only input (src/domain/plan-resolution.ts): the plan the client would have
 * resolved with the same config, or a rejection naming each field; never a throw for bad input.
 */
import { resolvePlanFor } from '../../src/domain/plan-resolution';
import { resolveMessage } from '../../src/domain/resolve';
import { apiTestConfig } from '../api/doubles';

const REQUEST = { destination: '+14255550156', body: 'Your code is 123456', useCase: 'otp' };

describe('resolvePlanFor', () => {
  it('resolves exactly as resolveMessage does with the same config', () => {
    const config = apiTestConfig();
    expect(resolvePlanFor(config, { idempotencyKey: 'k', request: REQUEST })).toEqual({
      resolved: resolveMessage(config, REQUEST),
    });
  });

  it.each([
    [{ idempotencyKey: 'k', request: { ...REQUEST, useCase: 'nope' } }, ['request.useCase']],
    [{ idempotencyKey: 'k', request: { ...REQUEST, destination: '12' } }, ['request.destination']],
    [{ idempotencyKey: 'k', request: { ...REQUEST, extra: 1 } }, ['request']],
    [{ idempotencyKey: 'k', request: null }, ['request']],
    [{ idempotencyKey: 'k', request: [REQUEST] }, ['request']],
    [{ idempotencyKey: undefined, request: REQUEST }, ['idempotencyKey']],
    [{ idempotencyKey: 'bad key!', request: REQUEST }, ['idempotencyKey']],
    [
      { idempotencyKey: 'k', request: { ...REQUEST, destination: '+447700900123', useCase: 'alert' } },
      ['request.destination'],
    ],
  ])('rejects %j naming %j', (input, paths) => {
    const result = resolvePlanFor(apiTestConfig(), input);
    expect('rejected' in result).toBe(true);
    if (!('rejected' in result)) return;
    expect(result.rejected.issues.map((i) => i.path)).toEqual(paths);
    expect(result.rejected.message).toMatch(/^invalid /);
  });
});
