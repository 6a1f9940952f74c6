/**
 * The SQS/SNS emulator's own ceiling, for the ingestion measurement: the same steps of offered load published to
 * a topic and queue of the run's own (created here, deleted after), drained by bare consumers that only receive and
 * delete — no Temporal, no ingester. Whatever rate this cannot sustain, no ingester reading this emulator can.
 */
import { CreateTopicCommand, DeleteTopicCommand, PublishBatchCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { queueDepth } from '../../src/aws/queue-depth';
import { openLoop, RUN_ID } from '../lib/drive';
import type { BenchStack } from '../lib/stack';
import { sleep } from '../lib/stats';

export interface CeilingStep {
  offeredPerS: number;
  messages: number;
  achievedPerS: number;
  maxBacklog: number;
  kept: boolean;
}

/** A topic and a queue of the run's own, the queue subscribed to the topic. */
async function scratchTopicAndQueue(stack: BenchStack): Promise<{ topicArn: string; queueUrl: string }> {
  const name = `rsms-bench-ceiling-${RUN_ID}`;
  const topic = await stack.sns.send(new CreateTopicCommand({ Name: name }));
  const queue = await stack.sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '30' } }),
  );
  const queueUrl = queue.QueueUrl!;
  const arn = (
    await stack.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes!.QueueArn!;
  await stack.sns.send(new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: 'sqs', Endpoint: arn }));
  return { topicArn: topic.TopicArn!, queueUrl };
}

/** Bare consumers: receive and delete, nothing else, until `done()`. */
function drainers(stack: BenchStack, queueUrl: string, n: number, done: () => boolean): Promise<void[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      while (!done()) {
        const out = await stack.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        const messages = out.Messages ?? [];
        if (messages.length === 0) continue;
        await stack.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
    }),
  );
}

/** One step: `rate` per second for `stepS` seconds (batches of 10), timed until the queue is empty. */
async function ceilingStep(
  stack: BenchStack,
  scratch: { topicArn: string; queueUrl: string },
  rate: number,
  opts: { stepS: number; consumers: number; body: string },
): Promise<CeilingStep> {
  const { topicArn, queueUrl } = scratch;
  const count = Math.max(10, Math.round(rate * opts.stepS));
  let done = false;
  const consumers = drainers(stack, queueUrl, opts.consumers, () => done);
  const depth = async () => (await queueDepth(stack.sqs, queueUrl)).total;
  let maxBacklog = 0;
  let publishing = true;
  const watch = (async () => {
    while (publishing) {
      maxBacklog = Math.max(maxBacklog, await depth());
      await sleep(250);
    }
  })();
  const t0 = Date.now();
  await openLoop(Math.ceil(count / 10), rate / 10, (b) =>
    stack.sns.send(
      new PublishBatchCommand({
        TopicArn: topicArn,
        PublishBatchRequestEntries: Array.from({ length: 10 }, (_, i) => ({ Id: `${b}-${i}`, Message: opts.body })),
      }),
    ),
  );
  const lastPublish = Date.now();
  publishing = false;
  await watch;
  const end = Date.now() + 60_000;
  while ((await depth()) > 0 && Date.now() < end) await sleep(50);
  const drained = Date.now();
  done = true;
  await consumers;
  const messages = Math.ceil(count / 10) * 10;
  return {
    offeredPerS: rate,
    messages,
    achievedPerS: Math.round((messages / ((drained - t0) / 1000)) * 10) / 10,
    maxBacklog,
    kept: maxBacklog <= Math.max(20, rate) && drained - lastPublish <= 3_000,
  };
}

export async function emulatorCeiling(
  stack: BenchStack,
  opts: { rates: number[]; stepS: number; consumers: number; bodyBytes: number },
  log: (line: string) => void,
): Promise<{ steps: CeilingStep[]; sustainedPerS: number }> {
  const scratch = await scratchTopicAndQueue(stack);
  const body = JSON.stringify({ eventType: 'TEXT_DELIVERED', pad: 'x'.repeat(Math.max(0, opts.bodyBytes - 40)) });
  const steps: CeilingStep[] = [];
  try {
    for (const rate of opts.rates) {
      const step = await ceilingStep(stack, scratch, rate, { stepS: opts.stepS, consumers: opts.consumers, body });
      steps.push(step);
      log(
        `  emulator alone at ${rate}/s: ${step.achievedPerS}/s, deepest queue ${step.maxBacklog}, ${step.kept ? 'kept up' : 'fell behind'}`,
      );
      if (!step.kept) break;
    }
  } finally {
    await stack.sqs.send(new DeleteQueueCommand({ QueueUrl: scratch.queueUrl })).catch(() => undefined);
    await stack.sns.send(new DeleteTopicCommand({ TopicArn: scratch.topicArn })).catch(() => undefined);
  }
  return { steps, sustainedPerS: steps.filter((s) => s.kept).pop()?.achievedPerS ?? 0 };
}
