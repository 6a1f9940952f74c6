/**
 * The config file: YAML parsed by `parseConfigText`, validated by the zod schema, cross-references
 * checked, and every error naming the field path.
 */
import { parseConfigText } from '../../src/config/load';
import { InvalidInputError } from '../../src/domain/errors';

const VALID = `
temporal:
  address: temporal.internal:7233
  namespace: messaging
  taskQueue: sms
accounts:
  primary:
    accountId: "111111111111"
  secondary:
    accountId: "222222222222"
    credentials:
      type: assume-role
      roleArn: arn:aws:iam::222222222222:role/sms-sender
      externalId: resilient-sms
  local:
    credentials: { type: static, accessKeyId: test, secretAccessKey: test }
routes:
  - id: use1-primary
    account: primary
    region: us-east-1
    configurationSet: cs-primary
  - id: use1-secondary
    account: secondary
    region: us-east-1
  - id: usw2-primary
    account: primary
    region: us-west-2
  - id: sim
    account: local
    region: us-east-1
    endpoint: http://127.0.0.1:4599
originators:
  US:
    - { route: use1-primary, identity: pool-sc, type: short-code }
    - { route: use1-primary, identity: pool-10dlc, type: 10dlc }
    - route: use1-secondary
      identity: arn:aws:sms-voice:us-east-1:111111111111:pool/pool-shared
      type: toll-free
      shared: true
    - { route: usw2-primary, identity: "+12065550152", kind: phone-number, type: 10dlc }
  "*":
    - { route: use1-primary, identity: ACME, kind: sender-id, type: sender-id }
policies:
  otp:
    stepWait: 72h
    deadline: 73h
    ttl: 90s
    throttleBackoff: 250
    ambiguousWait: 2m
    maxPrice: "0.50"
    allowedCountries: [US, GB]
    messageFeedback: true
    feedbackGrace: 15m
  marketing:
    messageType: PROMOTIONAL
dlrQueues:
  - account: primary
    region: us-east-1
    queueUrl: https://sqs.us-east-1.amazonaws.com/111111111111/sms-dlr
`;

/** Parse VALID with one edit applied to the text. */
function withEdit(from: string | RegExp, to: string): string {
  const text = VALID.replace(from, to);
  if (text === VALID) throw new Error(`test bug: ${String(from)} not found in the fixture`);
  return text;
}

