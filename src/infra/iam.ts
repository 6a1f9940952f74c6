/**
 * IAM (global, so in each account's home template, its first account × Region in the config): least-privilege managed
 * policies for the worker (sends on the config's configuration sets, originators and protect configurations, in every
 * Region of the account; the opt-out list actions on exactly the account's lists of the config) and the ingester (its
 * DLR, two-way SMS and AWS Health queues), and the role a route's `assume-role` credentials name, trusting the account that
 * assumes it, with the external id. Actions and resource ARNs: the Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsendusermessagingsmsandvoicev2.html,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html).
 */
import type { Config } from '../domain/config';
import { ifThen, NO_VALUE, policyDocument, ref, sub, type Json } from './cfn';
import type { ScopeContext } from './context';
import { optOutTargets } from '../domain/opt-out-config';
import { optOutListArn } from './opt-outs';
import { parseSmsArn, placedOriginators, queueNameOf, type Scope } from './scopes';

export const WORKER_POLICY = 'WorkerPolicy';
export const INGESTER_POLICY = 'IngesterPolicy';

const smsArn = (region: string, resource: string): Json =>
  sub(`arn:\${AWS::Partition}:sms-voice:${region}:\${AWS::AccountId}:${resource}`);

/** The End User Messaging resources the account's routes send from and with. */
function sendResources(config: Config, account: string): Json[] {
  const resources = new Map<string, Json>();
  const routes = new Map(config.routes.map((r) => [r.id, r]));
  for (const route of config.routes) {
    if (route.account === account && route.configurationSet) {
      const r = `configuration-set/${route.configurationSet}`;
      resources.set(`${route.region}/${r}`, smsArn(route.region, r));
    }
  }
  for (const { originator } of placedOriginators(config)) {
    const route = routes.get(originator.route);
    if (route?.account !== account) continue;
    const arn = parseSmsArn(originator.identity);
    if (arn) resources.set(originator.identity, originator.identity);
    else {
      // A pool by id names its ARN; a phone number by E.164 or a sender ID by name does not (its ARN has AWS's id).
      const r = originator.kind === 'pool' ? `pool/${originator.identity}` : `${originator.kind}/*`;
      resources.set(`${route.region}/${r}`, smsArn(route.region, r));
    }
  }
  for (const arn of protectConfigurationArns(config, account)) resources.set(JSON.stringify(arn), arn);
  return [...resources.values()];
}

/**
 * The protect configurations the use cases send with: `policies.*.protectConfigurationId` in every Region of the
 * account's routes, and the ids of the account in `protectConfigurations.<name>.ids` of the names a policy uses, in
 * their own Region. SendTextMessage and SendVoiceMessage list `protect-configuration` among their resource types in
 * the Service Authorization Reference, so a send naming one is authorized on it too.
 */
function protectConfigurationArns(config: Config, account: string): Json[] {
  const ids = [...new Set(Object.values(config.policies).flatMap((p) => p.protectConfigurationId ?? []))];
  const regions = [...new Set(config.routes.filter((r) => r.account === account).map((r) => r.region))];
  const arns = ids.flatMap((id) =>
    parseSmsArn(id) ? [id] : regions.map((region) => smsArn(region, `protect-configuration/${id}`)),
  );
  const names = new Set(Object.values(config.policies).flatMap((p) => p.protectConfiguration ?? []));
  for (const [name, section] of Object.entries(config.protectConfigurations ?? {})) {
    if (!names.has(name)) continue;
    for (const [key, id] of Object.entries(section.ids)) {
      const [owner, region] = key.split('/');
      if (owner !== account) continue;
      arns.push(parseSmsArn(id) ? id : smsArn(region, `protect-configuration/${id}`));
    }
  }
  return arns;
}

/** The account's opt-out lists (src/domain/opt-out-config.ts optOutTargets), exactly: propagation and the pre-send check. */
function optOutStatement(config: Config, account: string): Json[] {
  const lists = optOutTargets(config).filter((t) => t.account === account);
  if (lists.length === 0) return [];
  const actions = [
    'sms-voice:PutOptedOutNumber',
    'sms-voice:DeleteOptedOutNumber',
    'sms-voice:DescribeOptedOutNumbers',
  ];
  return [{ Sid: 'OptOutLists', Effect: 'Allow', Action: actions, Resource: lists.map(optOutListArn) }];
}

