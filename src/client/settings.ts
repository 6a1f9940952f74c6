/**
 * What an application needs to reach the worker without its routing config: the config's `temporal` section
 * (address, namespace, task queue, TLS / client certificate / API key; src/domain/config-process.ts) and, when the
 * worker encrypts payloads, its `security.encryption` keys (src/domain/config-security.ts), the same sections and
 * rules as in the worker's config file, so the two can be copied from it.
 */
import { z } from 'zod';
import type { Config } from '../domain/config';
import { parseOrThrow } from '../domain/errors';
import { temporalSchema } from '../domain/config-process';
import { securitySchema } from '../domain/config-security';

export const clientSettingsSchema = z
  .object({
    temporal: temporalSchema.prefault({}),
    security: securitySchema.prefault({}),
  })
  .strict();

/** The sections as written (defaults filled in when parsed). */
export type ClientSettingsInput = z.input<typeof clientSettingsSchema>;
/** The parsed sections: what connecting needs of a config, and nothing else. */
export type ClientSettings = Pick<Config, 'temporal' | 'security'>;

/** The settings, checked: throws an InvalidInputError naming each bad field (`temporal.address`, ...). */
export function parseClientSettings(input: unknown): ClientSettings {
  return parseOrThrow(clientSettingsSchema, input, 'client settings');
}

/** A whole config (routes, policies: the client validates requests with it) rather than connection settings. */
export function isFullConfig(value: Config | ClientSettingsInput): value is Config {
  return typeof value === 'object' && value !== null && 'policies' in value && 'routes' in value;
}
