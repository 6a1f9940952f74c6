/**
 * The `protectConfigurations` section (src/domain/protect-config.ts): what it accepts, the clear error for what it
 * does not, the id a send of each account × Region gets (resolve, then the send's parameters), and the warning for
 * an account × Region a use case sends from without an id (config check).
 */
import { checkConfig } from '../../src/config/check';
import { configSchema, type ConfigInput } from '../../src/domain/config';
import { parseOrThrow } from '../../src/domain/errors';
import { protectConfigurationIdOf } from '../../src/domain/plan';
import { protectScopes, unprotectedScopes } from '../../src/domain/protect-config';
import { resolveMessage } from '../../src/domain/resolve';
import { smsParameters } from '../../src/workflows/send-rung';
import { fixtureConfigInput } from '../helpers/fixtures';

const IDS = {
  'primary/us-east-1': 'protect-aaaa',
  'secondary/us-east-1': 'arn:aws:sms-voice:us-east-1:222222222222:protect-configuration/protect-bbbb',
};

/** The fixture (US: primary and secondary in us-east-1, primary in us-west-2) with an `otp-protect` for otp. */
function input(edit: (raw: ConfigInput) => void = () => {}): ConfigInput {
  const raw = fixtureConfigInput();
  raw.protectConfigurations = { 'otp-protect': { sms: { US: 'FILTER', GB: 'ALLOW', RU: 'BLOCK' }, ids: { ...IDS } } };
  raw.policies = { otp: { protectConfiguration: 'otp-protect' }, alert: {} };
  edit(raw);
  return raw;
}

const parse = (raw: ConfigInput) => parseOrThrow(configSchema, raw, 'config');