function rejected(text: string): InvalidInputError {
  try {
    parseConfigText(text, 'sms.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError);
    return err as InvalidInputError;
  }
  throw new Error('expected the config to be rejected');
}

describe('a valid config', () => {
  const config = parseConfigText(VALID, 'sms.yaml');

  it('parses accounts, routes and originators, with defaults filled in', () => {
    expect(config.temporal).toEqual({ address: 'temporal.internal:7233', namespace: 'messaging', taskQueue: 'sms' });
    expect(config.accounts.primary.credentials).toEqual({ type: 'default' });
    expect(config.accounts.secondary.credentials).toMatchObject({ type: 'assume-role', externalId: 'resilient-sms' });
    expect(config.routes.map((r) => r.id)).toEqual(['use1-primary', 'use1-secondary', 'usw2-primary', 'sim']);
    expect(config.originators.US[0]).toEqual({
      route: 'use1-primary',
      identity: 'pool-sc',
      kind: 'pool',
      type: 'short-code',
      shared: false,
    });
    expect(config.originators.US[2].shared).toBe(true);
    expect(config.originators['*'][0].kind).toBe('sender-id');
    expect(config.dlrQueues).toHaveLength(1);
  });

  it('turns durations into milliseconds: "72h", "90s", "2m", "15m", 250', () => {
    expect(config.policies.otp).toMatchObject({
      stepWait: 259_200_000,
      deadline: 262_800_000,
      ttl: 90_000,
      throttleBackoff: 250,
      ambiguousWait: 120_000,
      feedbackGrace: 900_000,
    });
  });

  it('fills every policy default', () => {
    expect(config.policies.marketing).toEqual({
      success: 'dlr-or-feedback',
      channelSuccess: { whatsapp: 'delivered', email: 'delivered' },
      messageType: 'PROMOTIONAL',
      stepWait: 72 * 3600_000,
      deadline: 73 * 3600_000,
      ttl: 72 * 3600_000,
      channels: ['sms'],
      channelsAfterOptOut: [],
      quietHours: [],
      messageFeedback: false,
      feedbackGrace: 0,
      throttleRetries: 3,
      throttleBackoff: 2_000,
      unreachableRetries: 2,
      unreachableBackoff: 1_000,
      ambiguousWait: 120_000,
      handsetRetries: 1,
      handsetRetryDelay: 900_000,
      maxSends: 10,
    });
  });

  it('accepts the long forms of the ms library: "72 hours" is 72h', () => {
    expect(parseConfigText(withEdit('stepWait: 72h', 'stepWait: 72 hours'), 'sms.yaml').policies.otp.stepWait).toBe(
      259_200_000,
    );
  });

  it('takes the same config as JSON', () => {
    const json = JSON.stringify({
      accounts: { a: {} },
      routes: [{ id: 'r', account: 'a', region: 'eu-west-1' }],
      originators: { GB: [{ route: 'r', identity: 'ACME', kind: 'sender-id', type: 'sender-id' }] },
      policies: { otp: { stepWait: '10m' } },
    });
    expect(parseConfigText(json, 'sms.json').policies.otp.stepWait).toBe(600_000);
  });
});

describe('rejected configs name the field', () => {
  const cases: [string, string, string | RegExp, string, RegExp][] = [
    [
      'unknown account in a route',
      'routes[1].account',
      /account: secondary\n/,
      'account: tertiary\n',
      /unknown account "tertiary"/,
    ],
    [
      'unknown route in originators',
      'originators.US[1].route',
      'route: use1-primary, identity: pool-10dlc',
      'route: use1-nope, identity: pool-10dlc',
      /unknown route "use1-nope"/,
    ],
    [
      'unknown route under "*"',
      'originators.*[0].route',
      'route: use1-primary, identity: ACME',
      'route: eu, identity: ACME',
      /unknown route "eu"/,
    ],
    ['duplicate route id', 'routes[2].id', 'id: usw2-primary', 'id: use1-primary', /duplicate route id "use1-primary"/],
    [
      'static credentials without endpoint',
      'routes[3].endpoint',
      / {4}endpoint: http:\/\/127\.0\.0\.1:4599\n/,
      '',
      /static credentials/,
    ],
    [
      'RAM-shared originator not given by ARN',
      'originators.US[2].identity',
      'identity: arn:aws:sms-voice:us-east-1:111111111111:pool/pool-shared',
      'identity: pool-shared',
      /full ARN/,
    ],
    ['bad Region', 'routes[2].region', 'region: us-west-2', 'region: uswest2', /AWS Region/],
    [
      'upper-case Region',
      'routes[0].region',
      /region: us-east-1\n {4}configurationSet/,
      'region: US-EAST-1\n    configurationSet',
      /AWS Region/,
    ],
    ['negative duration "-5s"', 'policies.otp.stepWait', 'stepWait: 72h', 'stepWait: "-5s"', /not a duration: "-5s"/],
    [
      'negative duration -5',
      'policies.otp.throttleBackoff',
      'throttleBackoff: 250',
      'throttleBackoff: -5',
      /not a duration/,
    ],
    ['word duration "soon"', 'policies.otp.deadline', 'deadline: 73h', 'deadline: soon', /not a duration: "soon"/],
    [
      'duration "72 hours and a bit"',
      'policies.otp.deadline',
      'deadline: 73h',
      'deadline: 72 hours and a bit',
      /not a duration/,
    ],
    ['ttl below 5s', 'policies.otp.ttl', 'ttl: 90s', 'ttl: 4s', /ttl must be between 5s and 72h/],
    ['ttl above 72h', 'policies.otp.ttl', 'ttl: 90s', 'ttl: 73h', /ttl must be between 5s and 72h/],
    [
      'unknown account of a DLR queue',
      'dlrQueues[0].account',
      / {2}- account: primary\n {4}region: us-east-1\n {4}queueUrl/,
      '  - account: nobody\n    region: us-east-1\n    queueUrl',
      /unknown account "nobody"/,
    ],
    ['unknown policy field (strict)', 'policies.otp', 'maxPrice: "0.50"', 'maxPrize: "0.50"', /maxPrize/],
    ['bad maxPrice', 'policies.otp.maxPrice', 'maxPrice: "0.50"', 'maxPrice: "50 cents"', /not a price the API takes/],
    // SendTextMessage's MaxPrice pattern is [0-9]{0,2}\.[0-9]{1,5}: a price without a decimal point fails every send.
    ['maxPrice without decimals', 'policies.otp.maxPrice', 'maxPrice: "0.50"', 'maxPrice: "1"', /\[0-9\]\{0,2\}/],
    ['maxPrice of 100 USD', 'policies.otp.maxPrice', 'maxPrice: "0.50"', 'maxPrice: "100.0"', /not a price/],
    ['maxPrice with 6 decimals', 'policies.otp.maxPrice', 'maxPrice: "0.50"', 'maxPrice: "0.123456"', /not a price/],
    [
      'bad allowed country',
      'policies.otp.allowedCountries[1]',
      'allowedCountries: [US, GB]',
      'allowedCountries: [US, UK1]',
      /ISO 3166-1/,
    ],
    ['bad country key', 'originators.usa', '  "*":', '  usa:', /.+/],
    ['bad policy name', 'policies.Marketing', '  marketing:', '  Marketing:', /.+/],
    ['bad account id', 'accounts.primary.accountId', 'accountId: "111111111111"', 'accountId: "1111"', /12-digit/],
    [
      'bad role ARN',
      'accounts.secondary.credentials.roleArn',
      'roleArn: arn:aws:iam::222222222222:role/sms-sender',
      'roleArn: sms-sender',
      /IAM role ARN/,
    ],
    [
      'unknown originator type',
      'originators.US[0].type',
      'identity: pool-sc, type: short-code',
      'identity: pool-sc, type: shortcode',
      /.+/,
    ],
    [
      'throttleRetries out of range',
      'policies.marketing.throttleRetries',
      'messageType: PROMOTIONAL',
      'messageType: PROMOTIONAL\n    throttleRetries: 11',
      /.+/,
    ],
  ];

  it.each(cases)('%s -> %s', (_what, path, from, to, message) => {
    const err = rejected(withEdit(from, to));
    expect(err.issues.map((i) => i.path)).toContain(path);
    expect(err.message).toContain(`invalid config sms.yaml: `);
    expect(err.message).toContain(`${path}: `);
    expect(err.issues.find((i) => i.path === path)?.message).toMatch(message);
  });

  it('rejects a config without accounts, routes or policies', () => {
    const paths = rejected('accounts: {}\nroutes: []\noriginators: {}\npolicies: {}\n').issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['accounts', 'routes', 'policies']));
  });

  it('rejects text that is not YAML, naming the file', () => {
    expect(() => parseConfigText('accounts: [unclosed', 'broken.yaml')).toThrow(
      /config broken\.yaml is not valid YAML/,
    );
  });

  it('rejects an empty file', () => {
    expect(() => parseConfigText('', 'empty.yaml')).toThrow(InvalidInputError);
  });
});

describe('regression: record keys', () => {
  it('regression: a bad country key reported only "Invalid key in record", not the schema message', () => {
    const text = `
accounts: { a: {} }
routes: [{ id: r, account: a, region: eu-west-1 }]
originators:
  usa: [{ route: r, identity: ACME, kind: sender-id, type: sender-id }]
policies: { otp: {} }
`;
    expect(() => parseConfigText(text, 'sms.yaml')).toThrow(
      /originators\.usa: .*country keys are ISO 3166-1 alpha-2 codes or "\*"/,
    );
  });
});
