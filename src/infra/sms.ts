/**
 * End User Messaging SMS resources of one account × Region: the pools the config names (linked to the opt-out list of
 * src/infra/opt-outs.ts) and the routes' configuration sets with their SNS event destination (protect configurations:
 * src/infra/protect.ts). Property names from the CloudFormation reference (docs/infra.md lists each page).
 */
import { SMS_VOICE_EVENT_MEANINGS } from '../domain/sms-event-types';
import { getAtt, ifThen, logicalId, NO_VALUE, ref, sub } from './cfn';
import type { ScopeContext } from './context';
import { ownerOfShared, parseSmsArn, placedOriginators } from './scopes';

/** The event types the configuration sets publish: the final ones, or all with `ingester.intermediateEvents: signal`. */
export function matchingEventTypes(ctx: ScopeContext): string[] {
  if (ctx.config.ingester?.intermediateEvents === 'signal') return ['TEXT_ALL', 'VOICE_ALL'];
  return Object.entries(SMS_VOICE_EVENT_MEANINGS)
    .filter(([, meaning]) => meaning.class === 'success' || meaning.class === 'failure')
    .map(([type]) => type);
}

/** The pool ids the scope owns: pools named on its routes, and pools of this account × Region shared by ARN. */
export function ownedPoolIds(ctx: ScopeContext): string[] {
  const ids = new Set<string>();
  const routeIds = new Set(ctx.scope.routes.map((r) => r.id));
  for (const placed of placedOriginators(ctx.config)) {
    const o = placed.originator;
    if (o.kind !== 'pool') continue;
    if (o.shared) {
      const { account, arn } = ownerOfShared(ctx.config, placed);
      if (account === ctx.scope.account && arn.region === ctx.scope.region && arn.type === 'pool') ids.add(arn.id);
    } else if (routeIds.has(o.route)) {
      const arn = parseSmsArn(o.identity);
      ids.add(arn ? arn.id : o.identity);
    }
  }
  return [...ids];
}

/**
 * AWS::SMSVOICE::Pool for each pool the scope owns. AWS assigns a pool's id, so a pool is created only when its
 * parameter lists the phone numbers or sender IDs already bought for it; left empty, the template uses the existing
 * pool of the config's id. The keyword replies are parameters too.
 */
export function pools(ctx: ScopeContext): void {
  const ids = ownedPoolIds(ctx);
  if (ids.length === 0) return;
  const b = ctx.builder;
  b.parameter('HelpKeywordMessage', {
    Type: 'String',
    Description: 'Reply to HELP of the pools this template creates (MandatoryKeywords.HELP.Message)',
    Default: 'Reply STOP to stop receiving messages.',
  });
  b.parameter('StopKeywordMessage', {
    Type: 'String',
    Description: 'Reply to STOP of the pools this template creates (MandatoryKeywords.STOP.Message)',
    Default: 'You will no longer receive messages from us.',
  });
  for (const poolId of ids) {
    const id = logicalId('Pool', poolId);
    const param = b.parameter(`${id}OriginationIdentities`, {
      Type: 'CommaDelimitedList',
      Description: `Phone number ids or ARNs, or sender id ARNs, already bought, to create pool "${poolId}" with; empty: the pool exists and the config's id "${poolId}" is used`,
      Default: '',
    });
    const create = b.condition(`Create${id}`, {
      'Fn::Not': [{ 'Fn::Equals': [{ 'Fn::Join': ['', ref(param)] }, ''] }],
    });
    b.resource(id, {
      Type: 'AWS::SMSVOICE::Pool',
      Condition: create,
      Properties: {
        OriginationIdentities: ref(param),
        MandatoryKeywords: {
          HELP: { Message: ref('HelpKeywordMessage') },
          STOP: { Message: ref('StopKeywordMessage') },
        },
        // The scope's first own list (src/infra/opt-outs.ts); without one AWS links the pool to `Default`.
        OptOutListName: ctx.optOutList ? ctx.optOutList.name : NO_VALUE,
        DeletionProtectionEnabled: true,
        Tags: [{ Key: 'rsms:config-id', Value: poolId }],
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    b.output(`${id}Id`, {
      Description: `The id AWS gave the pool created for "${poolId}": write it into the config in place of "${poolId}"`,
      Value: getAtt(id, 'PoolId'),
      Condition: create,
    });
    const existing = sub(`arn:\${AWS::Partition}:sms-voice:\${AWS::Region}:\${AWS::AccountId}:pool/${poolId}`);
    ctx.poolArns.set(poolId, ifThen(create, getAtt(id, 'Arn'), existing));
  }
}

/** AWS::SMSVOICE::ConfigurationSet per configuration set of the scope's routes, publishing to the DLR topics. */
export function configurationSets(ctx: ScopeContext): void {
  const names = [...new Set(ctx.scope.routes.flatMap((r) => (r.configurationSet ? [r.configurationSet] : [])))];
  const feedback = Object.values(ctx.config.policies).some((p) => p.messageFeedback);
  for (const route of ctx.scope.routes) {
    if (!route.configurationSet) {
      ctx.warnings.push(`route ${route.id}: no configurationSet, so its sends publish no delivery events`);
    }
  }
  for (const name of names) {
    if (ctx.dlrTopics.length === 0) {
      ctx.warnings.push(
        `configuration set ${name} (${ctx.scope.account}/${ctx.scope.region}): no dlrQueues entry for this account and Region, so it has no event destination`,
      );
    }
    const id = ctx.builder.resource(logicalId('ConfigurationSet', name), {
      Type: 'AWS::SMSVOICE::ConfigurationSet',
      Properties: {
        ConfigurationSetName: name,
        EventDestinations: ctx.dlrTopics.map((topic) => ({
          EventDestinationName: `rsms-${topic}`.slice(0, 64),
          Enabled: true,
          MatchingEventTypes: matchingEventTypes(ctx),
          SnsDestination: { TopicArn: ref(topic) },
        })),
        MessageFeedbackEnabled: feedback,
      },
      ...(ctx.dlrTopics.length > 0 ? { DependsOn: ctx.dlrTopics.map((t) => `${t}Policy`) } : {}),
    });
    ctx.builder.output(`${id}Name`, { Description: `routes[].configurationSet "${name}"`, Value: ref(id) });
  }
}
