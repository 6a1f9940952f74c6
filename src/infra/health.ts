/**
 * Route health's AWS Health events (`routeHealth.healthEvents`): the queue the ingester reads, with its dead-letter
 * queue, and the EventBridge rule for `source: aws.health` of the configured services that sends to it
 * (https://docs.aws.amazon.com/health/latest/ug/cloudwatch-events-health.html). AWS Health delivers an event to the
 * Region it concerns, so a rule sees that Region's events only
 * (https://docs.aws.amazon.com/health/latest/ug/choosing-a-region.html): the account's templates in the routes' other
 * Regions forward theirs to the queue's Region.
 */
import type { Config } from '../domain/config';
import { AWS_HEALTH_SMS_SERVICES } from '../domain/route-health-config';
import { getAtt, policyDocument, sub, type Json } from './cfn';
import type { ScopeContext } from './context';
import { queueNameOf } from './scopes';
import { queuePolicy, queueWithDlq } from './queues';

export const HEALTH_RULE_NAME = 'rsms-aws-health';

type HealthEvents = NonNullable<NonNullable<Config['routeHealth']>['healthEvents']>;

function eventPattern(health: HealthEvents): Json {
  return {
    source: ['aws.health'],
    'detail-type': ['AWS Health Event'],
    detail: { service: health.services ?? [...AWS_HEALTH_SMS_SERVICES] },
  };
}

/**
 * In another Region of the health account's routes: a rule that forwards the same events to the default event bus of
 * the queue's Region, with the role EventBridge needs to put them there
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html).
 */
function forwardHealthEvents(ctx: ScopeContext, health: HealthEvents): void {
  const b = ctx.builder;
  const bus = sub(`arn:\${AWS::Partition}:events:${health.region}:\${AWS::AccountId}:event-bus/default`);
  const role = b.resource('AwsHealthForwardRole', {
    Type: 'AWS::IAM::Role',
    Properties: {
      Description: `EventBridge puts this Region's AWS Health events on the default bus of ${health.region}`,
      AssumeRolePolicyDocument: policyDocument([
        { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ]),
      Policies: [
        {
          PolicyName: 'put-events',
          PolicyDocument: policyDocument([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: bus }]),
        },
      ],
    },
  });
  b.resource('AwsHealthForwardRule', {
    Type: 'AWS::Events::Rule',
    Properties: {
      Description: `AWS Health events of End User Messaging SMS, forwarded to ${health.region} for resilient-sms`,
      State: 'ENABLED',
      EventPattern: eventPattern(health),
      Targets: [{ Id: 'rsms-health-bus', Arn: bus, RoleArn: getAtt(role, 'Arn') }],
    },
  });
}

export function healthEvents(ctx: ScopeContext): void {
  const health = ctx.config.routeHealth?.healthEvents;
  if (!health || health.account !== ctx.scope.account) return;
  const routeRegions = new Set(ctx.config.routes.map((r) => r.region));
  if (health.region !== ctx.scope.region) {
    if (routeRegions.has(ctx.scope.region)) forwardHealthEvents(ctx, health);
    return;
  }
  const b = ctx.builder;
  const queue = queueWithDlq(ctx, queueNameOf(health.queueUrl, 'routeHealth.healthEvents.queueUrl'));
  const rule = b.resource('AwsHealthRule', {
    Type: 'AWS::Events::Rule',
    Properties: {
      Name: HEALTH_RULE_NAME,
      Description: 'AWS Health events of End User Messaging SMS, for resilient-sms route health',
      State: 'ENABLED',
      EventPattern: eventPattern(health),
      Targets: [{ Id: 'rsms-health-queue', Arn: getAtt(queue, 'Arn') }],
    },
  });
  queuePolicy(ctx, queue, 'events.amazonaws.com', getAtt(rule, 'Arn'));
  b.output(`${queue}Url`, { Description: 'routeHealth.healthEvents.queueUrl', Value: { Ref: queue } });
  const forwarded = new Set(ctx.scopes.filter((s) => s.account === health.account).map((s) => s.region));
  const missing = [...routeRegions].filter((r) => !forwarded.has(r));
  if (missing.length > 0) {
    ctx.warnings.push(
      `routeHealth.healthEvents: account ${health.account} has no template in ${missing.join(', ')}, so no rule ` +
        `forwards those Regions' AWS Health events to ${health.region} (docs/infra.md#aws-health-events)`,
    );
  }
}