function channelStatements(config: Config, account: string): Json[] {
  const statements: Json[] = [];
  const { email, whatsapp, push } = config.channels;
  if (email?.account === account) {
    const at = `arn:\${AWS::Partition}:ses:${email.region}:\${AWS::AccountId}`;
    // SendEmail is authorized on the identity that sends: the address, or its verified domain.
    const domain = email.fromAddress.slice(email.fromAddress.lastIndexOf('@') + 1);
    const resources = [sub(`${at}:identity/${email.fromAddress}`), sub(`${at}:identity/${domain}`)];
    if (email.configurationSet) resources.push(sub(`${at}:configuration-set/${email.configurationSet}`));
    statements.push({ Sid: 'Email', Effect: 'Allow', Action: 'ses:SendEmail', Resource: resources });
  }
  if (whatsapp?.account === account) {
    const r = `arn:\${AWS::Partition}:social-messaging:${whatsapp.region}:\${AWS::AccountId}:phone-number-id/*`;
    statements.push({
      Sid: 'WhatsApp',
      Effect: 'Allow',
      Action: 'social-messaging:SendWhatsAppMessage',
      Resource: sub(r),
    });
  }
  if (push?.account === account) {
    const r = `arn:\${AWS::Partition}:sns:${push.region}:\${AWS::AccountId}:endpoint/*`;
    statements.push({ Sid: 'Push', Effect: 'Allow', Action: 'sns:Publish', Resource: sub(r) });
  }
  return statements;
}

function workerStatements(config: Config, account: string): Json[] {
  const statements = channelStatements(config, account);
  const send = sendResources(config, account);
  if (send.length > 0) {
    const actions = ['sms-voice:SendTextMessage', 'sms-voice:SendVoiceMessage'];
    statements.unshift({ Sid: 'Send', Effect: 'Allow', Action: actions, Resource: send });
    // PutMessageFeedback names a message id, not a resource of the config.
    statements.push({ Sid: 'Feedback', Effect: 'Allow', Action: 'sms-voice:PutMessageFeedback', Resource: '*' });
  }
  statements.push(...optOutStatement(config, account));
  return statements;
}

/** The queues the ingester reads in the account (DLR queues, two-way SMS queues, the AWS Health queue), by Region and name. */
function ingesterQueues(config: Config, account: string): { region: string; name: string }[] {
  const queues = config.dlrQueues.flatMap((q, i) =>
    q.account === account ? [{ region: q.region, name: queueNameOf(q.queueUrl, `dlrQueues[${i}].queueUrl`) }] : [],
  );
  (config.optOuts?.inbound ?? []).forEach((q, i) => {
    if (q.account === account) {
      queues.push({ region: q.region, name: queueNameOf(q.queueUrl, `optOuts.inbound[${i}].queueUrl`) });
    }
  });
  const health = config.routeHealth?.healthEvents;
  if (health?.account === account) {
    queues.push({ region: health.region, name: queueNameOf(health.queueUrl, 'routeHealth.healthEvents.queueUrl') });
  }
  return queues;
}

function ingesterStatements(config: Config, account: string): Json[] {
  const queues = ingesterQueues(config, account);
  if (queues.length === 0) return [];
  const arn = (q: { region: string; name: string }, suffix = ''): Json =>
    sub(`arn:\${AWS::Partition}:sqs:${q.region}:\${AWS::AccountId}:${q.name}${suffix}`);
  const actions = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'];
  return [
    { Sid: 'Receipts', Effect: 'Allow', Action: actions, Resource: queues.map((q) => arn(q)) },
    {
      Sid: 'DeadLetterDepth',
      Effect: 'Allow',
      Action: 'sqs:GetQueueAttributes',
      Resource: queues.map((q) => arn(q, '-dlq')),
    },
  ];
}

