/**
 * The SNS → SQS building blocks every event path of a template shares (receipts, two-way SMS, AWS Health): a queue
 * with its dead-letter queue, the queue policy that lets one source send, a topic policy, and a topic's subscribed
 * queue with the outputs the config's `queueUrl` / `topicArn` are read from.
 */
import { getAtt, logicalId, policyDocument, ref, type Json } from './cfn';
import type { ScopeContext } from './context';

/** How long a message stays on the queue, and on the DLQ (the SQS maximum, 14 days): SQS CreateQueue attributes. */
export const QUEUE_RETENTION_SECONDS = 345_600;
export const DLQ_RETENTION_SECONDS = 1_209_600;
/** Receives before SQS moves a message to the DLQ (the ingester leaves what it cannot handle for the redrive). */
export const MAX_RECEIVE_COUNT = 5;

/** The SQS queue and its dead-letter queue (`<name>-dlq`, the name the ingester falls back to); the queue's id. */
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

/** The topic (by name) with its policy made of `statements`; returns the topic's logical id. */
export function topicWithPolicy(ctx: ScopeContext, topicName: string, statements: (topic: string) => Json[]): string {
  const topic = ctx.builder.resource(logicalId('Topic', topicName), {
    Type: 'AWS::SNS::Topic',
    Properties: { TopicName: topicName },
  });
  ctx.builder.resource(`${topic}Policy`, {
    Type: 'AWS::SNS::TopicPolicy',
    Properties: { Topics: [ref(topic)], PolicyDocument: policyDocument(statements(topic)) },
  });
  return topic;
}

export interface SubscribedQueue {
  /** The queue's name (from the config's queue URL). */
  name: string;
  /** SNS raw message delivery, as the config's entry says. */
  rawDelivery: boolean;
  /** Where the config names the queue (`dlrQueues[0]`), for the outputs' descriptions. */
  path: string;
  /** The topic ARN output's description. */
  topicDescription: string;
}

/**
 * The queue with its DLQ subscribed to `topic`, the queue policy that lets only that topic send, and the outputs for
 * the queue URL, the DLQ URL and the topic ARN.
 */
export function subscribedQueue(ctx: ScopeContext, topic: string, queue: SubscribedQueue): string {
  const b = ctx.builder;
  const q = queueWithDlq(ctx, queue.name);
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
  b.output(`${q}Url`, { Description: `${queue.path}.queueUrl`, Value: ref(q) });
  b.output(`${q}DlqUrl`, { Description: `dead-letter queue of ${queue.path}`, Value: ref(`${q}Dlq`) });
  b.output(`${topic}Arn`, { Description: queue.topicDescription, Value: ref(topic) });
  return q;
}
