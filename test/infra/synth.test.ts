/**
 * `infra synth` (src/infra/synth.ts) rule by rule, on config/examples/production.yaml and variations of it: what each
 * template holds, and the clear error for a config no template can serve.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { buildProgram } from '../../src/cli/main';
import { configSchema, type Config, type ConfigInput } from '../../src/domain/config';
import type { CfnTemplate } from '../../src/infra/cfn';
import { synthesize } from '../../src/infra/synth';
import { evaluate, resourcesOf } from '../helpers/cfn-eval';

const root = path.join(__dirname, '..', '..');
const PRODUCTION = path.join(root, 'config/examples/production.yaml');

/** The production example, changed by `edit` (on its raw form), parsed. */
function production(edit: (raw: ConfigInput & Record<string, unknown>) => void = () => {}): Config {
  const raw = parseYaml(fs.readFileSync(PRODUCTION, 'utf8')) as ConfigInput & Record<string, unknown>;
  edit(raw);
  return configSchema.parse(raw);
}

function template(config: Config, account: string, region: string): CfnTemplate {
  return synthesize(config).templates.find((t) => t.account === account && t.region === region)!.template;
}

describe('which templates, and what is where', () => {
  it('one template per account x Region of the config, IAM only in the account’s first', () => {
    const { templates, warnings } = synthesize(production());
    expect(templates.map((t) => t.fileName)).toEqual([
      'primary-us-east-1.json',
      'secondary-us-east-1.json',
      'primary-us-west-2.json',
      'primary-eu-west-2.json',
      'secondary-eu-west-2.json',
    ]);
    const withIam = templates.filter((t) => resourcesOf(t.template, 'AWS::IAM::ManagedPolicy').length > 0);
    expect(withIam.map((t) => t.fileName)).toEqual(['primary-us-east-1.json', 'secondary-us-east-1.json']);
    expect(warnings).toEqual([]);
  });

  it('SES and End User Messaging Social publish to the receipt topic the ingester reads, and may publish there', () => {
    const withWhatsapp = production((raw) => {
      (raw.channels as Record<string, unknown>).whatsapp = {
        account: 'primary',
        region: 'us-east-1',
        originationPhoneNumberId: 'phone-number-id-0123456789abcdef0123456789abcdef',
        templateName: 'otp_code',
      };
    });
    const t = template(withWhatsapp, 'primary', 'us-east-1');
    const ctx = { accountId: '111111111111', region: 'us-east-1' };
    const [[, destination]] = resourcesOf(t, 'AWS::SES::ConfigurationSetEventDestination') as [
      [string, CfnTemplate['Resources'][string]],
    ];
    const [[topicId]] = resourcesOf(t, 'AWS::SNS::Topic');
    expect(destination.Properties.EventDestination).toMatchObject({ SnsDestination: { TopicARN: { Ref: topicId } } });
    const [[, policy]] = resourcesOf(t, 'AWS::SNS::TopicPolicy') as [[string, CfnTemplate['Resources'][string]]];
    const doc = evaluate(t, ctx, policy.Properties.PolicyDocument) as { Statement: { Sid: string }[] };
    expect(doc.Statement.map((st) => st.Sid)).toEqual([
      'EndUserMessagingPublishes',
      'SesPublishes',
      'SocialMessagingPublishes',
    ]);
    // One receipt topic (the two-way SMS topic of optOuts.inbound is the other).
    expect(resourcesOf(t, 'AWS::SNS::Topic').map(([, r]) => r.Properties.TopicName)).toEqual([
      'rsms-events-primary-use1',
      'rsms-inbound-primary-use1',
    ]);
  });

  it('the worker may send email only from the configured address or its domain', () => {
    const t = template(production(), 'primary', 'us-east-1');
    const doc = evaluate(
      t,
      { accountId: '111111111111', region: 'us-east-1' },
      t.Resources.WorkerPolicy.Properties.PolicyDocument,
    );
    expect(doc).toMatchObject({
      Statement: expect.arrayContaining([
        expect.objectContaining({
          Sid: 'Email',
          Resource: [
            'arn:aws:ses:us-east-1:111111111111:identity/no-reply@example.com',
            'arn:aws:ses:us-east-1:111111111111:identity/example.com',
            'arn:aws:ses:us-east-1:111111111111:configuration-set/rsms-mail',
          ],
        }),
      ]),
    });
  });

  it('the DLR topic lets only End User Messaging publish, for this account and its configuration sets', () => {
    const t = template(production(), 'primary', 'eu-west-2');
    const [, policy] = resourcesOf(t, 'AWS::SNS::TopicPolicy')[0];
    const doc = evaluate(t, { accountId: '111111111111', region: 'eu-west-2' }, policy.Properties.PolicyDocument);
    expect(doc).toMatchObject({
      Statement: [
        {
          Principal: { Service: 'sms-voice.amazonaws.com' },
          Action: 'sns:Publish',
          Condition: {
            StringEquals: { 'aws:SourceAccount': '111111111111' },
            ArnLike: { 'aws:SourceArn': ['arn:aws:sms-voice:eu-west-2:111111111111:configuration-set/rsms-events-eu'] },
          },
        },
      ],
    });
  });

  it('configuration sets publish final events only, or every event with ingester.intermediateEvents: signal', () => {
    const types = (config: Config): unknown => {
      const t = template(config, 'primary', 'us-east-1');
      const [, set] = resourcesOf(t, 'AWS::SMSVOICE::ConfigurationSet')[0];
      return (set.Properties.EventDestinations as { MatchingEventTypes: string[] }[])[0].MatchingEventTypes;
    };
    const final = types(production()) as string[];
    expect(final).toEqual(
      expect.arrayContaining(['TEXT_DELIVERED', 'TEXT_BLOCKED', 'VOICE_COMPLETED', 'VOICE_FAILED']),
    );
    expect(final).not.toContain('TEXT_PENDING');
    expect(types(production((raw) => (raw.ingester = { intermediateEvents: 'signal' })))).toEqual([
      'TEXT_ALL',
      'VOICE_ALL',
    ]);
  });

  it('a pool is created only when its parameter lists what was bought for it; else the config’s pool is used', () => {
    const t = template(production(), 'primary', 'us-east-1');
    const [id, pool] = resourcesOf(t, 'AWS::SMSVOICE::Pool')[0];
    const [, share] = resourcesOf(t, 'AWS::RAM::ResourceShare')[0];
    const at = { accountId: '111111111111', region: 'us-east-1' };
    const existing = 'arn:aws:sms-voice:us-east-1:111111111111:pool/pool-0123456789abcdef0123456789abcdef';
    expect(evaluate(t, at, share.Properties.ResourceArns)).toEqual([
      existing,
      { getAtt: ['OptOutListRsmsOptOuts', 'Arn'] },
    ]);
    const bought = { ...at, parameters: { [`${id}OriginationIdentities`]: 'phone-0123,phone-4567' } };
    expect(evaluate(t, bought, share.Properties.ResourceArns)).toContainEqual({ getAtt: [id, 'Arn'] });
    expect(evaluate(t, bought, { 'Fn::If': [pool.Condition!, true, false] })).toBe(true);
  });

  it('the assumed role trusts the primary account, with the external id when the config has one', () => {
    const trust = (config: Config): string => {
      const t = template(config, 'secondary', 'us-east-1');
      return JSON.stringify([t.Parameters!.TrustedPrincipalArn, t.Resources.AssumedRole.Properties]);
    };
    expect(trust(production())).toContain('"Default":"arn:aws:iam::111111111111:root"');
    expect(trust(production())).toContain('{"StringEquals":{"sts:ExternalId":"rsms-prod-7f3c"}}');
    const withoutId = production((raw) => {
      raw.accounts.secondary.credentials = {
        type: 'assume-role',
        roleArn: 'arn:aws:iam::222222222222:role/rsms-sender',
      };
    });
    expect(trust(withoutId)).not.toContain('ExternalId');
  });

  it('AWS Health: the rule and queue in the queue’s Region, a forwarding rule in the account’s other Regions', () => {
    const config = production();
    const rules = (a: string, r: string): unknown[] =>
      resourcesOf(template(config, a, r), 'AWS::Events::Rule').map(([, rule]) => rule.Properties.Targets);
    expect(JSON.stringify(rules('primary', 'us-east-1'))).toContain('QueueRsmsAwsHealth');
    for (const region of ['us-west-2', 'eu-west-2']) {
      expect(JSON.stringify(rules('primary', region))).toContain(
        ':events:us-east-1:${AWS::AccountId}:event-bus/default',
      );
    }
    expect(rules('secondary', 'eu-west-2')).toEqual([]);
  });

  it('local.yaml: a topic ARN naming another account than its entry’s is a warning (the emulator’s account)', () => {
    const { warnings } = synthesize(
      configSchema.parse(parseYaml(fs.readFileSync(path.join(root, 'config/local.yaml'), 'utf8'))),
    );
    expect(warnings).toContainEqual(expect.stringContaining('dlrQueues[0].topicArn: names account 123456789012'));
  });
});

