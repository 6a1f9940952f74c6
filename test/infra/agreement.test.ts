/**
 * The templates of `infra synth` and the config they come from agree: every route's configuration set publishes to
 * its account × Region's DLR topic, every DLR queue exists (with its dead-letter queue, subscription and output) under
 * the name of its URL, every topic ARN names a topic of the template, every pool used by ARN through RAM is shared by
 * its owner's template with the account that uses it, every assume-role credential has its role, every opt-out list
 * of `optOuts.lists` but `Default` exists in its owner's template (shared by RAM with the other accounts that name it)
 * and the worker's policy names each list, and every two-way SMS queue of `optOuts.inbound` exists with its topic,
 * dead-letter queue, subscription and outputs, read by the ingester's policy. For
 * config/local.yaml and for config/examples/production.yaml (three Regions, two accounts). A deployed template's
 * names are computed the way AWS forms them (SQS queue URL, SNS topic ARN).
 */
import path from 'node:path';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/domain/config';
import type { CfnTemplate } from '../../src/infra/cfn';
import { DEFAULT_OPT_OUT_LIST } from '../../src/domain/opt-out-config';
import { optOutListArn, ownedLists } from '../../src/infra/opt-outs';
import { parseSmsArn, placedOriginators, queueNameOf, topicNameOf } from '../../src/infra/scopes';
import { synthesize } from '../../src/infra/synth';
import { evaluate, resourcesOf, type Deployment } from '../helpers/cfn-eval';

const root = path.join(__dirname, '..', '..');
const CONFIGS = ['config/local.yaml', 'config/examples/production.yaml'];

function setup(file: string): { config: Config; templateOf: (account: string, region: string) => CfnTemplate } {
  const config = loadConfig(path.join(root, file));
  const { templates } = synthesize(config);
  const templateOf = (account: string, region: string): CfnTemplate => {
    const t = templates.find((x) => x.account === account && x.region === region);
    if (!t) throw new Error(`no template for ${account}/${region}`);
    return t.template;
  };
  return { config, templateOf };
}

/** Every template of the config in order (an account's first holds its IAM policies). */
const templates = (config: Config) => synthesize(config).templates;

const deploymentOf = (config: Config, account: string, region: string): Deployment => ({
  accountId: config.accounts[account].accountId!,
  region,
});

/** The logical id of the resource of `type` whose `property` is `value`. */
function find(template: CfnTemplate, type: string, property: string, value: string): string {
  const found = resourcesOf(template, type).find(([, r]) => r.Properties[property] === value);
  if (!found) throw new Error(`no ${type} with ${property} = ${value}`);
  return found[0];
}

