/**
 * Application requests: parsing (`messageRequestSchema`), resolution against the config
 * (`resolveMessage`: use case, country, allowed countries, the ladder), and the error format.
 */
import { configSchema, type Config, type ConfigInput } from '../../src/domain/config';
import { InvalidInputError, parseOrThrow } from '../../src/domain/errors';
import { messageRequestSchema, type MessageRequestInput } from '../../src/domain/message';
import { resolveMessage } from '../../src/domain/resolve';

function configInput(): ConfigInput {
  return {
    accounts: { primary: {}, secondary: { credentials: { type: 'profile', profile: 'sms-secondary' } } },
    routes: [
      { id: 'use1-primary', account: 'primary', region: 'us-east-1', configurationSet: 'cs-a' },
      { id: 'use1-secondary', account: 'secondary', region: 'us-east-1' },
      { id: 'usw2-primary', account: 'primary', region: 'us-west-2' },
      { id: 'euw1-primary', account: 'primary', region: 'eu-west-1' },
    ],
    originators: {
      // Interleaved on purpose: the ladder must still be Region -> route -> originator.
      US: [
        { route: 'use1-primary', identity: 'pool-sc-use1', type: 'short-code' },
        { route: 'usw2-primary', identity: 'pool-sc-usw2', type: 'short-code' },
        { route: 'use1-secondary', identity: 'pool-sc-use1-b', type: 'short-code' },
        { route: 'use1-primary', identity: 'pool-10dlc-use1', type: '10dlc' },
        { route: 'usw2-primary', identity: 'pool-10dlc-usw2', type: '10dlc' },
        { route: 'use1-secondary', identity: 'pool-tf-use1-b', type: 'toll-free' },
      ],
      GB: [{ route: 'euw1-primary', identity: 'ACMEBANK', kind: 'sender-id', type: 'sender-id' }],
      '*': [
        { route: 'euw1-primary', identity: 'ACME', kind: 'sender-id', type: 'sender-id' },
        { route: 'use1-primary', identity: 'pool-intl-use1', type: 'long-code' },
      ],
    },
    policies: {
      otp: { allowedCountries: ['US', 'GB', 'DE'], throttleRetries: 2 },
      marketing: { messageType: 'PROMOTIONAL', allowedCountries: ['US'] },
      global: {},
    },
  };
}
const config: Config = configSchema.parse(configInput());

const ok = { destination: '+14255550156', body: 'Your code is 123456', useCase: 'otp' };

/** Requests as they arrive from outside: untyped. */
const raw = (input: Record<string, unknown>): MessageRequestInput => input as unknown as MessageRequestInput;

function invalid(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError);
    return err as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError, nothing was thrown');
}

describe('destination numbers', () => {
  it.each([
    ['+14255550156', '+14255550156', 'US'],
    ['+12065550152', '+12065550152', 'US'],
    ['+442071838750', '+442071838750', 'GB'],
    ['+447400123456', '+447400123456', 'GB'],
    ['+4915123456789', '+4915123456789', 'DE'],
    ['+493012345678', '+493012345678', 'DE'],
    ['  +14255550156\n', '+14255550156', 'US'],
  ])('%j is normalised to %s in %s', (input, e164, country) => {
    const { request, plan } = resolveMessage(config, { ...ok, destination: input });
    expect(request.destination).toBe(e164);
    expect(plan.country).toBe(country);
  });

  it.each([
    ['too short', '+1425'],
    ['no plus', '14255550156'],
    ['spaces', '+1 425 555 0156'],
    ['dashes', '+1-425-555-0156'],
    ['letters', '+1425555O156'],
    ['words', 'call me'],
    ['empty', ''],
    ['plus only', '+'],
    ['non-geographic (+800)', '+80012345678'],
    ['no such number plan', '+9991234567'],
  ])('rejects %s (%j), naming destination', (_what, destination) => {
    const err = invalid(() => resolveMessage(config, { ...ok, destination }));
    expect(err.issues.map((i) => i.path)).toEqual(['destination']);
    expect(err.message).toMatch(/^invalid message request: destination: /);
  });

  it('rejects a non-string destination', () => {
    expect(invalid(() => resolveMessage(config, raw({ ...ok, destination: 14255550156 }))).issues[0].path).toBe(
      'destination',
    );
  });

  it('says why a non-geographic number is refused', () => {
    expect(invalid(() => resolveMessage(config, { ...ok, destination: '+80012345678' })).message).toMatch(/country/);
  });

  it('checks the WhatsApp contact number the same way', () => {
    const err = invalid(() => resolveMessage(config, { ...ok, contacts: { whatsapp: '4255550156' } }));
    expect(err.issues[0].path).toBe('contacts.whatsapp');
    expect(resolveMessage(config, { ...ok, contacts: { whatsapp: '+14255550156' } }).request.contacts?.whatsapp).toBe(
      '+14255550156',
    );
  });
});

