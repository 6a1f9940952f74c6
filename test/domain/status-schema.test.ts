/**
 * The status record's zod schema (src/domain/status-schema.ts) against records the workflow's own state builds: a
 * message that timed out on one route and was delivered on the next validates as it is (zod, and the JSON Schema
 * published in the OpenAPI document, with ajv), and a record carrying a field the schema does not list (a body) is
 * refused by the published JSON Schema: the API answers exactly the documented fields.
 */
import Ajv2020 from 'ajv/dist/2020';
import { jsonSchemaOf } from '../../src/api/openapi';
import { failure } from '../../src/domain/outcome';
import { statusRecordSchema } from '../../src/domain/status-schema';
import type { DeliverMessageInput } from '../../src/workflows/definitions';
import { withDefaults } from '../../src/workflows/input-compat';
import { MessageState } from '../../src/workflows/message-state';
import { usPlan } from '../helpers/fixtures';

const T0 = 1_700_000_000_000;

function escalatedRecord() {
  const input = {
    idempotencyKey: 'key-1',
    request: { destination: '+14255550156', body: 'Your code is 123456', useCase: 'otp' },
    plan: usPlan({ stepWaitMs: 30_000, deadlineMs: 600_000 }),
  } as unknown as DeliverMessageInput;
  const state = new MessageState(withDefaults(input), 'sms:key-1', T0);
  const first = state.startAttempt({ kind: 'send', rungIndex: 0, delayMs: 0, why: 'first' }, T0);
  state.sendFailed(first, failure('region', 'InternalServerException', 'service error', { retryable: true }), T0 + 50);
  const second = state.startAttempt({ kind: 'send', rungIndex: 1, delayMs: 0, why: 'next originator' }, T0 + 100);
  state.sendAccepted(second, { messageId: 'm-2', acceptedAt: T0 + 200 });
  state.onDlr(
    {
      attempt: second.attempt,
      messageId: 'm-2',
      eventType: 'TEXT_DELIVERED',
      status: 'DELIVERED',
      isFinal: true,
      eventTimestamp: T0 + 900,
    },
    T0 + 1_000,
  );
  return state.close('DELIVERED', T0 + 2_000);
}

it('accepts the record of an escalated, delivered message, in zod and as the published JSON Schema', () => {
  const record = escalatedRecord();
  expect(record.attempts).toHaveLength(2);
  expect(statusRecordSchema.parse(record)).toEqual(JSON.parse(JSON.stringify(record)));
  const validate = new Ajv2020({ allErrors: true }).compile(jsonSchemaOf(statusRecordSchema, 'output'));
  expect({ valid: validate(JSON.parse(JSON.stringify(record))), errors: validate.errors }).toEqual({
    valid: true,
    errors: null,
  });
});

it('refuses, as published, a record with a field the schema does not list', () => {
  const validate = new Ajv2020({ allErrors: true }).compile(jsonSchemaOf(statusRecordSchema, 'output'));
  const record = JSON.parse(JSON.stringify(escalatedRecord())) as Record<string, unknown>;
  expect(validate({ ...record, body: 'Your code is 123456' })).toBe(false);
  expect(validate.errors?.[0]).toMatchObject({
    keyword: 'additionalProperties',
    params: { additionalProperty: 'body' },
  });
});
