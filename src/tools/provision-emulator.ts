/**
 * Creates, on the local SQS/SNS emulator, what AWS would have from the runbook: per DLR queue of the
 * config, the event destination's SNS topic, the SQS queue subscribed to it (raw or enveloped), and
 * a dead-letter queue behind a redrive policy; and the route-health AWS Health event queue
 * (`routeHealth.healthEvents`, fed in AWS by an EventBridge rule, locally by the simulator's
 * `POST /_sim/aws-health`) with its dead-letter queue; and the two-way SMS queues of `optOuts.inbound` with their
 * SNS topics (fed in AWS by the numbers' two-way channel, locally by the simulator's `POST /_sim/inbound`).
 * Idempotent: existing resources are reused.
 */
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../domain/config';

/** Credentials the emulator accepts; not secrets (moto ignores them). */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'emulator', secretAccessKey: 'emulator' };

export interface ProvisionedQueue {
  account: string;
  region: string;
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  topicArn?: string;
  rawDelivery: boolean;
}

export interface ProvisionOptions {
  /** Receives before a message that cannot be processed moves to the DLQ. Default 3. */
  maxReceiveCount?: number;
  /** Visibility timeout of the DLR queues, seconds. Default 30. */
  visibilityTimeoutSeconds?: number;
}

function nameFromUrl(queueUrl: string): string {
  const name = new URL(queueUrl).pathname.split('/').filter(Boolean).pop();
  if (!name) throw new Error(`cannot read a queue name from ${queueUrl}`);
  return name;
}

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const arn = out.Attributes?.QueueArn;
  if (!arn) throw new Error(`no QueueArn for ${queueUrl}`);
  return arn;
}

/** The queue `name` with a `<name>-dlq` dead-letter queue behind a redrive policy. */
async function queueWithDlq(
  sqs: SQSClient,
  name: string,
  opts: ProvisionOptions,
): Promise<{ queueUrl: string; arn: string; dlqUrl: string }> {
  const dlq = await sqs.send(
    new CreateQueueCommand({ QueueName: `${name}-dlq`, Attributes: { MessageRetentionPeriod: '1209600' } }),
  );
  const dlqUrl = dlq.QueueUrl!;
  const dlqArn = await queueArn(sqs, dlqUrl);
  const main = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(opts.visibilityTimeoutSeconds ?? 30),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: opts.maxReceiveCount ?? 3 }),
      },
    }),
  );
  const queueUrl = main.QueueUrl!;
  return { queueUrl, arn: await queueArn(sqs, queueUrl), dlqUrl };
}

/** The AWS Health event queue of `routeHealth.healthEvents`, when configured; undefined otherwise. */
export async function provisionHealthEventQueue(
  config: Config,
  opts: ProvisionOptions = {},
): Promise<{ queueUrl: string; dlqUrl: string } | undefined> {
  const q = config.routeHealth?.healthEvents;
  if (!q) return undefined;
  if (!q.endpoint) throw new Error('routeHealth.healthEvents has no endpoint: only emulators are provisioned');
  const sqs = new SQSClient({ region: q.region, endpoint: q.endpoint, credentials: EMULATOR_CREDENTIALS });
  try {
    const { queueUrl, dlqUrl } = await queueWithDlq(sqs, nameFromUrl(q.queueUrl), opts);
    return { queueUrl, dlqUrl };
  } finally {
    sqs.destroy();
  }
}

/** What a DLR or two-way SMS queue entry says: an SQS queue subscribed to an SNS topic. */
type SubscribedQueue = Pick<
  Config['dlrQueues'][number],
  'account' | 'region' | 'queueUrl' | 'endpoint' | 'topicArn' | 'rawDelivery'
>;

/** One queue with its DLQ, its topic and the subscription (raw or enveloped). */
async function provisionSubscribedQueue(
  q: SubscribedQueue,
  what: string,
  opts: ProvisionOptions,
): Promise<ProvisionedQueue> {
  if (!q.endpoint)
    throw new Error(`${what} entry ${q.account}/${q.region} has no endpoint: only emulators are provisioned`);
  const sqs = new SQSClient({ region: q.region, endpoint: q.endpoint, credentials: EMULATOR_CREDENTIALS });
  const sns = new SNSClient({ region: q.region, endpoint: q.endpoint, credentials: EMULATOR_CREDENTIALS });
  try {
    const { queueUrl, arn, dlqUrl } = await queueWithDlq(sqs, nameFromUrl(q.queueUrl), opts);
    let topicArn: string | undefined;
    if (q.topicArn) {
      const topicName = q.topicArn.split(':').pop()!;
      topicArn = (await sns.send(new CreateTopicCommand({ Name: topicName }))).TopicArn;
      await sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'sqs',
          Endpoint: arn,
          Attributes: { RawMessageDelivery: q.rawDelivery ? 'true' : 'false' },
        }),
      );
    }
    return {
      account: q.account,
      region: q.region,
      queueUrl,
      queueArn: arn,
      dlqUrl,
      topicArn,
      rawDelivery: q.rawDelivery,
    };
  } finally {
    sqs.destroy();
    sns.destroy();
  }
}

export async function provisionDlrQueues(config: Config, opts: ProvisionOptions = {}): Promise<ProvisionedQueue[]> {
  const provisioned: ProvisionedQueue[] = [];
  for (const q of config.dlrQueues) provisioned.push(await provisionSubscribedQueue(q, 'dlrQueues', opts));
  return provisioned;
}

/** The two-way SMS queues of `optOuts.inbound`, each subscribed to its two-way SNS topic (the simulator publishes there). */
export async function provisionInboundQueues(config: Config, opts: ProvisionOptions = {}): Promise<ProvisionedQueue[]> {
  const provisioned: ProvisionedQueue[] = [];
  for (const q of config.optOuts?.inbound ?? [])
    provisioned.push(await provisionSubscribedQueue(q, 'optOuts.inbound', opts));
  return provisioned;
}
