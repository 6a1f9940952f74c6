/**
 * Checks an HTTP answer against the OpenAPI document (src/api/openapi.ts): the status code must be one the operation
 * lists, the content type JSON when the answer has a body, and the body valid against the listed schema (ajv, JSON
 * Schema draft 2020-12, the dialect of OpenAPI 3.1 schemas).
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { JsonObject } from '../../src/api/openapi';

export interface Answer {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

const DOCUMENT_ID = 'https://resilient-sms.invalid/openapi.json';

/** A JSON pointer segment (RFC 6901). */
const segment = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

export class Contract {
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly document: JsonObject) {
    // Not strict: the document itself is not a schema (openapi, paths, ... are unknown keywords to ajv).
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  }

  private resolve(value: JsonObject): JsonObject {
    const ref = value.$ref;
    if (typeof ref !== 'string') return value;
    const found = ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>(
        (node, key) => (node as JsonObject | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')],
        this.document,
      );
    if (!found) throw new Error(`unresolved $ref ${ref}`);
    return found as JsonObject;
  }

  /** What is wrong with `answer` to `method template` (empty: it conforms). */
  problems(method: string, template: string, answer: Answer): string[] {
    const paths = this.document.paths as Record<string, Record<string, JsonObject>>;
    const operation = paths[template]?.[method.toLowerCase()];
    if (!operation) return [`${method} ${template} is not in the document`];
    const responses = operation.responses as Record<string, JsonObject>;
    const code = String(answer.statusCode);
    if (!responses[code])
      return [`${method} ${template}: ${code} is not a documented answer (${Object.keys(responses).join(', ')})`];
    const response = this.resolve(responses[code]);
    const content = response.content as Record<string, { schema: JsonObject }> | undefined;
    if (!content) return answer.body === '' ? [] : [`${method} ${template} ${code}: a body where none is documented`];
    const type = answer.headers['content-type'];
    if (typeof type !== 'string') return [`${method} ${template} ${code}: no content-type`];
    if (!type.startsWith('application/json')) return [`${method} ${template} ${code}: content-type "${type}"`];
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      return [`${method} ${template} ${code}: the body is not JSON: ${answer.body.slice(0, 200)}`];
    }
    const where = responses[code].$ref;
    const pointer =
      typeof where === 'string'
        ? `${where}/content/application~1json/schema`
        : `#/paths/${segment(template)}/${method.toLowerCase()}/responses/${code}/content/application~1json/schema`;
    const validate = this.validator(pointer);
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) => `${method} ${template} ${code}: ${e.instancePath || '(body)'} ${e.message}`,
    );
  }

  private validator(pointer: string): ValidateFunction {
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}${pointer}` });
      this.validators.set(pointer, validate);
    }
    return validate;
  }
}
