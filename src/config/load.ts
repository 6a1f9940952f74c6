/**
 * Reads and validates the one config file (YAML or JSON). Bad config fails fast with a message
 * naming the field.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { configSchema, type Config } from '../domain/config';
import { InvalidInputError, parseOrThrow } from '../domain/errors';
import { CONFIG_ENV, readEnvironment, type Environment } from './environment';

export { CONFIG_ENV };

/** The explicit path (--config), else $RESILIENT_SMS_CONFIG of `env` (default: the process environment). */
export function configPathFrom(explicit?: string, env?: Environment): string {
  const path = explicit ?? (env ?? readEnvironment()).configPath;
  if (!path) throw new Error(`no config file: pass --config FILE or set ${CONFIG_ENV}`);
  return path;
}

export function parseConfigText(text: string, source: string): Config {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new Error(`config ${source} is not valid YAML/JSON: ${(err as Error).message}`);
  }
  try {
    return parseOrThrow(configSchema, raw, `config ${source}`);
  } catch (err) {
    if (err instanceof InvalidInputError) throw err;
    // A schema transform that threw instead of reporting an issue: still one clear error naming the file.
    throw new Error(`invalid config ${source}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
}

export function loadConfig(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config ${path}: ${(err as Error).message}`);
  }
  return parseConfigText(text, path);
}
