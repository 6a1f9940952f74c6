/**
 * The config checker behind `resilient-sms config check` (src/config/check.ts): a clean config has no findings, and
 * each rule, one test each, reports its finding with the field's path and severity.
 */
// The raw config is edited freely, as a file would be, before the schema reads it.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkConfigSource, type ConfigFinding } from '../../src/config/check';
import { parseConfigSource } from '../../src/config/load';

/** Two Regions, two accounts, a RAM-shared pool by ARN, two originator types per Region: nothing to report. */
function clean(): Record<string, any> {
  return {
    accounts: { primary: { accountId: '111111111111' }, secondary: { accountId: '222222222222' } },
    routes: [
      { id: 'p-use1', account: 'primary', region: 'us-east-1', configurationSet: 'cs' },
      { id: 's-use1', account: 'secondary', region: 'us-east-1', configurationSet: 'cs' },
      { id: 'p-usw2', account: 'primary', region: 'us-west-2', configurationSet: 'cs' },
    ],
    originators: {
      US: [
        { route: 'p-use1', identity: 'pool-sc', type: 'short-code' },
        { route: 'p-use1', identity: 'pool-tf', type: 'toll-free' },
        {
          route: 's-use1',
          identity: 'arn:aws:sms-voice:us-east-1:111111111111:pool/pool-sc',
          type: 'short-code',
          shared: true,
        },
        { route: 's-use1', identity: 'pool-10dlc', type: '10dlc' },
        { route: 'p-usw2', identity: 'pool-w-sc', type: 'short-code' },
        { route: 'p-usw2', identity: 'pool-w-tf', type: 'toll-free' },
      ],
    },
    policies: { otp: { messageFeedback: true, stepWait: '2m', ttl: '2m', maxPrice: '0.50' }, alert: {} },
    dlrQueues: [
      { account: 'primary', region: 'us-east-1', queueUrl: 'https://sqs.us-east-1.amazonaws.com/111111111111/a' },
      { account: 'secondary', region: 'us-east-1', queueUrl: 'https://sqs.us-east-1.amazonaws.com/222222222222/b' },
      { account: 'primary', region: 'us-west-2', queueUrl: 'https://sqs.us-west-2.amazonaws.com/111111111111/c' },
    ],
  };
}

const check = (raw: unknown) => checkConfigSource(raw);
const only = (findings: ConfigFinding[], rule: string) => findings.filter((f) => f.rule === rule);

it('a clean config has no findings', () => {
  expect(check(clean())).toEqual([]);
});

it('schema: what the schema refuses is reported with its path', () => {
  const raw = clean();
  raw.routes[0].region = 'moon-1';
  expect(check(raw)).toEqual([
    { severity: 'error', path: 'routes[0].region', rule: 'schema', message: expect.stringMatching(/AWS Region/) },
  ]);
});

it('max-price: a MaxPrice the API refuses, and an unquoted one, even where the schema refuses the config', () => {
  const raw = clean();
  raw.policies.otp.maxPrice = '1';
  raw.policies.alert.maxPricePerMinute = 0.5;
  const findings = check(raw);
  expect(only(findings, 'max-price')).toEqual([
    {
      severity: 'error',
      path: 'policies.otp.maxPrice',
      rule: 'max-price',
      message: expect.stringMatching(/\[0-9\]\{0,2\}/),
    },
    {
      severity: 'error',
      path: 'policies.alert.maxPricePerMinute',
      rule: 'max-price',
      message: expect.stringMatching(/quoted string/),
    },
  ]);
  // One line per field: the schema's own error for the same field is not repeated.
  expect(findings.filter((f) => f.path === 'policies.otp.maxPrice')).toHaveLength(1);
});

it('configuration-set: a route without one', () => {
  const raw = clean();
  delete raw.routes[1].configurationSet;
  expect(check(raw)).toEqual([
    expect.objectContaining({ severity: 'error', path: 'routes[1].configurationSet', rule: 'configuration-set' }),
  ]);
});

it('configuration-set-name: a name the API pattern refuses', () => {
  const raw = clean();
  raw.routes[0].configurationSet = 'my events';
  expect(check(raw)).toEqual([
    expect.objectContaining({ severity: 'error', path: 'routes[0].configurationSet', rule: 'configuration-set-name' }),
  ]);
});

