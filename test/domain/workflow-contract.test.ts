/**
 * The published contract of deliverMessage (schemas/*.schema.json): the committed files are what
 * `resilient-sms schema` generates from the zod schemas today, and those schemas describe the same data as the
 * TypeScript types the workflow and the client use (checked by the compiler below, and on real values).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import type { StatusRecord } from '../../src/domain/status';
import {
  cancelSignalSchema,
  feedbackSignalSchema,
  startInputSchema,
  statusRecordSchema,
  workflowContractSchemas,
} from '../../src/domain/workflow-contract';
import type { CancelSignal, FeedbackSignal, StartMessageInput } from '../../src/workflows/definitions';

const SCHEMAS_DIR = join(__dirname, '..', '..', 'schemas');

/** Compiles only when A and B are assignable both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const typesAgree: [
  Same<z.output<typeof statusRecordSchema>, StatusRecord>,
  Same<z.input<typeof feedbackSignalSchema>, FeedbackSignal>,
  Same<z.input<typeof cancelSignalSchema>, CancelSignal>,
] = [true, true, true];

describe('the workflow contract (schemas/)', () => {
  it('is committed exactly as `resilient-sms schema` writes it (run `npm run cli -- schema` after a change)', () => {
    const expected = workflowContractSchemas();
    const committed = readdirSync(SCHEMAS_DIR).filter((f) => f.endsWith('.schema.json'));
    expect(committed.sort()).toEqual(Object.keys(expected).sort());
    for (const [name, text] of Object.entries(expected)) {
      expect({ name, text: readFileSync(join(SCHEMAS_DIR, name), 'utf8') }).toEqual({ name, text });
    }
  });

  it('has zod schemas that agree with the TypeScript types', () => {
    expect(typesAgree).toEqual([true, true, true]);
    // A request-only input as the typed client builds it is a StartMessageInput.
    const input: StartMessageInput = startInputSchema.parse({
      idempotencyKey: 'k-1',
      request: { destination: '+14255550156', body: 'Your code is 123456', useCase: 'otp' },
    });
    expect(input.request.destination).toBe('+14255550156');
  });

  it('reads the records of the recorded histories (the workflow results) as status records', () => {
    const histories = join(__dirname, '..', 'workflows', 'histories');
    let checked = 0;
    for (const file of readdirSync(histories).filter((f) => f.startsWith('request-'))) {
      const history = JSON.parse(readFileSync(join(histories, file), 'utf8')) as {
        events: { workflowExecutionCompletedEventAttributes?: { result?: { payloads?: { data: string }[] } } }[];
      };
      for (const event of history.events) {
        const payload = event.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0];
        if (!payload) continue;
        const record: unknown = JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8'));
        expect(statusRecordSchema.strict().safeParse(record).error).toBeUndefined();
        checked++;
      }
    }
    expect(checked).toBe(2);
  });

  it('refuses a plan in the published input (the worker resolves it) and a feedback status it does not know', () => {
    const request = { destination: '+14255550156', body: 'hi' };
    expect(startInputSchema.safeParse({ idempotencyKey: 'k', request, plan: {} }).success).toBe(false);
    expect(feedbackSignalSchema.safeParse({ status: 'DELIVERED' }).success).toBe(false);
  });
});
