/**
 * The HTTP API's contract as an OpenAPI 3.1 document, generated from the zod schemas the API validates requests with
 * (./schemas.ts, src/domain/message.ts) and builds its answers with (./responses.ts, src/domain/status-schema.ts),
 * through zod's own `z.toJSONSchema` (JSON Schema draft 2020-12, the dialect OpenAPI 3.1 schemas use:
 * https://spec.openapis.org/oas/v3.1.0#schema-object). Served by the API at `GET /openapi.json` and committed as
 * schemas/openapi.json (`resilient-sms openapi --out schemas/openapi.json`; test/api/openapi.test.ts fails when the
 * committed file is stale). Every status code an operation can answer is listed with its body; docs/integration.md.
 */
import { z } from 'zod';
import { sendRequestSchema } from '../domain/message';
import { idempotencyKeySchema } from '../domain/message';
import { statusRecordSchema } from '../domain/status-schema';
import {
  cancelAcceptedSchema,
  changeAnswerSchema,
  errorBodySchema,
  feedbackAcceptedSchema,
  healthBodySchema,
  idempotencyConflictBodySchema,
  messageEndedBodySchema,
  pumpingAnswerSchema,
  routesAnswerSchema,
  sendAcceptedSchema,
  unblockAnswerSchema,
} from './responses';
import { unblockRequestSchema } from './pumping-api';
import {
  cancelRequestSchema,
  drainRequestSchema,
  feedbackRequestSchema,
  keyParamsSchema,
  undrainRequestSchema,
} from './schemas';

export type JsonObject = Record<string, unknown>;

/** The API's version in the document: bumped when the contract changes incompatibly. */
export const API_VERSION = '1.0.0';

/** A zod schema as a JSON Schema (2020-12) for OpenAPI 3.1: requests as they are sent, responses as they are built. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  // Refinements (a valid phone number, an SMS body AWS accepts) have no JSON Schema form: the API still checks them
  // and answers 400 naming the field; `unrepresentable: 'any'` keeps a custom check from failing the generation.
  const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonObject;
  delete generated.$schema;
  return generated;
}

/** What the rules the JSON Schema cannot express say, on the properties of the message request. */
const SEND_REQUEST_NOTES: Record<string, string> = {
  destination:
    'E.164 phone number ("+" and digits), checked against libphonenumber\'s metadata: it must be a valid number of ' +
    'a country (a non-geographic number is refused). Normalised before use.',
  body:
    'The SMS text, checked as AWS will check it: GSM 7-bit or UCS-2, at most 1530 septets or 630 UTF-16 code ' +
    'units; no NUL, not only whitespace. Never logged, never in the status record.',
  useCase: "A policy of the API's config; default: its first policy.",
  idempotencyKey:
    'Optional: a new message gets `auto-<hash of the request>` without one. The Idempotency-Key header may give it ' +
    'instead; both given, they must be equal.',
  timeZone: 'The recipient\'s IANA time zone (quiet hours), e.g. "America/New_York".',
};

