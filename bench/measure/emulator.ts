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

export async function emulatorCeiling(
  stack: BenchStack,
  opts: { rates: number[]; stepS: number; consumers: number; bodyBytes: number },
  log: (line: string) => void,
): Promise<{ steps: CeilingStep[]; sustainedPerS: number }> {
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
  const depth = async () => {
    const a = (
      await stack.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      )
    ).Attributes;
    return Number(a?.ApproximateNumberOfMessages ?? 0) + Number(a?.ApproximateNumberOfMessagesNotVisible ?? 0);
  };
  const body = JSON.stringify({ eventType: 'TEXT_DELIVERED', pad: 'x'.repeat(Math.max(0, opts.bodyBytes - 40)) });
  const steps: CeilingStep[] = [];
  try {
    for (const rate of opts.rates) {
      const count = Math.max(10, Math.round(rate * opts.stepS));
      let done = false;
      const consumers = Array.from({ length: opts.consumers }, async () => {
        while (!done) {
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
      });
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
            TopicArn: topic.TopicArn,
            PublishBatchRequestEntries: Array.from({ length: 10 }, (_, i) => ({ Id: `${b}-${i}`, Message: body })),
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
      await Promise.all(consumers);
      const messages = Math.ceil(count / 10) * 10;
      const step = {
        offeredPerS: rate,
        messages,
        achievedPerS: Math.round((messages / ((drained - t0) / 1000)) * 10) / 10,
        maxBacklog,
        kept: maxBacklog <= Math.max(20, rate) && drained - lastPublish <= 3_000,
      };
      steps.push(step);
      log(
        `  emulator alone at ${rate}/s: ${step.achievedPerS}/s, deepest queue ${maxBacklog}, ${step.kept ? 'kept up' : 'fell behind'}`,
      );
      if (!step.kept) break;
    }
  } finally {
    await stack.sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
    await stack.sns.send(new DeleteTopicCommand({ TopicArn: topic.TopicArn })).catch(() => undefined);
  }
  return { steps, sustainedPerS: steps.filter((s) => s.kept).pop()?.achievedPerS ?? 0 };
}