describe('a config no template can serve is a clear error naming the field', () => {
  const US_SHARED = 1; // originators.US[1]: the secondary route's pool, shared by ARN

  it('a shared originator whose owner is no account of the config', () => {
    const config = production((raw) => {
      raw.originators.US[US_SHARED].identity = 'arn:aws:sms-voice:us-east-1:333333333333:pool/pool-x';
    });
    expect(() => synthesize(config)).toThrow(/originators\.US\[1\]\.identity: owned by account 333333333333/);
  });

  it('a shared originator used by an account without accountId', () => {
    const config = production((raw) => {
      delete raw.accounts.secondary.accountId;
    });
    expect(() => synthesize(config)).toThrow(/account "secondary" has no accountId/);
  });

  it('a shared originator in another Region than the route that sends from it', () => {
    const config = production((raw) => {
      raw.originators.US[US_SHARED].identity = 'arn:aws:sms-voice:eu-west-2:111111111111:pool/pool-x';
    });
    expect(() => synthesize(config)).toThrow(/route secondary-use1 is in us-east-1 but the pool is in eu-west-2/);
  });

  it('a topic ARN in another Region than its dlrQueues entry', () => {
    const config = production((raw) => {
      raw.dlrQueues![0].topicArn = 'arn:aws:sns:us-west-2:111111111111:rsms-events-primary-use1';
    });
    expect(() => synthesize(config)).toThrow(/dlrQueues\[0\]\.topicArn: the topic is in us-west-2/);
  });

  it('two queues whose names give one logical id', () => {
    const config = production((raw) => {
      const q = raw.dlrQueues![0];
      raw.dlrQueues!.push({
        ...q,
        queueUrl: q.queueUrl.replace('rsms-dlr-primary-use1', 'rsms_dlr_primary_use1'),
        topicArn: undefined,
      });
    });
    expect(() => synthesize(config)).toThrow(/logical id QueueRsmsDlrPrimaryUse1Dlq/);
  });

  it('a queue URL that does not end in a queue name', () => {
    const config = production((raw) => {
      raw.dlrQueues![1].queueUrl = 'https://sqs.us-east-1.amazonaws.com/';
    });
    expect(() => synthesize(config)).toThrow(
      /dlrQueues\[1\]\.queueUrl: "https:\/\/sqs.us-east-1.amazonaws.com\/" does not end/,
    );
  });

  it('an assume-role ARN in another account than the account’s accountId', () => {
    const config = production((raw) => {
      raw.accounts.secondary.credentials = {
        type: 'assume-role',
        roleArn: 'arn:aws:iam::444444444444:role/rsms-sender',
      };
    });
    expect(() => synthesize(config)).toThrow(
      /accounts\.secondary\.credentials\.roleArn: the role is in account 444444444444/,
    );
  });
});

