/**
 * The receipt path of one account × Region, per `dlrQueues` entry: the SNS topic the configuration sets publish to
 * (its policy lets sms-voice.amazonaws.com publish for this account's configuration sets only), the SQS queue with its
 * dead-letter queue (`<queue>-dlq`, the name the ingester falls back to), the subscription (raw delivery as the config
 * says) and the queue policy that lets only that topic send. Outputs give the queue URL and topic ARN the config names.
 */
import { ref, sub, type Json } from './cfn';
import type { ScopeContext } from './context';
import { subscribedQueue, topicWithPolicy } from './queues';
import { queueNameOf, topicNameOf, type DlrQueueConfig } from './scopes';

/**
 * The DLR topic's policy statements: End User Messaging may publish for this account's configuration sets only
 * (https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-sns-creating-role.html).
 */
function dlrTopicStatements(ctx: ScopeContext, topic: string): Json[] {
  const sets = [...new Set(ctx.scope.routes.flatMap((r) => (r.configurationSet ? [r.configurationSet] : [])))];
  const sourceArns = (sets.length > 0 ? sets : ['*']).map((name) =>
    sub(`arn:\${AWS::Partition}:sms-voice:\${AWS::Region}:\${AWS::AccountId}:configuration-set/${name}`),
  );
  const emailSet = emailConfigurationSetOf(ctx);
  return [
    {
      Sid: 'EndUserMessagingPublishes',
      Effect: 'Allow',
      Principal: { Service: 'sms-voice.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: ref(topic),
      Condition: {
        StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') },
        ArnLike: { 'aws:SourceArn': sourceArns },
      },
    },
    // SES publishes the email channel's events to the same topic, so the ingester reads them from the same queue
    // (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-add-event-destination-sns.html).
    ...(emailSet ? [sesPublishes(topic, emailSet)] : []),
    // End User Messaging Social publishes the WhatsApp Business Account's events (Meta's statuses) there too; the
    // WABA's event destination itself is set outside CloudFormation (docs/runbook.md, WhatsApp and email receipts).
    ...(whatsappSendsFrom(ctx) ? [socialPublishes(topic)] : []),
  ];
}

/** The email channel's configuration set when the channel sends from this account × Region. */
export function emailConfigurationSetOf(ctx: ScopeContext): string | undefined {
  const email = ctx.config.channels.email;
  if (!email || email.account !== ctx.scope.account || email.region !== ctx.scope.region) return undefined;
  return email.configurationSet;
}

function whatsappSendsFrom(ctx: ScopeContext): boolean {
  const whatsapp = ctx.config.channels.whatsapp;
  return !!whatsapp && whatsapp.account === ctx.scope.account && whatsapp.region === ctx.scope.region;
}

function socialPublishes(topic: string): Json {
  return {
    Sid: 'SocialMessagingPublishes',
    Effect: 'Allow',
    Principal: { Service: 'social-messaging.amazonaws.com' },
    Action: 'sns:Publish',
    Resource: ref(topic),
    Condition: { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
  };
}

function sesPublishes(topic: string, configurationSet: string): Json {
  return {
    Sid: 'SesPublishes',
    Effect: 'Allow',
    Principal: { Service: 'ses.amazonaws.com' },
    Action: 'sns:Publish',
    Resource: ref(topic),
    Condition: {
      StringEquals: {
        'aws:SourceAccount': ref('AWS::AccountId'),
        'aws:SourceArn': sub(
          `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}:configuration-set/${configurationSet}`,
        ),
      },
    },
  };
}

function dlrQueue(ctx: ScopeContext, queue: DlrQueueConfig, index: number): void {
  const path = `dlrQueues[${ctx.config.dlrQueues.indexOf(queue)}]`;
  const name = queueNameOf(queue.queueUrl, `${path}.queueUrl`);
  const topicName = queue.topicArn
    ? topicNameOf(queue.topicArn)
    : `rsms-events-${ctx.scope.account}-${ctx.scope.region}${index > 0 ? `-${index + 1}` : ''}`;
  const topic = topicWithPolicy(ctx, topicName, (t) => dlrTopicStatements(ctx, t));
  ctx.dlrTopics.push(topic);
  subscribedQueue(ctx, topic, { name, rawDelivery: queue.rawDelivery, path, topicDescription: `${path}.topicArn` });
}

/** The receipt path of every DLR queue of the scope. */
export function dlrQueues(ctx: ScopeContext): void {
  ctx.scope.dlrQueues.forEach((queue, i) => dlrQueue(ctx, queue, i));
}