describe('the protectConfigurations section', () => {
  it('takes country rules of all four ProtectStatus values and ids per account x Region (ids or ARNs)', () => {
    const config = parse(
      input((raw) => {
        raw.protectConfigurations!['otp-protect'].sms = { US: 'FILTER', GB: 'MONITOR', RU: 'BLOCK', CA: 'ALLOW' };
      }),
    );
    expect(config.protectConfigurations!['otp-protect']).toEqual({
      sms: { US: 'FILTER', GB: 'MONITOR', RU: 'BLOCK', CA: 'ALLOW' },
      ids: IDS,
    });
    expect(config.policies.otp.protectConfiguration).toBe('otp-protect');
  });

  it.each([
    [
      'a status AWS does not have',
      (r: ConfigInput) => (r.protectConfigurations!.p.sms = { US: 'DENY' as 'BLOCK' }),
      /protectConfigurations\.p\.sms\.US: Invalid option: expected one of "ALLOW"\|"BLOCK"\|"MONITOR"\|"FILTER"/,
    ],
    [
      'a country code that is not ISO 3166-1',
      (r: ConfigInput) => (r.protectConfigurations!.p.sms = { XX: 'BLOCK' }),
      /protectConfigurations\.p\.sms\.XX: .*is not an ISO 3166-1 alpha-2 country code/,
    ],
    [
      'a lower-case country code',
      (r: ConfigInput) => (r.protectConfigurations!.p.sms = { gb: 'BLOCK' }),
      /protectConfigurations\.p\.sms\.gb: .*must be an ISO 3166-1 alpha-2 country code such as GB/,
    ],
    [
      'no country rule',
      (r: ConfigInput) => (r.protectConfigurations!.p.sms = {}),
      /protectConfigurations\.p\.sms: at least one country rule/,
    ],
    [
      'an unknown field',
      (r: ConfigInput) => Object.assign(r.protectConfigurations!.p, { mms: {} }),
      /protectConfigurations\.p: Unrecognized key: "mms"/,
    ],
    [
      'an ids key that is no scope',
      (r: ConfigInput) => (r.protectConfigurations!.p.ids = { 'us-east-1': 'protect-x' }),
      /protectConfigurations\.p\.ids\.us-east-1: .*must be "<account>\/<region>"/,
    ],
    [
      'an id of an unknown account',
      (r: ConfigInput) => (r.protectConfigurations!.p.ids = { 'tertiary/us-east-1': 'protect-x' }),
      /protectConfigurations\.p\.ids\.tertiary\/us-east-1: unknown account "tertiary"/,
    ],
    [
      'an id the API refuses',
      (r: ConfigInput) => (r.protectConfigurations!.p.ids = { 'primary/us-east-1': 'protect x' }),
      /protectConfigurations\.p\.ids\.primary\/us-east-1: must be a protect configuration id or ARN/,
    ],
    [
      'an ARN of another Region',
      (r: ConfigInput) =>
        (r.protectConfigurations!.p.ids = {
          'primary/us-west-2': 'arn:aws:sms-voice:us-east-1:111111111111:protect-configuration/protect-x',
        }),
      /ids\.primary\/us-west-2: the ARN is in us-east-1, but the key's Region is us-west-2/,
    ],
    [
      'an ARN of another account',
      (r: ConfigInput) =>
        (r.protectConfigurations!.p.ids = {
          'primary/us-east-1': 'arn:aws:sms-voice:us-east-1:222222222222:protect-configuration/protect-x',
        }),
      /the ARN is of account 222222222222, not primary's 111111111111/,
    ],
    [
      'an ARN of another resource',
      (r: ConfigInput) =>
        (r.protectConfigurations!.p.ids = {
          'primary/us-east-1': 'arn:aws:sms-voice:us-east-1:111111111111:pool/pool-x',
        }),
      /is not a protect configuration ARN/,
    ],
  ])('refuses %s, naming the field', (_what, edit, error) => {
    const raw = input((r) => {
      r.protectConfigurations!.p = { sms: { US: 'BLOCK' } };
      edit(r);
    });
    expect(() => parse(raw)).toThrow(error);
  });

  it('one id under two names is an error: the simulator and AWS know one set of rules per id', () => {
    const raw = input((r) => {
      r.protectConfigurations!.other = { sms: { US: 'BLOCK' }, ids: { 'primary/us-west-2': 'protect-aaaa' } };
    });
    expect(() => parse(raw)).toThrow(
      /protectConfigurations\.other\.ids\.primary\/us-west-2: "protect-aaaa" is also protectConfigurations\.otp-protect's/,
    );
  });
});

describe('a policy names a protect configuration', () => {
  it('an unknown name is an error naming it and the configured ones', () => {
    const raw = input((r) => (r.policies.otp = { protectConfiguration: 'otp-protekt' }));
    expect(() => parse(raw)).toThrow(
      /policies\.otp\.protectConfiguration: unknown protect configuration "otp-protekt" \(configured: otp-protect\)/,
    );
    delete raw.protectConfigurations;
    expect(() => parse(raw)).toThrow(/"otp-protekt" \(the config has no protectConfigurations section\)/);
  });

  it('a name and an id together are an error', () => {
    const raw = input(
      (r) => (r.policies.otp = { protectConfiguration: 'otp-protect', protectConfigurationId: 'pc-1' }),
    );
    expect(() => parse(raw)).toThrow(
      /policies\.otp\.protectConfiguration: give protectConfiguration .* or protectConfigurationId .*, not both/,
    );
  });
});

