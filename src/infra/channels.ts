/**
 * The email channel's event publishing, when `channels.email` names a configuration set in this account × Region:
 * AWS::SES::ConfigurationSet and its AWS::SES::ConfigurationSetEventDestination to an SNS topic that only SES may
 * publish to, for this configuration set (https://docs.aws.amazon.com/ses/latest/dg/monitor-sending-activity.html).
 */
import { logicalId, policyDocument, ref, sub } from './cfn';
import type { ScopeContext } from './context';

export const EMAIL_EVENTS_TOPIC = 'rsms-email-events';
/** The SES event types published: what says whether an email reached its recipient. */
export const EMAIL_EVENT_TYPES = [
  'send',
  'reject',
  'bounce',
  'complaint',
  'delivery',
  'deliveryDelay',
  'renderingFailure',
];

export function emailEvents(ctx: ScopeContext): void {
  const email = ctx.config.channels.email;
  if (!email || email.account !== ctx.scope.account || email.region !== ctx.scope.region) return;
  if (!email.configurationSet) {
    ctx.warnings.push('channels.email: no configurationSet, so no email events are published');
    return;
  }
  const b = ctx.builder;
  const name = email.configurationSet;
  const set = b.resource(logicalId('EmailConfigurationSet', name), {
    Type: 'AWS::SES::ConfigurationSet',
    Properties: { Name: name },
  });
  const topic = b.resource(logicalId('Topic', EMAIL_EVENTS_TOPIC), {
    Type: 'AWS::SNS::Topic',
    Properties: { TopicName: EMAIL_EVENTS_TOPIC },
  });
  b.resource(`${topic}Policy`, {
    Type: 'AWS::SNS::TopicPolicy',
    Properties: {
      Topics: [ref(topic)],
      PolicyDocument: policyDocument([
        {
          Sid: 'SesPublishes',
          Effect: 'Allow',
          Principal: { Service: 'ses.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: ref(topic),
          Condition: {
            StringEquals: {
              'aws:SourceAccount': ref('AWS::AccountId'),
              'aws:SourceArn': sub(
                `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}:configuration-set/${name}`,
              ),
            },
          },
        },
      ]),
    },
  });
  b.resource(`${set}Destination`, {
    Type: 'AWS::SES::ConfigurationSetEventDestination',
    Properties: {
      ConfigurationSetName: ref(set),
      EventDestination: {
        Name: 'rsms-email-to-sns',
        Enabled: true,
        MatchingEventTypes: EMAIL_EVENT_TYPES,
        SnsDestination: { TopicARN: ref(topic) },
      },
    },
    DependsOn: [`${topic}Policy`],
  });
  b.output(`${set}Name`, { Description: 'channels.email.configurationSet', Value: ref(set) });
  b.output(`${topic}Arn`, { Description: "SNS topic of the email configuration set's events", Value: ref(topic) });
}