describe('body, use case and fields', () => {
  it('accepts 1 character and the largest bodies AWS takes: 1530 GSM 7-bit, 630 UCS-2', () => {
    expect(resolveMessage(config, { ...ok, body: 'x' }).request.body).toBe('x');
    expect(resolveMessage(config, { ...ok, body: 'x'.repeat(1530) }).request.body).toHaveLength(1530);
    expect(resolveMessage(config, { ...ok, body: '€'.repeat(765) }).request.body).toHaveLength(765);
    expect(resolveMessage(config, { ...ok, body: 'ж'.repeat(630) }).request.body).toHaveLength(630);
    expect(resolveMessage(config, { ...ok, body: '😀'.repeat(315) }).request.body).toHaveLength(630);
  });

  it.each([
    ['empty', ''],
    ['1531 GSM characters', 'x'.repeat(1531)],
    ['766 GSM extension characters (1532 septets)', '€'.repeat(766)],
    ['631 UCS-2 characters', 'ж'.repeat(631)],
    ['316 emoji (632 UTF-16 code units)', '😀'.repeat(316)],
    ['801 emoji', '😀'.repeat(801)],
    ['whitespace-only', ' \n\t '],
    ['NUL', 'code\u0000123'],
  ])('rejects a %s body, naming body', (_what, body) => {
    const err = invalid(() => resolveMessage(config, { ...ok, body }));
    expect(err.issues.map((i) => i.path)).toEqual(['body']);
    expect(err.message).toContain('body: ');
  });

  it('rejects a missing body, saying "required"', () => {
    const { body: _omit, ...noBody } = ok;
    const err = invalid(() => resolveMessage(config, raw(noBody)));
    expect(err.issues).toEqual([{ path: 'body', message: 'required' }]);
  });

  it('names an unknown use case and lists the configured ones', () => {
    const err = invalid(() => resolveMessage(config, { ...ok, useCase: 'billing' }));
    expect(err.issues[0].path).toBe('useCase');
    expect(err.message).toContain('"billing"');
    expect(err.message).toMatch(/otp, marketing, global/);
  });

  it('rejects a malformed use case name', () => {
    expect(invalid(() => resolveMessage(config, { ...ok, useCase: 'OTP Codes' })).issues[0].path).toBe('useCase');
  });

  it('rejects an unknown field (strict), naming it', () => {
    const err = invalid(() => resolveMessage(config, raw({ ...ok, priority: 'high' })));
    expect(err.message).toContain('priority');
    const nested = invalid(() => resolveMessage(config, raw({ ...ok, contacts: { fax: '+14255550156' } })));
    expect(nested.message).toContain('fax');
    expect(nested.issues[0].path).toBe('contacts');
  });

  it('reports every failing field at once', () => {
    const err = invalid(() => resolveMessage(config, { destination: '12', body: '', useCase: 'otp' }));
    expect(err.issues.map((i) => i.path).sort()).toEqual(['body', 'destination']);
    expect(err.message.split('; ')).toHaveLength(2);
  });

  it('takes the message type from the policy unless the request sets it', () => {
    expect(resolveMessage(config, ok).request.messageType).toBe('TRANSACTIONAL');
    expect(resolveMessage(config, { ...ok, useCase: 'marketing' }).request.messageType).toBe('PROMOTIONAL');
    expect(
      resolveMessage(config, { ...ok, useCase: 'marketing', messageType: 'TRANSACTIONAL' }).request.messageType,
    ).toBe('TRANSACTIONAL');
    expect(invalid(() => resolveMessage(config, raw({ ...ok, messageType: 'URGENT' }))).issues[0].path).toBe(
      'messageType',
    );
  });

  it('rejects a bad idempotency key and accepts a good one', () => {
    expect(invalid(() => resolveMessage(config, { ...ok, idempotencyKey: 'a b' })).issues[0].path).toBe(
      'idempotencyKey',
    );
    expect(resolveMessage(config, { ...ok, idempotencyKey: 'order-42:otp@1' }).request.idempotencyKey).toBe(
      'order-42:otp@1',
    );
  });

  it('accepts the same request through messageRequestSchema alone', () => {
    expect(messageRequestSchema.parse(ok)).toEqual(ok);
  });
});