describe('resolve: each send carries the id of its own account x Region', () => {
  const us = { destination: '+14255550123', body: 'Your code is 123456', useCase: 'otp' };

  it('the plan holds the ids of the ladder’s scopes; each rung sends its own, a scope without one sends none', () => {
    const { plan } = resolveMessage(parse(input()), us);
    expect(plan.policy.protectConfigurationIds).toEqual(IDS);
    expect(plan.policy.protectConfigurationId).toBeUndefined();
    const sent = plan.rungs.map((rung) => [
      `${rung.account}/${rung.region}`,
      smsParameters(rung, plan).protectConfigurationId,
    ]);
    expect(sent).toEqual([
      ['primary/us-east-1', 'protect-aaaa'],
      ['primary/us-east-1', 'protect-aaaa'],
      ['secondary/us-east-1', IDS['secondary/us-east-1']],
      ['secondary/us-east-1', IDS['secondary/us-east-1']],
      ['primary/us-west-2', undefined],
      ['primary/us-west-2', undefined],
    ]);
  });

  it('a use case without a name, and a name without any id on the ladder, add nothing to the plan (as before)', () => {
    const config = parse(input((raw) => (raw.protectConfigurations!['otp-protect'].ids = {})));
    expect(resolveMessage(config, us).plan.policy).not.toHaveProperty('protectConfigurationIds');
    const alert = resolveMessage(parse(input()), { ...us, useCase: 'alert' }).plan;
    expect(alert.policy).not.toHaveProperty('protectConfigurationIds');
    expect(smsParameters(alert.rungs[0], alert)).not.toHaveProperty('protectConfigurationId');
  });

  it('protectConfigurationId still goes with every send, in every scope (plans recorded with it too)', () => {
    const rung = { account: 'primary', region: 'us-west-2' };
    expect(protectConfigurationIdOf({ protectConfigurationId: 'pc-1' }, rung)).toBe('pc-1');
    expect(protectConfigurationIdOf({ protectConfigurationIds: { 'primary/us-west-2': 'pc-2' } }, rung)).toBe('pc-2');
    expect(protectConfigurationIdOf({}, rung)).toBeUndefined();
  });
});

describe('a use case that would send unprotected from a scope: a warning, never silence', () => {
  it('config check warns for each account x Region the use case sends from without an id', () => {
    const findings = checkConfig(parse(input())).filter((f) => f.rule === 'protect-configuration-id');
    expect(findings).toEqual([
      {
        severity: 'warning',
        path: 'protectConfigurations.otp-protect.ids',
        rule: 'protect-configuration-id',
        message: expect.stringMatching(
          /^use case "otp" sends SMS and voice from primary\/us-west-2 without its protect configuration "otp-protect": protectConfigurations\.otp-protect\.ids has no "primary\/us-west-2"/,
        ),
      },
    ]);
    const complete = parse(
      input((raw) => (raw.protectConfigurations!['otp-protect'].ids!['primary/us-west-2'] = 'protect-cccc')),
    );
    expect(unprotectedScopes(complete)).toEqual([]);
  });

  it('the scopes are those of the countries the use case may send to, over its SMS and voice originators', () => {
    const config = parse(
      input((raw) => {
        raw.routes.push({ id: 'euw2-primary', account: 'primary', region: 'eu-west-2', configurationSet: 'cs-euw2' });
        raw.originators.GB = [{ route: 'euw2-primary', identity: 'pool-gb', type: 'long-code' }];
        raw.policies.otp = { protectConfiguration: 'otp-protect', allowedCountries: ['GB'] };
        raw.policies.alert = { protectConfiguration: 'otp-protect', channels: ['email'] };
        raw.channels = { email: { account: 'primary', region: 'us-east-1', fromAddress: 'no-reply@example.com' } };
      }),
    );
    expect(protectScopes(config, 'otp')).toEqual(['primary/eu-west-2']);
    expect(protectScopes(config, 'alert')).toEqual([]);
    expect(unprotectedScopes(config)).toEqual([{ useCase: 'otp', name: 'otp-protect', scope: 'primary/eu-west-2' }]);
  });

  it('a protect configuration no policy names is a warning too', () => {
    const config = parse(input((raw) => (raw.policies.otp = {})));
    expect(checkConfig(config).filter((f) => f.rule === 'protect-configuration-unused')).toEqual([
      expect.objectContaining({ severity: 'warning', path: 'protectConfigurations.otp-protect' }),
    ]);
  });
});