it('receipt-queue: a route whose account × Region has no DLR queue; receipt-queue-unused: a queue no route uses', () => {
  const raw = clean();
  raw.dlrQueues[2].region = 'eu-west-1';
  expect(check(raw)).toEqual([
    expect.objectContaining({ severity: 'error', path: 'routes[2]', rule: 'receipt-queue' }),
    expect.objectContaining({ severity: 'warning', path: 'dlrQueues[2]', rule: 'receipt-queue-unused' }),
  ]);
});

it('originator-types: a country with one originator type in a Region', () => {
  const raw = clean();
  raw.originators.US[5].type = 'short-code';
  expect(check(raw)).toEqual([
    expect.objectContaining({
      severity: 'warning',
      path: 'originators.US',
      rule: 'originator-types',
      message: expect.stringMatching(/one originator type in us-west-2 \(short-code\)/),
    }),
  ]);
});

describe('ram-shared-by-arn', () => {
  it('a pool of one account used by its bare id from another account', () => {
    const raw = clean();
    raw.originators.US[2] = { route: 's-use1', identity: 'pool-sc', type: 'short-code' };
    expect(check(raw)).toEqual([
      expect.objectContaining({ severity: 'error', path: 'originators.US[0].identity', rule: 'ram-shared-by-arn' }),
      expect.objectContaining({ severity: 'error', path: 'originators.US[2].identity', rule: 'ram-shared-by-arn' }),
    ]);
  });

  it('shared: true without an ARN is the schema error, with its path', () => {
    const raw = clean();
    raw.originators.US[2].identity = 'pool-sc';
    expect(check(raw)).toEqual([
      expect.objectContaining({ severity: 'error', path: 'originators.US[2].identity', rule: 'schema' }),
    ]);
  });

  it("an ARN of another Region is an error; another account's ARN not marked shared a warning", () => {
    const raw = clean();
    raw.originators.US[2].identity = 'arn:aws:sms-voice:us-west-2:111111111111:pool/pool-w-sc';
    expect(check(raw)).toEqual([
      expect.objectContaining({
        severity: 'error',
        path: 'originators.US[2].identity',
        message: expect.stringMatching(/within a Region/),
      }),
    ]);
    const unmarked = clean();
    delete unmarked.originators.US[2].shared;
    expect(check(unmarked)).toEqual([
      expect.objectContaining({ severity: 'warning', path: 'originators.US[2].identity', rule: 'ram-shared-by-arn' }),
    ]);
  });
});

it('otp-ttl: an OTP whose SMS outlives the step wait', () => {
  const raw = clean();
  raw.policies.otp.ttl = '10m';
  expect(check(raw)).toEqual([
    expect.objectContaining({ severity: 'warning', path: 'policies.otp.ttl', rule: 'otp-ttl' }),
  ]);
});

it('keyword: a Keyword without a US short code', () => {
  const raw = clean();
  raw.policies.alert.keyword = 'ACME';
  for (const o of raw.originators.US) if (o.type === 'short-code') o.type = '10dlc';
  raw.originators.US[1].type = 'toll-free';
  const findings = check(raw).filter((f) => f.rule !== 'originator-types');
  expect(findings).toEqual([
    expect.objectContaining({ severity: 'warning', path: 'policies.alert.keyword', rule: 'keyword' }),
  ]);
});

it('country-parameters: India parameters without Indian originators', () => {
  const raw = clean();
  raw.policies.alert.destinationCountryParameters = { IN_ENTITY_ID: '1101' };
  expect(check(raw)).toEqual([
    expect.objectContaining({
      severity: 'warning',
      path: 'policies.alert.destinationCountryParameters.IN_ENTITY_ID',
      rule: 'country-parameters',
    }),
  ]);
});

it("the local stack's config (config/local.yaml) has no errors; its one warning is the otp TTL", () => {
  const file = path.join(__dirname, '..', '..', 'config', 'local.yaml');
  const findings = checkConfigSource(parseConfigSource(readFileSync(file, 'utf8'), file));
  expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  expect(findings.map((f) => f.rule)).toEqual(['otp-ttl']);
});
