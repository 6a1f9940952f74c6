/**
 * The status record (src/domain/status.ts) as a zod schema: what the HTTP API's `GET /v1/messages/{key}` answers and
 * what its OpenAPI document (src/api/openapi.ts) publishes, and the `status` query's and the workflow's result in the
 * workflow contract (src/domain/workflow-contract.ts). The interfaces in status.ts stay the source the workflow
 * code uses (pure types, safe in workflow code); the compile-time checks at the end of this file fail the typecheck
 * the moment the schema and the interfaces disagree, so the published contract cannot drift from the code.
 *
 * The published objects are closed (`additionalProperties: false`, zod's output form): the API answers exactly these
 * fields, so a contract test notices any other one (a body or an unmasked number would be one).
 */
import { z } from 'zod';
import { same, type Same } from './same-type';
import { CHANNELS } from './channel';
import { FAILURE_SCOPES, type ClassifiedFailure } from './outcome';
import { ESCALATION_LEVELS, type SkippedChannel } from './plan';
import type { AttemptEvent, AttemptRecord, RouteHealthNote, StatusRecord } from './status';
import { MESSAGE_STATUSES } from './status';
import type { SmsParts } from './sms-parts';

const epochMs = z.number().int().describe('epoch milliseconds');

export const smsPartsSchema = z
  .object({
    encoding: z.enum(['GSM', 'UCS2']),
    /** Septets (GSM) or UTF-16 code units (UCS-2). */
    units: z.number().int().min(0).describe('septets (GSM) or UTF-16 code units (UCS-2)'),
    parts: z.number().int().min(0).describe('message parts the body is split into'),
  })
  .describe('How AWS sends the SMS body: encoding, size and message parts');

const classifiedFailureSchema = z.object({
  scope: z.enum(FAILURE_SCOPES),
  reason: z.string().describe('short machine-readable cause, e.g. ThrottlingException, TEXT_BLOCKED'),
  message: z.string(),
  retryable: z.boolean(),
  ambiguous: z.boolean(),
});

const attemptEventSchema = z.object({
  type: z.string(),
  status: z.string(),
  at: epochMs.describe('event timestamp from the service (epoch ms)'),
  receivedAt: epochMs.describe('when the workflow saw it (epoch ms, workflow time)'),
});

export const ATTEMPT_STATES = [
  'sending',
  'sent',
  'unknown',
  'send-failed',
  'delivered',
  'failed',
  'timed-out',
  'superseded',
] as const;

const attemptRecordSchema = z.object({
  attempt: z.number().int(),
  rungIndex: z.number().int(),
  channel: z.enum(CHANNELS),
  level: z.enum(ESCALATION_LEVELS),
  routeId: z.string(),
  account: z.string(),
  region: z.string(),
  originator: z.string(),
  originatorType: z.string(),
  state: z.enum(ATTEMPT_STATES),
  outcome: z.string().describe('short summary: PENDING, DELIVERED, TEXT_BLOCKED, ThrottlingException, TIMED_OUT, ...'),
  failure: classifiedFailureSchema.optional(),
  messageId: z.string().optional(),
  startedAt: epochMs,
  sentAt: epochMs.optional(),
  finishedAt: epochMs.optional(),
  feedbackEnabled: z.boolean(),
  feedback: z.enum(['RECEIVED', 'FAILED']).optional(),
  events: z.array(attemptEventSchema),
  omittedEvents: z.number().int().optional(),
  price: z.number().optional().describe('totalMessagePrice of the latest receipt that had one (USD)'),
  carrierFee: z.number().optional().describe('totalCarrierFee of the latest receipt that had one (USD)'),
});

const routeHealthNoteSchema = z.object({
  attempt: z.number().int(),
  rungIndex: z.number().int(),
  action: z.enum(['moved', 'skipped', 'woken']),
  key: z.string(),
  why: z.string(),
  at: epochMs,
});

const skippedChannelSchema = z.object({ channel: z.enum(CHANNELS), reason: z.string() });

export const messageStatusSchema = z.enum(MESSAGE_STATUSES);

/** The status record; `destination` is masked (`+1425*****56`), no body ever. */
export const statusRecordSchema = z
  .object({
    workflowId: z.string(),
    idempotencyKey: z.string(),
    useCase: z.string(),
    country: z.string().describe('ISO 3166-1 alpha-2; empty while (or when) the plan is not resolved'),
    destination: z.string().describe('the destination, masked'),
    smsParts: smsPartsSchema.optional(),
    status: messageStatusSchema,
    reason: z.string(),
    invalidRequest: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe('set when the worker could not resolve the request: each field at fault (status FAILED)'),
    currentRung: z.number().int().optional(),
    currentLevel: z.enum(ESCALATION_LEVELS).optional(),
    attempts: z.array(attemptRecordSchema),
    skipped: z.array(skippedChannelSchema),
    successfulAttempt: z.number().int().optional(),
    needlessAttempts: z.array(z.number().int()),
    duplicateEvents: z.number().int(),
    unmatchedEvents: z.number().int(),
    rejectedEvents: z.number().int().optional(),
    routeHealth: z.array(routeHealthNoteSchema).optional(),
    startedAt: epochMs,
    finishedAt: epochMs.optional(),
    workflowClosed: z.object({ status: z.string(), at: epochMs.optional() }).optional(),
  })
  .describe('The status record of one message (src/domain/status.ts)');

// --- The schema and the interfaces must describe the same values (checked by the typecheck) -----------------

same<Same<z.output<typeof smsPartsSchema>, SmsParts>>();
same<Same<z.output<typeof attemptEventSchema>, AttemptEvent>>();
same<Same<z.output<typeof classifiedFailureSchema>, ClassifiedFailure>>();
same<Same<z.output<typeof skippedChannelSchema>, SkippedChannel>>();
same<Same<z.output<typeof attemptRecordSchema>, AttemptRecord>>();
same<Same<z.output<typeof routeHealthNoteSchema>, RouteHealthNote>>();
same<Same<z.output<typeof statusRecordSchema>, StatusRecord>>();