/** The role an `assume-role` account names, when it is this account's (its ARN's account id is this account's). */
function assumedRole(config: Config, scope: Scope): { name: string; path: string; externalId?: string } | undefined {
  const credentials = config.accounts[scope.account]?.credentials;
  if (credentials?.type !== 'assume-role') return undefined;
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):role(\/.*\/|\/)([^/]+)$/.exec(credentials.roleArn);
  if (!m) throw new Error(`accounts.${scope.account}.credentials.roleArn: not a role ARN with a name`);
  if (scope.accountId && m[1] !== scope.accountId) {
    throw new Error(
      `accounts.${scope.account}.credentials.roleArn: the role is in account ${m[1]}, not in ${scope.accountId} (accountId)`,
    );
  }
  return { name: m[3], path: m[2], externalId: credentials.externalId };
}

/** The account the assumed role trusts by default: the first other account of the config that does not assume one. */
function defaultTrustedAccount(config: Config, account: string): string | undefined {
  return Object.entries(config.accounts).find(
    ([name, a]) => name !== account && a.accountId && a.credentials.type !== 'assume-role',
  )?.[1].accountId;
}

function role(ctx: ScopeContext, policies: string[]): void {
  const assumed = assumedRole(ctx.config, ctx.scope);
  if (!assumed) return;
  const b = ctx.builder;
  const trusted = defaultTrustedAccount(ctx.config, ctx.scope.account);
  b.parameter('TrustedPrincipalArn', {
    Type: 'String',
    Description: `Who may assume ${assumed.name}: the role (or account root) the worker and ingester run as`,
    AllowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:(root|role/.+)$',
    ...(trusted ? { Default: `arn:aws:iam::${trusted}:root` } : {}),
  });
  const statement: Record<string, Json> = {
    Effect: 'Allow',
    Principal: { AWS: ref('TrustedPrincipalArn') },
    Action: 'sts:AssumeRole',
  };
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html
  if (assumed.externalId) statement.Condition = { StringEquals: { 'sts:ExternalId': assumed.externalId } };
  b.resource('AssumedRole', {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: assumed.name,
      Path: assumed.path,
      Description: `resilient-sms: the worker and ingester of another account act in ${ctx.scope.account} through it`,
      AssumeRolePolicyDocument: policyDocument([statement]),
      ManagedPolicyArns: policies.map(ref),
    },
  });
  b.output('AssumedRoleArn', {
    Description: `accounts.${ctx.scope.account}.credentials.roleArn`,
    Value: { 'Fn::GetAtt': ['AssumedRole', 'Arn'] },
  });
}

/** The account's managed policies (and assumed role) in its home template. */
export function iam(ctx: ScopeContext): void {
  if (!ctx.scope.home) return;
  const b = ctx.builder;
  const { config, scope } = ctx;
  const assumes = config.accounts[scope.account]?.credentials.type === 'assume-role';
  if (!assumes) {
    b.parameter('RuntimeRoleName', {
      Type: 'String',
      Description:
        'The IAM role the worker and ingester run as in this account, to attach the policies to; empty: none',
      Default: '',
    });
    b.condition('HasRuntimeRole', { 'Fn::Not': [{ 'Fn::Equals': [ref('RuntimeRoleName'), ''] }] });
  }
  const roles = assumes ? NO_VALUE : ifThen('HasRuntimeRole', [ref('RuntimeRoleName')], NO_VALUE);
  const policies: string[] = [];
  const add = (id: string, name: string, description: string, statements: Json[]): void => {
    if (statements.length === 0) return;
    b.resource(id, {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        ManagedPolicyName: name,
        Description: description,
        PolicyDocument: policyDocument(statements),
        Roles: roles,
      },
    });
    b.output(`${id}Arn`, { Description: description, Value: ref(id) });
    policies.push(id);
  };
  add(
    WORKER_POLICY,
    'rsms-worker',
    'resilient-sms worker: sends and feedback',
    workerStatements(config, scope.account),
  );
  add(
    INGESTER_POLICY,
    'rsms-ingester',
    'resilient-sms ingester: its queues',
    ingesterStatements(config, scope.account),
  );
  role(ctx, policies);
}