describe('opt-out lists, two-way SMS queues and protect configurations (optOuts, policies.*.protectConfigurationId)', () => {
  const PRIMARY = { accountId: '111111111111', region: 'us-east-1' };
  const SECONDARY = { accountId: '222222222222', region: 'us-east-1' };
  type Statement = { Sid: string; Action: string | string[]; Resource: unknown };
  const statements = (t: CfnTemplate, policy: string, at: typeof PRIMARY): Statement[] =>
    (evaluate(t, at, t.Resources[policy].Properties.PolicyDocument) as { Statement: Statement[] }).Statement;
  const lists = (t: CfnTemplate): unknown[] =>
    resourcesOf(t, 'AWS::SMSVOICE::OptOutList').map(([, r]) => r.Properties.OptOutListName);

  it('each configured list is created in its owner’s template, never Default (AWS has it), and the pools link to it', () => {
    const { templates } = synthesize(production());
    expect(Object.fromEntries(templates.map((t) => [t.fileName, lists(t.template)]))).toEqual({
      'primary-us-east-1.json': ['rsms-opt-outs'],
      'secondary-us-east-1.json': [],
      'primary-us-west-2.json': ['rsms-opt-outs'],
      'primary-eu-west-2.json': ['rsms-opt-outs-eu'],
      'secondary-eu-west-2.json': [],
    });
    const t = template(production(), 'primary', 'eu-west-2');
    for (const [, pool] of resourcesOf(t, 'AWS::SMSVOICE::Pool')) {
      expect(pool.Properties.OptOutListName).toEqual({ Ref: 'OptOutListRsmsOptOutsEu' });
    }
    expect(t.Outputs!.OptOutListRsmsOptOutsEuArn).toEqual({
      Description: 'optOuts.lists[3].names[1]',
      Value: { 'Fn::GetAtt': ['OptOutListRsmsOptOutsEu', 'Arn'] },
    });
  });

  it('without optOuts.lists (Default only) no list is created, pools stay on Default and RAM shares no list', () => {
    const config = production((raw) => delete (raw.optOuts as Record<string, unknown>).lists);
    const t = template(config, 'primary', 'us-east-1');
    expect(lists(t)).toEqual([]);
    const [, pool] = resourcesOf(t, 'AWS::SMSVOICE::Pool')[0];
    expect(pool.Properties.OptOutListName).toEqual({ Ref: 'AWS::NoValue' });
    const [, share] = resourcesOf(t, 'AWS::RAM::ResourceShare')[0];
    expect(JSON.stringify(share.Properties.ResourceArns)).not.toContain('OptOutList');
  });

  it('a list another account names by ARN is shared with it, even with no shared pool to go with', () => {
    const config = production((raw) => {
      raw.originators.GB.splice(1, 1); // secondary-euw2 no longer sends from the primary's pool
    });
    const t = template(config, 'primary', 'eu-west-2');
    const [, share] = resourcesOf(t, 'AWS::RAM::ResourceShare')[0];
    expect(share.Properties).toMatchObject({
      Principals: ['222222222222'],
      ResourceArns: [{ 'Fn::GetAtt': ['OptOutListRsmsOptOutsEu', 'Arn'] }],
    });
  });

  it('the worker may put, delete and describe opted-out numbers on exactly the account’s lists', () => {
    const config = production();
    const optOuts = (account: string, at: typeof PRIMARY): Statement | undefined =>
      statements(template(config, account, 'us-east-1'), 'WorkerPolicy', at).find((s) => s.Sid === 'OptOutLists');
    const actions = [
      'sms-voice:PutOptedOutNumber',
      'sms-voice:DeleteOptedOutNumber',
      'sms-voice:DescribeOptedOutNumbers',
    ];
    expect(optOuts('primary', PRIMARY)).toEqual({
      Sid: 'OptOutLists',
      Effect: 'Allow',
      Action: actions,
      Resource: ['us-east-1', 'us-west-2', 'eu-west-2'].flatMap((r) => [
        `arn:aws:sms-voice:${r}:111111111111:opt-out-list/Default`,
        `arn:aws:sms-voice:${r}:111111111111:opt-out-list/rsms-opt-outs${r === 'eu-west-2' ? '-eu' : ''}`,
      ]),
    });
    expect(optOuts('secondary', SECONDARY)?.Resource).toEqual([
      'arn:aws:sms-voice:us-east-1:222222222222:opt-out-list/Default',
      'arn:aws:sms-voice:us-east-1:111111111111:opt-out-list/rsms-opt-outs',
      'arn:aws:sms-voice:eu-west-2:222222222222:opt-out-list/Default',
      'arn:aws:sms-voice:eu-west-2:111111111111:opt-out-list/rsms-opt-outs-eu',
    ]);
  });

  it('a two-way SMS topic End User Messaging may publish to, its queue with DLQ, and the ingester reads it', () => {
    const t = template(production(), 'primary', 'us-east-1');
    const policy = t.Resources.TopicRsmsInboundPrimaryUse1Policy;
    expect(evaluate(t, PRIMARY, policy.Properties.PolicyDocument)).toMatchObject({
      Statement: [
        {
          Principal: { Service: 'sms-voice.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: { ref: 'TopicRsmsInboundPrimaryUse1' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': '111111111111' },
            ArnLike: { 'aws:SourceArn': 'arn:aws:sms-voice:us-east-1:111111111111:*' },
          },
        },
      ],
    });
    expect(t.Resources.QueueRsmsInboundPrimaryUse1Policy.Properties.Queues).toEqual([
      { Ref: 'QueueRsmsInboundPrimaryUse1' },
    ]);
    const receipts = statements(t, 'IngesterPolicy', PRIMARY).find((s) => s.Sid === 'Receipts')!.Resource;
    expect(receipts).toEqual(
      expect.arrayContaining([
        'arn:aws:sqs:us-east-1:111111111111:rsms-inbound-primary-use1',
        'arn:aws:sqs:us-west-2:111111111111:rsms-inbound-primary-usw2',
      ]),
    );
    const secondary = template(production(), 'secondary', 'us-east-1');
    expect(statements(secondary, 'IngesterPolicy', SECONDARY).find((s) => s.Sid === 'Receipts')!.Resource).toContain(
      'arn:aws:sqs:eu-west-2:222222222222:rsms-inbound-secondary-euw2',
    );
  });

  it('the worker may send with each protect configuration id of its account (protectConfigurations), in its Region', () => {
    const send = (config: Config, at = PRIMARY, account = 'primary'): unknown =>
      statements(template(config, account, at.region), 'WorkerPolicy', at).find((s) => s.Sid === 'Send')!.Resource;
    const arn = (region: string, account: string, id: string) =>
      `arn:aws:sms-voice:${region}:${account}:protect-configuration/protect-${id}123456789abcdef0123456789abcdef`;
    const primary = (send(production()) as string[]).filter((r) => r.includes('protect-configuration'));
    expect(primary.sort()).toEqual(
      [
        arn('us-east-1', '111111111111', '0'),
        arn('us-west-2', '111111111111', '2'),
        arn('eu-west-2', '111111111111', '3'),
      ].sort(),
    );
    const secondary = (send(production(), SECONDARY, 'secondary') as string[]).filter((r) =>
      r.includes('protect-configuration'),
    );
    expect(secondary.sort()).toEqual(
      [arn('us-east-1', '222222222222', '1'), arn('eu-west-2', '222222222222', '4')].sort(),
    );
    // An ARN as given; a name no policy uses adds nothing.
    const byArn = production((raw) => {
      const ids = (raw.protectConfigurations as Record<string, { ids: Record<string, string> }>)['otp-protect'].ids;
      ids['primary/us-east-1'] = 'arn:aws:sms-voice:us-east-1:111111111111:protect-configuration/protect-arn';
    });
    expect(send(byArn)).toContainEqual('arn:aws:sms-voice:us-east-1:111111111111:protect-configuration/protect-arn');
    const unused = production((raw) => delete (raw.policies.otp as Record<string, unknown>).protectConfiguration);
    expect(JSON.stringify(send(unused))).not.toContain('protect-configuration');
  });

  it('protectConfigurationId (one existing id for every scope) is still in the policy, in every Region of the account', () => {
    const config = production((raw) => {
      const otp = raw.policies.otp as Record<string, unknown>;
      delete otp.protectConfiguration;
      otp.protectConfigurationId = 'protect-given';
    });
    const send = statements(template(config, 'primary', 'us-east-1'), 'WorkerPolicy', PRIMARY).find(
      (s) => s.Sid === 'Send',
    )!.Resource;
    for (const r of ['us-east-1', 'us-west-2', 'eu-west-2']) {
      expect(send).toContainEqual(`arn:aws:sms-voice:${r}:111111111111:protect-configuration/protect-given`);
    }
  });

  it('clear errors: a list ARN of another resource type, a two-way topic in another Region than its entry', () => {
    const otherType = production((raw) => {
      (raw.optOuts as { lists: { names: string[] }[] }).lists[1].names[1] =
        'arn:aws:sms-voice:us-east-1:111111111111:pool/pool-x';
    });
    expect(() => synthesize(otherType)).toThrow(/optOuts\.lists\[1\]\.names\[1\]: .* is an ARN of a pool/);
    const otherRegion = production((raw) => {
      (raw.optOuts as { inbound: { topicArn: string }[] }).inbound[0].topicArn =
        'arn:aws:sns:us-west-2:111111111111:rsms-inbound-primary-use1';
    });
    expect(() => synthesize(otherRegion)).toThrow(/optOuts\.inbound\[0\]\.topicArn: the topic is in us-west-2/);
  });
});