describe('countries', () => {
  it('rejects a country outside the policy allowedCountries, naming destination and the country', () => {
    const err = invalid(() => resolveMessage(config, { ...ok, destination: '+33612345678' }));
    expect(err.issues[0].path).toBe('destination');
    expect(err.message).toContain('FR');
    expect(err.message).toContain('"otp"');
    // One sentence, not each channel's reason joined by semicolons.
    expect(
      invalid(() => resolveMessage(config, { ...ok, useCase: 'marketing', destination: '+442071838750' })).issues,
    ).toEqual([{ path: 'destination', message: 'country GB is not allowed for use case "marketing" (allowed: US)' }]);
  });

  it('uses the "*" originators for a country without its own list', () => {
    const { plan } = resolveMessage(config, { ...ok, useCase: 'global', destination: '+33612345678' });
    expect(plan.country).toBe('FR');
    expect(plan.rungs.map((r) => [r.originator, r.region, r.level])).toEqual([
      ['ACME', 'eu-west-1', 'initial'],
      ['pool-intl-use1', 'us-east-1', 'region'],
    ]);
    // An allowed country without its own list falls back too.
    expect(resolveMessage(config, { ...ok, destination: '+4915123456789' }).plan.rungs[0].originator).toBe('ACME');
  });

  it("prefers the country's own list over '*'", () => {
    const { plan } = resolveMessage(config, { ...ok, destination: '+442071838750' });
    expect(plan.rungs.map((r) => r.originator)).toEqual(['ACMEBANK']);
  });

  it('fails naming destination when neither the country nor "*" has originators', () => {
    const input = configInput();
    delete (input.originators as Record<string, unknown>)['*'];
    const noStar = configSchema.parse(input);
    const err = invalid(() => resolveMessage(noStar, { ...ok, useCase: 'global', destination: '+33612345678' }));
    expect(err.issues[0].path).toBe('destination');
    expect(err.message).toContain('FR');
  });
});

describe('the ladder', () => {
  it('groups by Region, then route (account), then originator, with levels', () => {
    const { plan } = resolveMessage(config, ok);
    expect(plan.rungs.map((r) => [r.region, r.routeId, r.account, r.originator, r.originatorType, r.level])).toEqual([
      ['us-east-1', 'use1-primary', 'primary', 'pool-sc-use1', 'short-code', 'initial'],
      ['us-east-1', 'use1-primary', 'primary', 'pool-10dlc-use1', '10dlc', 'originator'],
      ['us-east-1', 'use1-secondary', 'secondary', 'pool-sc-use1-b', 'short-code', 'account'],
      ['us-east-1', 'use1-secondary', 'secondary', 'pool-tf-use1-b', 'toll-free', 'originator'],
      ['us-west-2', 'usw2-primary', 'primary', 'pool-sc-usw2', 'short-code', 'region'],
      ['us-west-2', 'usw2-primary', 'primary', 'pool-10dlc-usw2', '10dlc', 'originator'],
    ]);
    expect(plan.rungs.every((r) => r.channel === 'sms')).toBe(true);
    expect(plan.rungs[0].configurationSet).toBe('cs-a');
    expect(plan.rungs[2].configurationSet).toBeUndefined();
  });

  it('carries the resolved policy in milliseconds and seconds', () => {
    const { plan } = resolveMessage(config, ok);
    expect(plan.policy).toMatchObject({
      useCase: 'otp',
      throttleRetries: 2,
      stepWaitMs: 72 * 3600_000,
      deadlineMs: 73 * 3600_000,
      ttlSeconds: 259_200,
      throttleBackoffMs: 2_000,
      channels: ['sms'],
    });
  });
});

describe('parseOrThrow / InvalidInputError', () => {
  it('names nested paths with dots and [index]', () => {
    const input = configInput();
    (input.routes as { account: string }[])[0].account = 'tertiary';
    const err = invalid(() => parseOrThrow(configSchema, input, 'config test.yaml'));
    expect(err.message).toBe('invalid config test.yaml: routes[0].account: unknown account "tertiary"');
    expect(err.name).toBe('InvalidInputError');
    expect(err.what).toBe('config test.yaml');
    expect(err.issues).toEqual([{ path: 'routes[0].account', message: 'unknown account "tertiary"' }]);
  });

  it('names a path through a record key and an array index', () => {
    const input = configInput();
    (input.originators.US as { shared?: boolean }[])[1].shared = true;
    expect(invalid(() => parseOrThrow(configSchema, input, 'config')).issues.map((i) => i.path)).toEqual([
      'originators.US[1].identity',
    ]);
  });

  it('formats an issue without a path as the message alone, and joins issues with "; "', () => {
    const err = new InvalidInputError('thing', [
      { path: '', message: 'top-level problem' },
      { path: 'a[2].b', message: 'bad' },
    ]);
    expect(err.message).toBe('invalid thing: top-level problem; a[2].b: bad');
    expect(err).toBeInstanceOf(Error);
  });

  it('returns the parsed (transformed) value on success', () => {
    expect(parseOrThrow(messageRequestSchema, { ...ok, destination: ' +14255550156 ' }, 'req').destination).toBe(
      '+14255550156',
    );
  });
});