describe.each(CONFIGS)('%s', (file) => {
  const { config, templateOf } = setup(file);

  it('every route has its configuration set, publishing to the DLR topic of its account and Region', () => {
    for (const route of config.routes) {
      const t = templateOf(route.account, route.region);
      const set = find(t, 'AWS::SMSVOICE::ConfigurationSet', 'ConfigurationSetName', route.configurationSet!);
      const destinations = t.Resources[set].Properties.EventDestinations as { SnsDestination: { TopicArn: unknown } }[];
      const topics = config.dlrQueues
        .filter((q) => q.account === route.account && q.region === route.region)
        .map((q) => find(t, 'AWS::SNS::Topic', 'TopicName', topicNameOf(q.topicArn!)));
      expect(topics.length).toBeGreaterThan(0);
      expect(destinations.map((d) => d.SnsDestination.TopicArn)).toEqual(topics.map((id) => ({ Ref: id })));
    }
  });

  it('every DLR queue exists with its dead-letter queue, its subscription (raw delivery as configured) and an output', () => {
    config.dlrQueues.forEach((q, i) => {
      const t = templateOf(q.account, q.region);
      const d = deploymentOf(config, q.account, q.region);
      const name = queueNameOf(q.queueUrl, 'queueUrl');
      const id = find(t, 'AWS::SQS::Queue', 'QueueName', name);
      const redrive = t.Resources[id].Properties.RedrivePolicy as { deadLetterTargetArn: { 'Fn::GetAtt': string[] } };
      expect(t.Resources[redrive.deadLetterTargetArn['Fn::GetAtt'][0]].Properties.QueueName).toBe(`${name}-dlq`);
      const topic = find(t, 'AWS::SNS::Topic', 'TopicName', topicNameOf(q.topicArn!));
      const subscription = resourcesOf(t, 'AWS::SNS::Subscription').find(
        ([, r]) => JSON.stringify(r.Properties.Endpoint) === JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }),
      );
      expect(subscription?.[1].Properties).toMatchObject({
        TopicArn: { Ref: topic },
        RawMessageDelivery: q.rawDelivery,
      });
      const output = Object.values(t.Outputs!).find((o) => o.Description === `dlrQueues[${i}].queueUrl`);
      expect(evaluate(t, d, output!.Value)).toEqual({ ref: id });
      // Deployed, the queue's URL is https://sqs.<region>.amazonaws.com/<account>/<name>, the config's when it is AWS's.
      const deployedUrl = `https://sqs.${q.region}.amazonaws.com/${d.accountId}/${name}`;
      if (!q.endpoint) expect(q.queueUrl).toBe(deployedUrl);
    });
  });

  it('every topic ARN of the config names a topic of its template, with an output', () => {
    config.dlrQueues.forEach((q, i) => {
      const t = templateOf(q.account, q.region);
      const topic = find(t, 'AWS::SNS::Topic', 'TopicName', topicNameOf(q.topicArn!));
      const output = Object.values(t.Outputs!).find((o) => o.Description === `dlrQueues[${i}].topicArn`);
      expect(output?.Value).toEqual({ Ref: topic });
      const d = deploymentOf(config, q.account, q.region);
      const deployed = `arn:aws:sns:${q.region}:${d.accountId}:${topicNameOf(q.topicArn!)}`;
      if (!q.endpoint) expect(q.topicArn).toBe(deployed);
      else expect(q.topicArn!.split(':')[3]).toBe(q.region);
    });
  });

  it('every pool used by ARN through RAM is shared by its owner with the account that uses it', () => {
    const shared = placedOriginators(config).filter((p) => p.originator.shared);
    expect(shared.length).toBeGreaterThan(0);
    for (const placed of shared) {
      const arn = parseSmsArn(placed.originator.identity)!;
      const owner = Object.entries(config.accounts).find(([, a]) => a.accountId === arn.accountId)![0];
      const t = templateOf(owner, arn.region);
      const [, share] = resourcesOf(t, 'AWS::RAM::ResourceShare')[0];
      const d = deploymentOf(config, owner, arn.region);
      expect(evaluate(t, d, share.Properties.ResourceArns)).toContain(placed.originator.identity);
      const user = config.routes.find((r) => r.id === placed.originator.route)!;
      expect(share.Properties.Principals).toContain(config.accounts[user.account].accountId);
      if (arn.type === 'pool') {
        expect(resourcesOf(t, 'AWS::SMSVOICE::Pool').map(([, r]) => r.Properties.Tags)).toContainEqual([
          { Key: 'rsms:config-id', Value: arn.id },
        ]);
      }
    }
  });

  it('every assume-role credential has its role, with the external id, and the worker and ingester policies', () => {
    for (const [name, account] of Object.entries(config.accounts)) {
      if (account.credentials.type !== 'assume-role') continue;
      const home = config.routes.find((r) => r.account === name)!.region;
      const t = templateOf(name, home);
      const roleName = account.credentials.roleArn.split('/').pop()!;
      const id = find(t, 'AWS::IAM::Role', 'RoleName', roleName);
      const trust = JSON.stringify(t.Resources[id].Properties.AssumeRolePolicyDocument);
      if (account.credentials.externalId)
        expect(trust).toContain(`"sts:ExternalId":"${account.credentials.externalId}"`);
      expect(t.Resources[id].Properties.ManagedPolicyArns).toEqual([
        { Ref: 'WorkerPolicy' },
        { Ref: 'IngesterPolicy' },
      ]);
    }
  });

  it("the worker's policy allows sending with every route's configuration set and originators", () => {
    for (const route of config.routes) {
      const home = config.routes.find((r) => r.account === route.account)!.region;
      const t = templateOf(route.account, home);
      const d = deploymentOf(config, route.account, home);
      const doc = evaluate(t, d, t.Resources.WorkerPolicy.Properties.PolicyDocument) as {
        Statement: { Sid: string; Resource: string[] }[];
      };
      const send = doc.Statement.find((s) => s.Sid === 'Send')!.Resource;
      expect(send).toContain(
        `arn:aws:sms-voice:${route.region}:${d.accountId}:configuration-set/${route.configurationSet}`,
      );
      for (const p of placedOriginators(config).filter((x) => x.originator.route === route.id)) {
        if (p.originator.shared) expect(send).toContain(p.originator.identity);
        else if (p.originator.kind === 'pool') {
          expect(send).toContain(`arn:aws:sms-voice:${route.region}:${d.accountId}:pool/${p.originator.identity}`);
        }
      }
    }
  });

  it('every configured opt-out list but Default exists in its owner’s template, shared with the accounts naming it by ARN', () => {
    for (const l of ownedLists(config)) {
      expect(l.owner).toBeDefined();
      const t = templateOf(l.owner!.account, l.owner!.region);
      const names = resourcesOf(t, 'AWS::SMSVOICE::OptOutList').map(([, r]) => r.Properties.OptOutListName);
      expect(names).not.toContain(DEFAULT_OPT_OUT_LIST);
      if (l.name === DEFAULT_OPT_OUT_LIST) continue;
      const id = find(t, 'AWS::SMSVOICE::OptOutList', 'OptOutListName', l.name);
      expect(Object.values(t.Outputs!)).toContainEqual({
        Description: expect.any(String),
        Value: { 'Fn::GetAtt': [id, 'Arn'] },
      });
      const owner = deploymentOf(config, l.owner!.account, l.owner!.region);
      // Deployed, the list's ARN is arn:aws:sms-voice:<region>:<account>:opt-out-list/<name>: the config's, when it names one.
      if (parseSmsArn(l.list))
        expect(l.list).toBe(`arn:aws:sms-voice:${l.region}:${owner.accountId}:opt-out-list/${l.name}`);
      if (l.account !== l.owner!.account) {
        const [, share] = resourcesOf(t, 'AWS::RAM::ResourceShare')[0];
        expect(share.Properties.Principals).toContain(config.accounts[l.account].accountId);
        expect(share.Properties.ResourceArns).toContainEqual({ 'Fn::GetAtt': [id, 'Arn'] });
      }
    }
  });

  it("the worker's policy may put, delete and describe opted-out numbers on every list of its account", () => {
    for (const l of ownedLists(config)) {
      const home = templates(config).find((t) => t.account === l.account)!;
      const d = deploymentOf(config, l.account, home.region);
      const doc = evaluate(home.template, d, home.template.Resources.WorkerPolicy.Properties.PolicyDocument) as {
        Statement: { Sid: string; Action: string[]; Resource: string[] }[];
      };
      const statement = doc.Statement.find((s) => s.Sid === 'OptOutLists')!;
      expect(statement.Action).toContain('sms-voice:PutOptedOutNumber');
      expect(statement.Resource).toContain(evaluate(home.template, d, optOutListArn(l)));
    }
  });

  it('every two-way SMS queue exists with its topic, DLQ, subscription and outputs, and the ingester may read it', () => {
    (config.optOuts?.inbound ?? []).forEach((q, i) => {
      const t = templateOf(q.account, q.region);
      const d = deploymentOf(config, q.account, q.region);
      const name = queueNameOf(q.queueUrl, 'queueUrl');
      const id = find(t, 'AWS::SQS::Queue', 'QueueName', name);
      find(t, 'AWS::SQS::Queue', 'QueueName', `${name}-dlq`);
      const topicName = q.topicArn ? topicNameOf(q.topicArn) : `rsms-inbound-${q.account}-${q.region}`;
      const topic = find(t, 'AWS::SNS::Topic', 'TopicName', topicName);
      const subscription = resourcesOf(t, 'AWS::SNS::Subscription').find(
        ([, r]) => JSON.stringify(r.Properties.Endpoint) === JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }),
      );
      expect(subscription?.[1].Properties).toMatchObject({
        TopicArn: { Ref: topic },
        RawMessageDelivery: q.rawDelivery,
      });
      const outputs = Object.values(t.Outputs!);
      expect(outputs.find((o) => o.Description === `optOuts.inbound[${i}].queueUrl`)?.Value).toEqual({ Ref: id });
      expect(outputs.find((o) => o.Description?.startsWith(`optOuts.inbound[${i}].topicArn`))?.Value).toEqual({
        Ref: topic,
      });
      if (!q.endpoint) {
        expect(q.queueUrl).toBe(`https://sqs.${q.region}.amazonaws.com/${d.accountId}/${name}`);
        expect(q.topicArn).toBe(`arn:aws:sns:${q.region}:${d.accountId}:${topicName}`);
      }
      const home = templates(config).find((x) => x.account === q.account)!;
      const doc = evaluate(
        home.template,
        deploymentOf(config, q.account, home.region),
        home.template.Resources.IngesterPolicy.Properties.PolicyDocument,
      ) as {
        Statement: { Sid: string; Resource: string[] }[];
      };
      expect(doc.Statement.find((s) => s.Sid === 'Receipts')!.Resource).toContain(
        `arn:aws:sqs:${q.region}:${d.accountId}:${name}`,
      );
    });
  });
});
