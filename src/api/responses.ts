/**
 * The HTTP API's response bodies as zod schemas: the handlers in ./server.ts and ./routes-api.ts build their answers
 * with these types (`satisfies`), the operators behind ./routes-api.ts and ./pumping-api.ts return interfaces checked
 * against them at compile time (the end of this file), and the OpenAPI document (./openapi.ts) publishes them. Requests are validated with
 * the request schemas (./schemas.ts, src/domain/message.ts); the status record is src/domain/status-schema.ts.
 */
import { z } from 'zod';
import { BREAKER_STATES, FAILURE_CLASSES } from '../domain/route-health';
import { same, type Same } from '../domain/same-type';
import { messageStatusSchema, smsPartsSchema } from '../domain/status-schema';
import type { Block } from '../domain/conversion-watch';
import type { ChangeAnswer, RoutesAnswer } from '../health/operators';
import type { PumpingAnswer, UnblockAnswer } from '../pumping/operators';
import type { PumpingKeyView, PumpingView } from '../workflows/pumping-definitions';
import type { RouteView } from '../workflows/route-health-definitions';

/** Every error: `error` says what is wrong (the field and the rule for a 400). */
export const errorBodySchema = z
  .object({ error: z.string().describe('what is wrong, e.g. "invalid message request: destination: …"') })
  .describe('An error');

/** 202 to `POST /v1/messages`. */
export const sendAcceptedSchema = z.object({
  idempotencyKey: z.string(),
  workflowId: z.string().describe('sms:<idempotencyKey>'),
  started: z
    .boolean()
    .describe('false: a message with this key and the same request already existed; nothing new sent'),
  smsParts: smsPartsSchema,
});

/** 202 to `POST /v1/messages/{key}/feedback`. */
export const feedbackAcceptedSchema = z.object({
  idempotencyKey: z.string(),
  feedback: z.enum(['RECEIVED', 'FAILED']),
});

/** 202 to `POST /v1/messages/{key}/cancel`. */
export const cancelAcceptedSchema = z.object({
  idempotencyKey: z.string(),
  cancelRequested: z.literal(true),
});

/** 409 to feedback and cancel: the message has ended (its final status). */
export const messageEndedBodySchema = errorBodySchema
  .extend({ idempotencyKey: z.string(), workflowId: z.string(), status: messageStatusSchema })
  .describe('The message has already ended');

/** 409 to `POST /v1/messages`: the key was used for a different request. */
export const idempotencyConflictBodySchema = errorBodySchema
  .extend({
    idempotencyKey: z.string(),
    workflowId: z.string(),
    differentFields: z.array(z.string()).describe('names of the fields that differ, never their values'),
  })
  .describe('The idempotency key was already used for a different request; nothing was sent');

/** `GET /health` (and `HEAD`). */
export const healthBodySchema = z.object({ ok: z.literal(true) });

const routeViewSchema = z.object({
  key: z.string().describe('region:<region>, route:<account>/<region> or originator:<account>/<region>/<id>@<country>'),
  state: z.enum(BREAKER_STATES),
  condition: z.enum(['open', 'half-open', 'drained', 'closed']),
  since: z.number().int().describe('epoch milliseconds'),
  why: z.string(),
  recent: z.object({
    ok: z.number().int(),
    failures: z.partialRecord(z.enum(FAILURE_CLASSES), z.number().int()),
    probes: z.number().int(),
  }),
  drain: z
    .object({ reason: z.string(), by: z.string(), since: z.number().int(), until: z.number().int().optional() })
    .optional(),
});

/** 200 to `GET /routes`. */
export const routesAnswerSchema = z.object({
  workflowId: z.string(),
  running: z.boolean().describe('whether the routeHealth workflow exists'),
  enabled: z.boolean().describe('routeHealth.enabled in the API process config'),
  routes: z.array(routeViewSchema),
});

/** 200 to `POST /routes/drain` and `POST /routes/undrain`: each key's view after the change. */
export const changeAnswerSchema = z.object({
  workflowId: z.string(),
  target: z.string(),
  enabled: z.boolean(),
  routes: z.array(routeViewSchema),
});

const guardKey = z.string().describe('prefix:<+digits> or country:<ISO 3166-1 alpha-2>, e.g. prefix:+4470, country:GB');

/** A conversion block of the pumping guard (src/domain/conversion-watch.ts). */
const blockSchema = z.object({
  key: guardKey,
  since: z.number().int().describe('epoch milliseconds'),
  until: z.number().int().describe('epoch milliseconds: the block ends by itself then'),
  why: z.string(),
  by: z.string().optional().describe('who blocked or unblocked by hand (absent: the conversion watch)'),
});

const pumpingKeyViewSchema = z.object({
  key: guardKey,
  state: z.enum(['blocked', 'tripped']).optional().describe('absent: the key is not held back'),
  why: z.string().optional(),
  since: z.number().int().optional().describe('epoch milliseconds'),
  until: z.number().int().optional().describe('epoch milliseconds'),
  sends: z.number().int().describe("watched use cases' sends in the decided part of the conversion window"),
  received: z.number().int().describe('feedback RECEIVED for those sends'),
  stopped: z.number().int().describe('messages a velocity limit of this key stopped'),
});

const pumpingViewSchema = z.object({
  at: z.number().int().describe('epoch milliseconds (workflow time)'),
  blocks: z.array(blockSchema),
  keys: z.array(pumpingKeyViewSchema),
});

/** 200 to `GET /pumping`. */
export const pumpingAnswerSchema = z.object({
  workflowId: z.string(),
  running: z.boolean().describe('whether the pumpingGuard workflow exists (something was counted)'),
  enabled: z.boolean().describe('pumping.enabled in the API process config'),
  view: pumpingViewSchema.optional().describe("the guard's view; absent when the workflow does not exist"),
});

/** 200 to `POST /pumping/unblock`: the block that ended. */
export const unblockAnswerSchema = z.object({ workflowId: z.string(), unblocked: blockSchema });

export type SendAccepted = z.output<typeof sendAcceptedSchema>;
export type FeedbackAccepted = z.output<typeof feedbackAcceptedSchema>;
export type CancelAccepted = z.output<typeof cancelAcceptedSchema>;

// --- The schemas and the interfaces the code returns must describe the same values (checked by the typecheck) ---

same<Same<z.output<typeof routeViewSchema>, RouteView>>();
same<Same<z.output<typeof routesAnswerSchema>, RoutesAnswer>>();
same<Same<z.output<typeof changeAnswerSchema>, ChangeAnswer>>();
same<Same<z.output<typeof blockSchema>, Block>>();
same<Same<z.output<typeof pumpingKeyViewSchema>, PumpingKeyView>>();
same<Same<z.output<typeof pumpingViewSchema>, PumpingView>>();
same<Same<z.output<typeof pumpingAnswerSchema>, PumpingAnswer>>();
same<Same<z.output<typeof unblockAnswerSchema>, UnblockAnswer>>();
