/**
 * Route health's AWS Health events (`routeHealth.healthEvents`): the queue the ingester reads, with its dead-letter
 * queue, and the EventBridge rule for `source: aws.health` of the configured services that sends to it
 * (https://docs.aws.amazon.com/health/latest/ug/cloudwatch-events-health.html). AWS Health delivers an event to the
 * Region it concerns, so a rule sees that Region's events only
 * (https://docs.aws.amazon.com/health/latest/ug/choosing-a-region.html): the other Regions' forwarding is a warning.
 */
import { AWS_HEALTH_SMS_SERVICES } from '../domain/route-health-config';
import { getAtt } from './cfn';
import type { ScopeContext } from './context';
import { queueNameOf } from './scopes';
import { queuePolicy, queueWithDlq } from './receipts';

export const HEALTH_RULE_NAME = 'rsms-aws-health';

export function healthEvents(ctx: ScopeContext): void {
  const health = ctx.config.routeHealth?.healthEvents;
  if (!health || health.account !== ctx.scope.account || health.region !== ctx.scope.region) return;
  const b = ctx.builder;
  const queue = queueWithDlq(ctx, queueNameOf(health.queueUrl, 'routeHealth.healthEvents.queueUrl'));
  const rule = b.resource('AwsHealthRule', {
    Type: 'AWS::Events::Rule',
    Properties: {
      Name: HEALTH_RULE_NAME,
      Description: 'AWS Health events of End User Messaging SMS, for resilient-sms route health',
      State: 'ENABLED',
      EventPattern: {
        source: ['aws.health'],
        'detail-type': ['AWS Health Event'],
        detail: { service: health.services ?? [...AWS_HEALTH_SMS_SERVICES] },
      },
      Targets: [{ Id: 'rsms-health-queue', Arn: getAtt(queue, 'Arn') }],
    },
  });
  queuePolicy(ctx, queue, 'events.amazonaws.com', getAtt(rule, 'Arn'));
  b.output(`${queue}Url`, { Description: 'routeHealth.healthEvents.queueUrl', Value: { Ref: queue } });
  const others = [...new Set(ctx.config.routes.map((r) => r.region))].filter((r) => r !== health.region);
  if (others.length > 0) {
    ctx.warnings.push(
      `routeHealth.healthEvents: the rule in ${health.region} sees that Region's AWS Health events only; forward ` +
        `${others.join(', ')} to it with a rule per Region (docs/infra.md#aws-health-events)`,
    );
  }
}