function withNotes(schema: JsonObject, notes: Record<string, string>): JsonObject {
  const properties = schema.properties as Record<string, JsonObject> | undefined;
  for (const [name, description] of Object.entries(notes)) {
    const property = properties?.[name];
    if (property) property.description = description;
  }
  return schema;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jsonContent = (schemaName: string) => ({ 'application/json': { schema: ref(schemaName) } });
const responseRef = (name: string) => ({ $ref: `#/components/responses/${name}` });

function componentSchemas(): Record<string, JsonObject> {
  return {
    SendRequest: withNotes(jsonSchemaOf(sendRequestSchema, 'input'), SEND_REQUEST_NOTES),
    FeedbackRequest: jsonSchemaOf(feedbackRequestSchema, 'input'),
    CancelRequest: jsonSchemaOf(cancelRequestSchema, 'input'),
    DrainRequest: jsonSchemaOf(drainRequestSchema, 'input'),
    UndrainRequest: jsonSchemaOf(undrainRequestSchema, 'input'),
    UnblockRequest: withNotes(jsonSchemaOf(unblockRequestSchema, 'input'), {
      key: 'A prefix (`+4470` or `prefix:+4470`) or a country (`GB` or `country:GB`) the guard has blocked.',
    }),
    SendAccepted: jsonSchemaOf(sendAcceptedSchema, 'output'),
    FeedbackAccepted: jsonSchemaOf(feedbackAcceptedSchema, 'output'),
    CancelAccepted: jsonSchemaOf(cancelAcceptedSchema, 'output'),
    StatusRecord: jsonSchemaOf(statusRecordSchema, 'output'),
    Error: jsonSchemaOf(errorBodySchema, 'output'),
    MessageEnded: jsonSchemaOf(messageEndedBodySchema, 'output'),
    IdempotencyConflict: jsonSchemaOf(idempotencyConflictBodySchema, 'output'),
    RoutesAnswer: jsonSchemaOf(routesAnswerSchema, 'output'),
    ChangeAnswer: jsonSchemaOf(changeAnswerSchema, 'output'),
    PumpingAnswer: jsonSchemaOf(pumpingAnswerSchema, 'output'),
    UnblockAnswer: jsonSchemaOf(unblockAnswerSchema, 'output'),
    Health: jsonSchemaOf(healthBodySchema, 'output'),
  };
}

const errorResponse = (description: string, headers?: JsonObject): JsonObject => ({
  description,
  ...(headers ? { headers } : {}),
  content: jsonContent('Error'),
});

function componentResponses(): Record<string, JsonObject> {
  return {
    BadRequest: errorResponse(
      'The request is invalid: malformed JSON, a body or parameter that breaks a rule (the error names the field ' +
        'and the rule, e.g. "invalid message request: destination: is not a valid phone number for any country").',
    ),
    Unauthorized: errorResponse('No API key, or not one of the configured keys. Checked before the body is read.', {
      'WWW-Authenticate': { schema: { type: 'string' }, description: 'Bearer realm="resilient-sms"' },
    }),
    NotFound: errorResponse('No message with this idempotency key or workflow id.'),
    PayloadTooLarge: errorResponse('The body is larger than the API accepts (64 KiB by default).'),
    UnsupportedMediaType: errorResponse('The body is not `application/json`.'),
    Unavailable: errorResponse('Temporal is unreachable or did not answer in time: nothing was done; retry later.', {
      'Retry-After': { schema: { type: 'string' }, description: 'seconds' },
    }),
  };
}

/** The status codes every authenticated operation with a JSON body can answer, besides its own. */
function bodyErrors(): JsonObject {
  return {
    '400': responseRef('BadRequest'),
    '401': responseRef('Unauthorized'),
    '413': responseRef('PayloadTooLarge'),
    '415': responseRef('UnsupportedMediaType'),
  };
}

const keyParameter = {
  name: 'key',
  in: 'path',
  required: true,
  description: 'The idempotency key, or the workflow id (`sms:<key>`).',
  schema: jsonSchemaOf(keyParamsSchema.shape.key, 'input'),
};

/** `POST /v1/messages`. */
function sendOperation(): JsonObject {
  return {
    operationId: 'sendMessage',
    tags: ['messages'],
    summary: 'Send a message (idempotent)',
    description:
      'Starts the message workflow, or answers for the one this key already started (`started: false`) when ' +
      'the request is the same. A key used for a different request is a 409 and nothing is sent.',
    parameters: [
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: "The idempotency key, as the body's `idempotencyKey` (both given: they must be equal).",
        schema: jsonSchemaOf(idempotencyKeySchema, 'input'),
      },
    ],
    requestBody: {
      required: true,
      description:
        'The message request. The whole body is at most 64 KiB (413 above that), which bounds the per-channel ' +
        'content below the longest the schema allows (a 500 000-character email html fits the typed client only).',
      content: {
        'application/json': {
          schema: ref('SendRequest'),
          example: { destination: '+14255550123', body: 'Your code is 123456' },
        },
      },
    },
    responses: {
      '202': {
        description: 'Accepted: the message is on its way (or was already, for this key and request).',
        headers: {
          Location: { schema: { type: 'string' }, description: 'the message: /v1/messages/{idempotencyKey}' },
        },
        content: jsonContent('SendAccepted'),
      },
      ...bodyErrors(),
      '409': {
        description: 'The key was used for a different request.',
        content: jsonContent('IdempotencyConflict'),
      },
      '503': responseRef('Unavailable'),
    },
  };
}

function messagePaths(): JsonObject {
  return {
    '/v1/messages': { post: sendOperation() },
    '/v1/messages/{key}': {
      get: {
        operationId: 'getStatus',
        tags: ['messages'],
        summary: 'The status record, whatever state the message is in',
        parameters: [keyParameter],
        responses: {
          '200': {
            description: 'The status record (the destination masked, no body).',
            content: jsonContent('StatusRecord'),
          },
          '400': responseRef('BadRequest'),
          '401': responseRef('Unauthorized'),
          '404': responseRef('NotFound'),
          '503': responseRef('Unavailable'),
        },
      },
    },
    '/v1/messages/{key}/feedback': messageAction({
      operationId: 'recordFeedback',
      summary: 'Message feedback: RECEIVED (the user acted on it) or FAILED (escalate now)',
      body: 'FeedbackRequest',
      bodyRequired: true,
      accepted: 'FeedbackAccepted',
    }),
    '/v1/messages/{key}/cancel': messageAction({
      operationId: 'cancelMessage',
      summary: 'Cancel the message: nothing more is sent for it',
      body: 'CancelRequest',
      bodyRequired: false,
      accepted: 'CancelAccepted',
    }),
  };
}

function messageAction(o: {
  operationId: string;
  summary: string;
  body: string;
  bodyRequired: boolean;
  accepted: string;
}): JsonObject {
  return {
    post: {
      operationId: o.operationId,
      tags: ['messages'],
      summary: o.summary,
      parameters: [keyParameter],
      requestBody: { required: o.bodyRequired, content: jsonContent(o.body) },
      responses: {
        '202': { description: 'Accepted: signalled to the message.', content: jsonContent(o.accepted) },
        ...bodyErrors(),
        '404': responseRef('NotFound'),
        '409': { description: 'The message has already ended.', content: jsonContent('MessageEnded') },
        '503': responseRef('Unavailable'),
      },
    },
  };
}

