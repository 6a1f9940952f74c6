/**
 * Hostile config files: names every JavaScript object already "has" (`constructor`, `toString`, …) as
 * accounts, routes and use cases; absurd durations and worker figures; duplicate keys in JSON and YAML
 * (JSON.parse alone would keep the last one silently); a large mapping, JSON and YAML. Each is refused
 * with one error naming the field, or loads — never a TypeError, never silently.
 */
import { duplicateJsonKey, parseConfigText } from '../../src/config/load';
import type { ConfigInput } from '../../src/domain/config';
import { InvalidInputError } from '../../src/domain/errors';
import { MAX_DURATION_MS } from '../../src/domain/duration';
import { secretSourceFor } from '../../src/codec/secrets';
import { fixtureConfig, fixtureConfigInput } from '../helpers/fixtures';

const PROTOTYPE_NAMES = ['constructor', 'hasOwnProperty', 'valueOf', 'toString', 'isPrototypeOf'];

/** Parses a config given as an object, written as JSON; returns the error it raised. */
function refusal(input: unknown, source = 'hostile.json'): Error {
  try {
    parseConfigText(JSON.stringify(input, null, 2), source);
  } catch (err) {
    return err as Error;
  }
  throw new Error('the config was accepted');
}

function withAccount(name: string): ConfigInput {
  const input = fixtureConfigInput();
  return {
    ...input,
    accounts: { ...input.accounts, [name]: {} },
    routes: [...input.routes, { id: 'extra', account: name, region: 'eu-west-1' }],
  };
}

describe('Object.prototype names', () => {
  it.each(PROTOTYPE_NAMES)('an account named %s is refused, naming the field', (name) => {
    const err = refusal(withAccount(name));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toContain(`accounts.${name}: `);
    expect(err.message).toContain('reserved name');
    expect(err.message).toContain(`routes[3].account: `);
  });

  it.each(PROTOTYPE_NAMES)('a route account %s that names no account is "unknown account", not a TypeError', (name) => {
    const input = fixtureConfigInput();
    const err = refusal({ ...input, routes: [...input.routes, { id: 'extra', account: name, region: 'eu-west-1' }] });
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toMatch(/routes\[3\]\.account: /);
  });

  it('a use case named constructor (the one lowercase prototype name) is refused, naming the field', () => {
    const err = refusal({ ...fixtureConfigInput(), policies: { otp: {}, constructor: {} } });
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toContain('policies.constructor: ');
    expect(err.message).toContain('reserved name');
  });

  it('a route id named constructor is refused', () => {
    const input = fixtureConfigInput();
    const err = refusal({
      ...input,
      routes: [...input.routes, { id: 'constructor', account: 'primary', region: 'eu-west-1' }],
    });
    expect(err.message).toContain('routes[3].id: ');
  });

  it('a secret variable named like a prototype property is "not set", not a function', () => {
    const source = secretSourceFor(fixtureConfig(), {});
    for (const name of PROTOTYPE_NAMES) expect(source(name)).toBeUndefined();
  });
});

describe('absurd figures', () => {
  it.each([
    ['stepWait', '1000000y'],
    ['deadline', '1000000y'],
    ['handsetRetryDelay', 1e15],
    ['feedbackGrace', '366d'],
  ])('policies.otp.%s = %j is refused, naming the field', (field, value) => {
    const err = refusal({ ...fixtureConfigInput(), policies: { otp: { [field]: value } } });
    expect(err.message).toContain(`policies.otp.${field}: `);
    expect(err.message).toContain('longer than the maximum, 365d');
  });

  it('365 days is still accepted', () => {
    const config = parseConfigText(
      JSON.stringify({ ...fixtureConfigInput(), policies: { otp: { deadline: '365d' } } }),
      'ok.json',
    );
    expect(config.policies.otp.deadline).toBe(MAX_DURATION_MS);
  });

  it.each([
    ['maxCachedWorkflows', 1e15],
    ['maxConcurrentWorkflowTaskExecutions', 1e9],
    ['maxConcurrentActivityTaskPolls', 1e6],
  ])('worker.%s = %d is refused, naming the field', (field, value) => {
    const err = refusal({ ...fixtureConfigInput(), worker: { [field]: value } });
    expect(err.message).toMatch(new RegExp(`worker\\.${field}: .*(<=|at most|Too big)`, 'i'));
  });
});

describe('duplicate keys', () => {
  it('JSON: a key given twice in one object is refused with its line', () => {
    const text = '{\n  "accounts": { "primary": {} },\n  "accounts": { "other": {} }\n}';
    expect(() => parseConfigText(text, 'dup.json')).toThrow(
      'config dup.json is not valid JSON: duplicate key "accounts" (line 3)',
    );
  });

  it('JSON: the same key in different objects, or inside strings, is fine', () => {
    expect(duplicateJsonKey('{"a":{"x":1},"b":{"x":2},"c":"\\"a\\":1 {\\"a\\":2}","d":[{"x":1},{"x":2}]}')).toBe(
      undefined,
    );
    expect(duplicateJsonKey('{"a":[1,{"b":1,"b":2}]}')).toBe('duplicate key "b" (line 1)');
    expect(duplicateJsonKey('{"\\u0061":1,"a":2}')).toBe('duplicate key "a" (line 1)');
  });

  it('YAML: a key given twice in one mapping is refused with its line, as JS would see it', () => {
    expect(() => parseConfigText('accounts:\n  primary: {}\n  primary: {}\n', 'dup.yaml')).toThrow(
      'config dup.yaml is not valid YAML: duplicate key "primary" (line 3)',
    );
    expect(() => parseConfigText('policies:\n  1: {}\n  "1": {}\n', 'dup.yaml')).toThrow(/duplicate key "1"/);
  });
});

describe('a large mapping', () => {
  // 5,000 accounts: the parse used to compare every key with every other (40,000 keys took 15 s or more).
  const input = fixtureConfigInput();
  const accounts: Record<string, object> = { ...input.accounts };
  for (let i = 0; i < 5000; i++) accounts[`acct${i}`] = {};
  const text = JSON.stringify({ ...input, accounts });

  it.each(['big.json', 'big.yaml'])('%s loads with every account', (source) => {
    expect(Object.keys(parseConfigText(text, source).accounts)).toHaveLength(5002);
  });
});
