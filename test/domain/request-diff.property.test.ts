/**
 * requestDifferences, property: whatever two valid requests differ in, only field names come out (never a value),
 * and the answer is symmetric.
 */
import fc from 'fast-check';
import { resolveMessage } from '../../src/domain/resolve';
import { requestDifferences } from '../../src/domain/request-diff';
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

describe('requestDifferences (property)', () => {
  it('never puts a value in its answer (property: only known field names come out)', () => {
    const names = /^(destination|body|useCase|messageType|timeZone|tags|contacts\.[a-zA-Z]+|content\.[a-z]+)$/;
    fc.assert(
      fc.property(
        fc.record({
          body: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ]{0,39}$/),
          email: fc.option(fc.constantFrom('a@example.com', 'someone.else@example.org')),
        }),
        ({ body, email }) => {
          const other = { ...base, body, contacts: email ? { email } : undefined };
          const out = diff(base, other);
          for (const name of out) expect(name).toMatch(names);
          expect(diff(other, base)).toEqual(out); // symmetric
        },
      ),
      { numRuns: 200 },
    );
  });
});