describe('resilient-sms infra synth', () => {
  it('writes one JSON template per account x Region to --out', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-synth-'));
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await buildProgram({}).parseAsync(['--config', PRODUCTION, 'infra', 'synth', '--out', path.join(out, 'infra')], {
        from: 'user',
      });
      const files = fs.readdirSync(path.join(out, 'infra')).sort();
      expect(files).toHaveLength(5);
      const t = JSON.parse(fs.readFileSync(path.join(out, 'infra', 'secondary-us-east-1.json'), 'utf8')) as CfnTemplate;
      expect(t.AWSTemplateFormatVersion).toBe('2010-09-09');
      expect(log.mock.calls.map((c) => String(c[0]))).toContainEqual(
        expect.stringContaining('account secondary, us-east-1'),
      );
    } finally {
      log.mockRestore();
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('protect configurations (protectConfigurations, policies.*.protectConfiguration)', () => {
  const protects = (t: CfnTemplate) => resourcesOf(t, 'AWS::SMSVOICE::ProtectConfiguration');

  it('one per name in each account x Region a use case naming it sends from, with its country rules of all four modes', () => {
    const { templates, warnings } = synthesize(production());
    expect(templates.map((t) => protects(t.template).map(([id]) => id))).toEqual([
      ['ProtectOtpProtect'],
      ['ProtectOtpProtect'],
      ['ProtectOtpProtect'],
      ['ProtectOtpProtect'],
      ['ProtectOtpProtect'],
    ]);
    expect(warnings).toEqual([]);
    const [[, resource]] = protects(template(production(), 'secondary', 'eu-west-2'));
    expect(resource).toEqual({
      Type: 'AWS::SMSVOICE::ProtectConfiguration',
      Properties: {
        CountryRuleSet: {
          SMS: [
            { CountryCode: 'US', ProtectStatus: 'FILTER' },
            { CountryCode: 'GB', ProtectStatus: 'MONITOR' },
            { CountryCode: 'CA', ProtectStatus: 'ALLOW' },
            { CountryCode: 'RU', ProtectStatus: 'BLOCK' },
            { CountryCode: 'KP', ProtectStatus: 'BLOCK' },
          ],
        },
        DeletionProtectionEnabled: true,
        Tags: [{ Key: 'Name', Value: 'otp-protect' }],
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('an output with its id says where in the config it goes', () => {
    const t = template(production(), 'primary', 'us-west-2');
    expect(t.Outputs!.ProtectOtpProtectId).toEqual({
      Description:
        'protectConfigurations.otp-protect.ids["primary/us-west-2"]: the id of protect configuration "otp-protect" (use cases otp) in primary/us-west-2',
      Value: { 'Fn::GetAtt': ['ProtectOtpProtect', 'ProtectConfigurationId'] },
    });
  });

  it('no configuration set is associated with one (each send names its own), and a scope no use case of it sends from has none', () => {
    const { templates } = synthesize(
      production((raw) => ((raw.policies.otp as { allowedCountries: string[] }).allowedCountries = ['GB'])),
    );
    for (const t of templates) {
      for (const [, set] of resourcesOf(t.template, 'AWS::SMSVOICE::ConfigurationSet')) {
        expect(set.Properties).not.toHaveProperty('ProtectConfigurationId');
      }
    }
    // GB only: its originators are on primary/eu-west-2, secondary/eu-west-2 and primary/us-east-1 (a sender id);
    // voice (US only) no longer counts.
    expect(Object.fromEntries(templates.map((t) => [t.fileName, protects(t.template).length]))).toEqual({
      'primary-us-east-1.json': 1,
      'secondary-us-east-1.json': 0,
      'primary-us-west-2.json': 0,
      'primary-eu-west-2.json': 1,
      'secondary-eu-west-2.json': 1,
    });
  });

  it('a scope whose id the config lacks gets its resource and a warning naming the field to fill', () => {
    const config = production((raw) => {
      delete (raw.protectConfigurations as Record<string, { ids: Record<string, string> }>)['otp-protect'].ids[
        'primary/eu-west-2'
      ];
    });
    const { templates, warnings } = synthesize(config);
    expect(protects(templates.find((t) => t.fileName === 'primary-eu-west-2.json')!.template)).toHaveLength(1);
    expect(warnings).toEqual([
      'primary-eu-west-2.json: protectConfigurations.otp-protect.ids["primary/eu-west-2"] is not set: deploy, then write the output ProtectOtpProtectId there; until then the SMS and voice sends of otp from primary/eu-west-2 carry no protect configuration',
    ]);
  });
});
