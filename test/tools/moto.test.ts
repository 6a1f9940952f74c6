/**
 * The SQS/SNS emulator and our provisioning: an event published to the topic reaches the queue
 * enveloped or raw, and a message received too often moves to the dead-letter queue.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ChangeMessageVisibilityCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { configSchema, type Config } from '../../src/domain/config';
import { startMoto, type Moto } from '../../src/tools/moto';
import { EMULATOR_CREDENTIALS, provisionDlrQueues, type ProvisionedQueue } from '../../src/tools/provision-emulator';

let moto: Moto;
let queues: ProvisionedQueue[];
let sqs: SQSClient;
let sns: SNSClient;

function config(endpoint: string): Config {
  return configSchema.parse({
    accounts: { primary: {} },
    routes: [{ id: 'r', account: 'primary', region: 'us-east-1' }],
    originators: { US: [{ route: 'r', identity: 'pool-1', type: 'short-code' }] },
    policies: { otp: {} },
    dlrQueues: [
      {
        account: 'primary',
        region: 'us-east-1',
        endpoint,
        queueUrl: `${endpoint}/123456789012/dlr-enveloped`,
        topicArn: 'arn:aws:sns:us-east-1:123456789012:dlr-enveloped',
        rawDelivery: false,
      },
      {
        account: 'primary',
        region: 'us-west-2',
        endpoint,
        queueUrl: `${endpoint}/123456789012/dlr-raw`,
        topicArn: 'arn:aws:sns:us-west-2:123456789012:dlr-raw',
        rawDelivery: true,
      },
    ],
  });
}

async function receiveOne(queueUrl: string, region: string) {
  const client = new SQSClient({ region, endpoint: moto.endpoint, credentials: EMULATOR_CREDENTIALS });
  try {
    const out = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 1 }),
    );
    return out.Messages?.[0];
  } finally {
    client.destroy();
  }
}

beforeAll(async () => {
  moto = await startMoto();
  queues = await provisionDlrQueues(config(moto.endpoint), { maxReceiveCount: 2, visibilityTimeoutSeconds: 30 });
  sqs = new SQSClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: EMULATOR_CREDENTIALS });
}, 60_000);

afterAll(async () => {
  sqs?.destroy();
  sns?.destroy();
  await moto?.stop();
});

it('delivers to the enveloped queue inside an SNS Notification', async () => {
  const [q] = queues;
  sns = new SNSClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: EMULATOR_CREDENTIALS });
  await sns.send(new PublishCommand({ TopicArn: q.topicArn, Message: '{"eventType":"TEXT_DELIVERED"}' }));
  const msg = await receiveOne(q.queueUrl, 'us-east-1');
  const body = JSON.parse(msg!.Body!) as { Type: string; Message: string };
  expect(body.Type).toBe('Notification');
  expect(JSON.parse(body.Message)).toEqual({ eventType: 'TEXT_DELIVERED' });
});

it('delivers to the raw queue as the event itself', async () => {
  const q = queues[1];
  const west = new SNSClient({ region: 'us-west-2', endpoint: moto.endpoint, credentials: EMULATOR_CREDENTIALS });
  await west.send(new PublishCommand({ TopicArn: q.topicArn, Message: '{"eventType":"TEXT_PENDING"}' }));
  west.destroy();
  const msg = await receiveOne(q.queueUrl, 'us-west-2');
  expect(JSON.parse(msg!.Body!)).toEqual({ eventType: 'TEXT_PENDING' });
});

it('moves a message received more than maxReceiveCount times to the dead-letter queue', async () => {
  const [q] = queues;
  await sns.send(new PublishCommand({ TopicArn: q.topicArn, Message: 'poison' }));
  for (let i = 0; i < 2; i++) {
    const msg = await receiveOne(q.queueUrl, 'us-east-1');
    expect(msg).toBeDefined();
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: q.queueUrl,
        ReceiptHandle: msg!.ReceiptHandle!,
        VisibilityTimeout: 0,
      }),
    );
  }
  // The third receive finds the message over its limit: it goes to the DLQ instead.
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.queueUrl, WaitTimeSeconds: 1 }));
  expect(out.Messages ?? []).toHaveLength(0);
  const dead = await receiveOne(q.dlqUrl, 'us-east-1');
  expect((JSON.parse(dead!.Body!) as { Message: string }).Message).toBe('poison');
});
