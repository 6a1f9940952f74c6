/**
 * The deliverMessage workflow's contract as zod schemas, for clients in any language: the input it is started with
 * (the request alone; the worker resolves the plan), the signals an application sends (`feedback`, `cancel`), and the
 * status record the `status` query and the workflow's result return. `resilient-sms schema` writes them as JSON Schema
 * (draft 2020-12) to schemas/ (src/cli/schema.ts); test/domain/workflow-contract.test.ts checks that these schemas
 * and the TypeScript types (src/domain/status.ts, src/workflows/definitions.ts) describe the same data.
 *
 * Not published: the `dlr` signal (the DLR ingester's, from AWS receipts: an application never sends it) and the
 * input's `plan` field (the shape older typed clients started messages with; the worker still accepts it).
 */
import { z } from 'zod';
import { idempotencyKeySchema, sendRequestSchema } from './message';
import { statusRecordSchema as recordSchema } from './status-schema';

/** The request with what JSON Schema cannot express (checks in code) said in words. */
const publishedRequestSchema = sendRequestSchema.extend({
  destination: sendRequestSchema.shape.destination.meta({
    description: 'E.164 (`+` and digits), a valid number of a country (libphonenumber metadata).',
  }),
  body: sendRequestSchema.shape.body.meta({
    description:
      'The SMS text as AWS counts it: GSM 7-bit (at most 1530 characters) or UCS-2 (at most 630 UTF-16 code units); not only whitespace, no NUL.',
  }),
  timeZone: sendRequestSchema.shape.timeZone.meta({
    description: "The recipient's IANA time zone (quiet hours), e.g. `America/New_York`.",
  }),
});

export const startInputSchema = z
  .object({
    idempotencyKey: idempotencyKeySchema.meta({
      description: 'The message key: the workflow id must be `sms:<idempotencyKey>` (one key, one message).',
    }),
    request: publishedRequestSchema.meta({
      description:
        "What to send. Checked by the worker against its config: a request it cannot route ends the message FAILED with `invalidRequest`. Without `useCase`, the worker's default (its first policy).",
    }),
  })
  .strict()
  .meta({
    title: 'deliverMessage input',
    description:
      "The one argument of the `deliverMessage` workflow (task queue: the worker's `temporal.taskQueue`, default `resilient-sms`; workflow id: `sms:<idempotencyKey>`).",
  });

export const feedbackSignalSchema = z
  .object({
    status: z.enum(['RECEIVED', 'FAILED']).meta({
      description: 'RECEIVED: the user acted on the message (typed the code). FAILED: the app knows it did not arrive.',
    }),
  })
  .strict()
  .meta({ title: 'feedback signal', description: 'The one argument of the `feedback` signal.' });

export const cancelSignalSchema = z
  .object({ reason: z.string().optional().meta({ description: 'Recorded in the status reason.' }) })
  .strict()
  .meta({ title: 'cancel signal', description: 'The one argument of the `cancel` signal: stop escalating.' });

/** The status record (src/domain/status-schema.ts, the HTTP API's too), as the query and the result give it. */
export const statusRecordSchema = recordSchema.meta({
  title: 'status record',
  description:
    'What the `status` query returns while the message is in flight, and what the workflow returns when it ends. Epoch milliseconds throughout; no message body, the number masked.',
});

/** Each published schema by the file it is written to (schemas/<name>.schema.json) and how it is read. */
export const WORKFLOW_CONTRACT = [
  { name: 'deliver-message-input', schema: startInputSchema, io: 'input' },
  { name: 'feedback-signal', schema: feedbackSignalSchema, io: 'input' },
  { name: 'cancel-signal', schema: cancelSignalSchema, io: 'input' },
  { name: 'status-query-result', schema: statusRecordSchema, io: 'output' },
  { name: 'deliver-message-result', schema: statusRecordSchema, io: 'output' },
] as const;

/** The JSON Schema documents, by file name, as `resilient-sms schema` writes them (stable, 2-space JSON). */
export function workflowContractSchemas(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const { name, schema, io } of WORKFLOW_CONTRACT) {
    const json = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' });
    const doc = { $id: `https://resilient-sms.invalid/schemas/${name}.schema.json`, ...json };
    files[`${name}.schema.json`] = `${JSON.stringify(doc, null, 2)}\n`;
  }
  return files;
}
