/**
 * The receipt path of one account × Region, per `dlrQueues` entry: the SNS topic the configuration sets publish to
 * (its policy lets sms-voice.amazonaws.com publish for this account's configuration sets only), the SQS queue with its
 * dead-letter queue (`<queue>-dlq`, the name the ingester falls back to), the subscription (raw delivery as the config
 * says) and the queue policy that lets only that topic send. Outputs give the queue URL and topic ARN the config names.
 */
import { getAtt, logicalId, policyDocument, ref, sub, type Json } from './cfn';
import type { ScopeContext } from './context';
import { queueNameOf, topicNameOf, type DlrQueueConfig } from './scopes';

/** How long a receipt stays on the queue, and on the DLQ (the SQS maximum, 14 days): SQS CreateQueue attributes. */
export const QUEUE_RETENTION_SECONDS = 345_600;
export const DLQ_RETENTION_SECONDS = 1_209_600;
/** Receives before SQS moves a receipt to the DLQ (the ingester leaves what it cannot handle for the redrive). */
export const MAX_RECEIVE_COUNT = 5;

/** The SQS queue and its dead-letter queue; returns the queue's logical id. */
export function queueWithDlq(ctx: ScopeContext, name: string, visibilityTimeout = 60): string {
  const b = ctx.builder;
  const id = logicalId('Queue', name);
  const dlq = b.resource(`${id}Dlq`, {
    Type: 'AWS::SQS::Queue',
    Properties: { QueueName: `${name}-dlq`, MessageRetentionPeriod: DLQ_RETENTION_SECONDS, SqsManagedSseEnabled: true },
  });
  b.resource(id, {
    Type: 'AWS::SQS::Queue',
    Properties: {
      QueueName: name,
      VisibilityTimeout: visibilityTimeout,
      MessageRetentionPeriod: QUEUE_RETENTION_SECONDS,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: getAtt(dlq, 'Arn'), maxReceiveCount: MAX_RECEIVE_COUNT },
    },
  });
  return id;
}

/** Lets `service` (sns.amazonaws.com, events.amazonaws.com) send to the queue only from `sourceArn`. */
export function queuePolicy(ctx: ScopeContext, queue: string, service: string, sourceArn: Json): void {
  ctx.builder.resource(`${queue}Policy`, {
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: [ref(queue)],
      PolicyDocument: policyDocument([
        {
          Effect: 'Allow',
          Principal: { Service: service },
          Action: 'sqs:SendMessage',
          Resource: getAtt(queue, 'Arn'),
          Condition: { ArnEquals: { 'aws:SourceArn': sourceArn } },
        },
      ]),
    },
  });
}

/**
 * The topic's policy: End User Messaging may publish for this account's configuration sets only
 * (https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-sns-creating-role.html).
 */
function dlrTopicPolicy(ctx: ScopeContext, topic: string): void {
  const sets = [...new Set(ctx.scope.routes.flatMap((r) => (r.configurationSet ? [r.configurationSet] : [])))];
  const sourceArns = (sets.length > 0 ? sets : ['*']).map((name) =>
    sub(`arn:\${AWS::Partition}:sms-voice:\${AWS::Region}:\${AWS::AccountId}:configuration-set/${name}`),
  );
  const emailSet = emailConfigurationSetOf(ctx);
  ctx.builder.resource(`${topic}Policy`, {
    Type: 'AWS::SNS::TopicPolicy',
    Properties: {
      Topics: [ref(topic)],
      PolicyDocument: policyDocument([
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
      ]),
    },
  });
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
  const b = ctx.builder;
  const topic = b.resource(logicalId('Topic', topicName), {
    Type: 'AWS::SNS::Topic',
    Properties: { TopicName: topicName },
  });
  dlrTopicPolicy(ctx, topic);
  ctx.dlrTopics.push(topic);
  const q = queueWithDlq(ctx, name);
  b.resource(`${q}Subscription`, {
    Type: 'AWS::SNS::Subscription',
    Properties: {
      TopicArn: ref(topic),
      Protocol: 'sqs',
      Endpoint: getAtt(q, 'Arn'),
      RawMessageDelivery: queue.rawDelivery,
    },
  });
  queuePolicy(ctx, q, 'sns.amazonaws.com', ref(topic));
  b.output(`${q}Url`, { Description: `${path}.queueUrl`, Value: ref(q) });
  b.output(`${q}DlqUrl`, { Description: `dead-letter queue of ${path}`, Value: ref(`${q}Dlq`) });
  b.output(`${topic}Arn`, { Description: `${path}.topicArn`, Value: ref(topic) });
}

/** The receipt path of every DLR queue of the scope. */
export function dlrQueues(ctx: ScopeContext): void {
  ctx.scope.dlrQueues.forEach((queue, i) => dlrQueue(ctx, queue, i));
}
