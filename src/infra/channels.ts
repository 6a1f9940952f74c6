/**
 * The email channel's event publishing, when `channels.email` names a configuration set in this account × Region:
 * AWS::SES::ConfigurationSet and its AWS::SES::ConfigurationSetEventDestination to the scope's receipt topic (the DLR
 * topic of `dlrQueues`, whose policy lets SES publish for this configuration set: ./receipts.ts). The ingester reads
 * SES events from the same queue as SMS receipts and accepts only that topic's messages
 * (https://docs.aws.amazon.com/ses/latest/dg/monitor-sending-activity.html).
 *
 * WhatsApp's event destination is a setting of the WhatsApp Business Account (PutWhatsAppBusinessAccountEventDestinations),
 * which CloudFormation has no resource for: docs/infra.md says how to point it at the same topic.
 */
import { logicalId, ref } from './cfn';
import type { ScopeContext } from './context';
import { emailConfigurationSetOf } from './receipts';

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
  const name = emailConfigurationSetOf(ctx);
  if (!name) {
    ctx.warnings.push('channels.email: no configurationSet, so no email events are published');
    return;
  }
  const topic = ctx.dlrTopics[0];
  if (!topic) {
    ctx.warnings.push(
      `channels.email: no dlrQueues entry for ${ctx.scope.account} in ${ctx.scope.region}, so its events reach no ingester`,
    );
  }
  const b = ctx.builder;
  const set = b.resource(logicalId('EmailConfigurationSet', name), {
    Type: 'AWS::SES::ConfigurationSet',
    Properties: { Name: name },
  });
  if (topic) {
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
  }
  b.output(`${set}Name`, { Description: 'channels.email.configurationSet', Value: ref(set) });
}
