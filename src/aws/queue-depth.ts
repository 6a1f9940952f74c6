/** How many messages an SQS queue holds (SQS's approximate counts: one GetQueueAttributes call). */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface QueueDepth {
  /** Waiting to be received (`ApproximateNumberOfMessages`); NaN when SQS did not say. */
  visible: number;
  /** Received and not yet deleted (`ApproximateNumberOfMessagesNotVisible`); NaN when SQS did not say. */
  inFlight: number;
  /** Both: every message not yet deleted (a count SQS did not give counts as 0). */
  total: number;
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const visible = Number(out.Attributes?.ApproximateNumberOfMessages ?? NaN);
  const inFlight = Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? NaN);
  const orZero = (n: number) => (Number.isFinite(n) ? n : 0);
  return { visible, inFlight, total: orZero(visible) + orZero(inFlight) };
}