function routeChange(operationId: string, summary: string, body: string, extra: JsonObject): JsonObject {
  return {
    post: {
      operationId,
      tags: ['route health'],
      summary,
      requestBody: { required: true, content: jsonContent(body) },
      responses: {
        '200': { description: "Each key's view after the change.", content: jsonContent('ChangeAnswer') },
        ...bodyErrors(),
        ...extra,
        '422': errorResponse('Route health refused the change.'),
        '503': responseRef('Unavailable'),
      },
    },
  };
}

function routePaths(): JsonObject {
  return {
    '/routes': {
      get: {
        operationId: 'listRoutes',
        tags: ['route health'],
        summary: 'The keys route health holds (docs/route-health.md)',
        responses: {
          '200': { description: 'Route health as this API sees it.', content: jsonContent('RoutesAnswer') },
          '401': responseRef('Unauthorized'),
          '503': responseRef('Unavailable'),
        },
      },
    },
    '/routes/drain': routeChange('drainRoute', 'Drain a route: messages stop using it', 'DrainRequest', {}),
    '/routes/undrain': routeChange('undrainRoute', 'Undrain a route', 'UndrainRequest', {
      '404': errorResponse('Route health has not seen anything yet: nothing to undrain.'),
    }),
  };
}

function pumpingPaths(): JsonObject {
  return {
    '/pumping': {
      get: {
        operationId: 'pumpingView',
        tags: ['pumping'],
        summary: 'What the SMS pumping guard holds back and counts (docs/pumping.md#operators)',
        responses: {
          '200': { description: 'The pumping guard as this API sees it.', content: jsonContent('PumpingAnswer') },
          '401': responseRef('Unauthorized'),
          '503': responseRef('Unavailable'),
        },
      },
    },
    '/pumping/unblock': {
      post: {
        operationId: 'pumpingUnblock',
        tags: ['pumping'],
        summary: 'End a conversion block now (logged with the API key id)',
        requestBody: { required: true, content: jsonContent('UnblockRequest') },
        responses: {
          '200': { description: 'The block that ended.', content: jsonContent('UnblockAnswer') },
          ...bodyErrors(),
          '404': errorResponse('The key is not blocked, or the guard has counted nothing yet: nothing to unblock.'),
          '503': responseRef('Unavailable'),
        },
      },
    },
  };
}

function publicPaths(): JsonObject {
  return {
    '/health': {
      get: {
        operationId: 'health',
        tags: ['service'],
        summary: 'Liveness (also HEAD, any query string); no API key',
        security: [],
        responses: { '200': { description: 'The API process is up.', content: jsonContent('Health') } },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        tags: ['service'],
        summary: 'This document; no API key (it holds no secret and describes no data)',
        security: [],
        responses: {
          '200': {
            description: 'The OpenAPI 3.1 document.',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
        },
      },
    },
  };
}

/** The whole document (a fresh object each call). */
export function buildOpenApiDocument(): JsonObject {
  return {
    openapi: '3.1.0',
    info: {
      title: 'resilient-sms HTTP API',
      version: API_VERSION,
      description:
        'Send critical messages (one-time passwords, alerts) through resilient-sms and follow them: every request ' +
        'but GET /health and GET /openapi.json needs an API key of the config (`Authorization: Bearer <key>` or ' +
        '`X-Api-Key: <key>`). Phone numbers and bodies are never logged. docs/integration.md.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    security: [{ bearerAuth: [] }, { apiKey: [] }],
    tags: [
      { name: 'messages', description: 'Send messages, read their status, give feedback, cancel' },
      { name: 'route health', description: 'Operators: see and drain routes (docs/route-health.md)' },
      { name: 'pumping', description: 'Operators: see the SMS pumping guard, unblock a key (docs/pumping.md)' },
      { name: 'service', description: 'Unauthenticated: liveness and this contract' },
    ],
    paths: { ...messagePaths(), ...routePaths(), ...pumpingPaths(), ...publicPaths() },
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key of the config, as a bearer token.' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'An API key of the config.' },
      },
      schemas: componentSchemas(),
      responses: componentResponses(),
    },
  };
}

/** The document as committed and served: two-space JSON with a final newline. */
export function openApiJson(document: JsonObject = buildOpenApiDocument()): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * The methods the document lists for the path of `url` (HEAD with GET: the server answers HEAD for every GET), or
 * undefined when no path of the document matches: what a 405's `Allow` header says (RFC 9110, section 15.5.6).
 */
export function allowedMethods(url: string, document: JsonObject = buildOpenApiDocument()): string[] | undefined {
  const path = url.split('?')[0];
  for (const [template, item] of Object.entries(document.paths as Record<string, JsonObject>)) {
    const pattern = new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (!pattern.test(path)) continue;
    const methods = Object.keys(item).map((m) => m.toUpperCase());
    return methods.includes('GET') ? [...methods, 'HEAD'] : methods;
  }
  return undefined;
}
