/**
 * The simulator's checks of the use-case send parameters of `SendTextMessage` / `SendVoiceMessage`, as the service
 * model constrains them (src/domain/send-parameters.ts has the constraints and their sources): `MaxPrice` (text) and
 * `MaxPricePerMinute` (voice) against `[0-9]{0,2}\.[0-9]{1,5}` and 2-8 characters, `ProtectConfigurationId`,
 * `Keyword` (text) and `DestinationCountryParameters` (text: keys of the `DestinationCountryParameterKey` enum, at most
 * 10, values `\S+` of 1-64 characters).
 *
 * A value that breaks a model constraint is refused before anything is sent, with a `ValidationException` in the
 * form AWS's request validation uses for every constraint of a model ("1 validation error detected: Value '1' at
 * 'maxPrice' failed to satisfy constraint: Member must satisfy regular expression pattern: …"), reason
 * `FIELD_VALIDATION_FAILED` and the field in `Fields` (the model's `ValidationExceptionField`).
 * Whether a protect configuration exists, or a keyword is the one registered for the short code, the simulator does
 * not model (it has no such resources): any well-formed value is accepted and noted in the message log.
 */
import {
  DESTINATION_COUNTRY_PARAMETER_KEYS,
  MAX_DESTINATION_COUNTRY_PARAMETERS,
  MAX_PRICE_MAX_CHARS,
  MAX_PRICE_MIN_CHARS,
  MAX_PRICE_PATTERN,
} from '../domain/send-parameters';
import { AwsError, type JsonObject, type SendOperation } from './protocol';

/** What a send carried of the use case's parameters (kept in the message log, so tests can see they arrived). */
export interface SendParameters {
  maxPrice?: string;
  maxPricePerMinute?: string;
  protectConfigurationId?: string;
  keyword?: string;
  destinationCountryParameters?: Record<string, string>;
}

/** A model constraint broken by `field` (the wire name), as AWS's request validation words it. */
export function constraintError(field: string, value: unknown, constraint: string): AwsError {
  const member = field.charAt(0).toLowerCase() + field.slice(1);
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  const message = `1 validation error detected: Value '${shown}' at '${member}' failed to satisfy constraint: ${constraint}`;
  return new AwsError(400, 'ValidationException', message, 'FIELD_VALIDATION_FAILED', {
    Fields: [{ Name: field, Message: constraint }],
  });
}

interface StringRule {
  min: number;
  max: number;
  pattern: RegExp;
  /** The pattern as the model writes it (no anchors). */
  source: string;
}

const RULES = {
  MaxPrice: {
    min: MAX_PRICE_MIN_CHARS,
    max: MAX_PRICE_MAX_CHARS,
    pattern: MAX_PRICE_PATTERN,
    source: '[0-9]{0,2}\\.[0-9]{1,5}',
  },
  ProtectConfigurationId: { min: 1, max: 256, pattern: /^[A-Za-z0-9_:/-]+$/, source: '[A-Za-z0-9_:/-]+' },
  Keyword: { min: 1, max: 30, pattern: /^[ \S]+$/, source: '[ \\S]+' },
  CountryParameterValue: { min: 1, max: 64, pattern: /^\S+$/, source: '\\S+' },
} satisfies Record<string, StringRule>;

function checkString(field: string, value: unknown, rule: StringRule): string {
  if (typeof value !== 'string') throw constraintError(field, value, 'Member must be a string');
  if (value.length < rule.min || value.length > rule.max) {
    throw constraintError(
      field,
      value,
      `Member must have length ${value.length < rule.min ? 'greater than or equal to ' + rule.min : 'less than or equal to ' + rule.max}`,
    );
  }
  if (!rule.pattern.test(value)) {
    throw constraintError(field, value, `Member must satisfy regular expression pattern: ${rule.source}`);
  }
  return value;
}

function optional(body: JsonObject, field: string, rule: StringRule): string | undefined {
  const value = body[field];
  return value === undefined || value === null ? undefined : checkString(field, value, rule);
}

function countryParameters(body: JsonObject): Record<string, string> | undefined {
  const value = body.DestinationCountryParameters;
  if (value === undefined || value === null) return undefined;
  const field = 'DestinationCountryParameters';
  if (typeof value !== 'object' || Array.isArray(value)) throw constraintError(field, value, 'Member must be a map');
  const entries = Object.entries(value as JsonObject);
  if (entries.length > MAX_DESTINATION_COUNTRY_PARAMETERS) {
    throw constraintError(
      field,
      value,
      `Member must have length less than or equal to ${MAX_DESTINATION_COUNTRY_PARAMETERS}`,
    );
  }
  const keys: readonly string[] = DESTINATION_COUNTRY_PARAMETER_KEYS;
  const out: Record<string, string> = {};
  for (const [key, v] of entries) {
    if (!keys.includes(key)) {
      throw constraintError(field, value, `Map keys must satisfy enum value set: [${keys.join(', ')}]`);
    }
    out[key] = checkString(`${field}.${key}`, v, RULES.CountryParameterValue);
  }
  return out;
}

/** The parameters of a send, checked as the service checks them; throws the ValidationException AWS answers. */
export function parseSendParameters(operation: SendOperation, body: JsonObject): SendParameters {
  const protectConfigurationId = optional(body, 'ProtectConfigurationId', RULES.ProtectConfigurationId);
  if (operation === 'SendVoiceMessage') {
    // SendVoiceMessage has no MaxPrice, Keyword or DestinationCountryParameters members (the JSON protocol ignores
    // members an operation does not have); its price cap is MaxPricePerMinute, of the same MaxPrice shape.
    const maxPricePerMinute = optional(body, 'MaxPricePerMinute', RULES.MaxPrice);
    return compact({ maxPricePerMinute, protectConfigurationId });
  }
  return compact({
    maxPrice: optional(body, 'MaxPrice', RULES.MaxPrice),
    protectConfigurationId,
    keyword: optional(body, 'Keyword', RULES.Keyword),
    destinationCountryParameters: countryParameters(body),
  });
}

function compact(p: SendParameters): SendParameters {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined));
}
