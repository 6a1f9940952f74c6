/**
 * The send parameters a use case may set, as the End User Messaging SMS and voice v2 API constrains them (the service
 * model `pinpoint-sms-voice-v2` 2022-03-31, as shipped in the SDKs, and the API reference:
 * https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_SendTextMessage.html and
 * https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_SendVoiceMessage.html):
 * - `MaxPrice` (SendTextMessage) and `MaxPricePerMinute` (SendVoiceMessage), shape `MaxPrice`: 2-8 characters,
 *   pattern `[0-9]{0,2}\.[0-9]{1,5}` (so "1" and "1.5000000" are rejected, "0.50" and ".5" accepted);
 * - `ProtectConfigurationId`, shape `ProtectConfigurationIdOrArn`: 1-256 characters of `[A-Za-z0-9_:/-]`;
 * - `Keyword`, shape `Keyword`: 1-30 characters, pattern `[ \S]+` (the program name of a registered US short code:
 *   "When you register a short code in the US, you must specify a program name. If you don't have a US short code,
 *   omit this attribute.");
 * - `DestinationCountryParameters`: a map of at most 10 entries, keys the `DestinationCountryParameterKey` enum
 *   (`IN_ENTITY_ID`, `IN_TEMPLATE_ID`: "Currently, this setting is only used when you send messages to recipients in
 *   India using a sender ID"), values 1-64 characters, pattern `\S+`.
 * The service matches a pattern against the whole value (the simulator does the same, src/simulator/protocol.ts).
 */
import type { DestinationCountryParameterKey } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { z } from 'zod';

export const MAX_PRICE_PATTERN = /^[0-9]{0,2}\.[0-9]{1,5}$/;
export const MAX_PRICE_MIN_CHARS = 2;
export const MAX_PRICE_MAX_CHARS = 8;

/** Why the API would reject `value` as `MaxPrice` / `MaxPricePerMinute`, or undefined when it would take it. */
export function maxPriceProblem(value: string): string | undefined {
  if (value.length < MAX_PRICE_MIN_CHARS || value.length > MAX_PRICE_MAX_CHARS || !MAX_PRICE_PATTERN.test(value)) {
    return (
      `"${value}" is not a price the API takes: ${MAX_PRICE_MIN_CHARS}-${MAX_PRICE_MAX_CHARS} characters matching ` +
      `[0-9]{0,2}\\.[0-9]{1,5}, such as "0.50" (a decimal point and 1-5 decimals are required)`
    );
  }
  return undefined;
}

/** A `MaxPrice` / `MaxPricePerMinute` the API accepts. */
export const maxPriceSchema = z.string().superRefine((value, ctx) => {
  const problem = maxPriceProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const protectConfigurationIdSchema = z
  .string()
  .min(1)
  .max(256, 'must be at most 256 characters')
  .regex(/^[A-Za-z0-9_:/-]+$/, 'must be a protect configuration id or ARN (letters, digits, _ : / -)');

export const keywordSchema = z
  .string()
  .min(1)
  .max(30, 'must be at most 30 characters')
  .regex(/^[ \S]+$/, 'must be printable characters and spaces (no tabs or line breaks)');

/**
 * Every member of the SDK's `DestinationCountryParameterKey` enum (the `Record` fails to compile when the SDK adds
 * one; test/domain/send-parameters.test.ts compares with the enum's values at run time), with the destination
 * country it applies to.
 */
export const DESTINATION_COUNTRY_PARAMETER_COUNTRIES: Record<DestinationCountryParameterKey, string> = {
  IN_ENTITY_ID: 'IN',
  IN_TEMPLATE_ID: 'IN',
};
export const DESTINATION_COUNTRY_PARAMETER_KEYS = Object.keys(DESTINATION_COUNTRY_PARAMETER_COUNTRIES) as [
  DestinationCountryParameterKey,
  ...DestinationCountryParameterKey[],
];
export const MAX_DESTINATION_COUNTRY_PARAMETERS = 10;

export const destinationCountryParametersSchema = z
  .partialRecord(
    z.enum(DESTINATION_COUNTRY_PARAMETER_KEYS),
    z.string().min(1).max(64, 'must be at most 64 characters').regex(/^\S+$/, 'must have no spaces'),
  )
  .refine(
    (p) => Object.keys(p).length <= MAX_DESTINATION_COUNTRY_PARAMETERS,
    `at most ${MAX_DESTINATION_COUNTRY_PARAMETERS} entries`,
  );
export type DestinationCountryParameters = Partial<Record<DestinationCountryParameterKey, string>>;

/** The parameters that apply to a destination country (India's to Indian numbers only); undefined when none do. */
export function countryParametersFor(
  params: DestinationCountryParameters | undefined,
  country: string,
): DestinationCountryParameters | undefined {
  if (!params) return undefined;
  const entries = Object.entries(params).filter(
    ([key]) => DESTINATION_COUNTRY_PARAMETER_COUNTRIES[key as DestinationCountryParameterKey] === country,
  );
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}
