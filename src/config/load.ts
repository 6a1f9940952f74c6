/**
 * Reads and validates the one config file (YAML, or JSON for a `.json` file). Bad config fails fast
 * with a message naming the field.
 */
import { readFileSync } from 'node:fs';
import { isScalar, LineCounter, parseDocument, visit } from 'yaml';
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

/**
 * A key given twice in one JSON object, which JSON.parse would silently resolve to the last one.
 * Runs on text JSON.parse has already accepted, so only strings and brackets need telling apart.
 */
export function duplicateJsonKey(text: string): string | undefined {
  const objects: (Set<string> | undefined)[] = [];
  let lastString = '';
  for (const m of text.matchAll(/"(?:[^"\\]|\\.)*"|[{}[\]:]/g)) {
    const token = m[0];
    if (token === '{') objects.push(new Set());
    else if (token === '[') objects.push(undefined);
    else if (token === '}' || token === ']') objects.pop();
    else if (token === ':') {
      const keys = objects[objects.length - 1]!;
      const key = JSON.parse(lastString) as string;
      if (keys.has(key)) return `duplicate key ${lastString} (line ${text.slice(0, m.index).split('\n').length})`;
      keys.add(key);
    } else lastString = token;
  }
  return undefined;
}

/**
 * YAML with the duplicate-key check done here, in one pass per mapping: the yaml library's own
 * (`uniqueKeys`) compares every key with every other, which took 30 s for a 40,000-key mapping.
 * Keys are compared as the JavaScript object will see them (`1` and `"1"` are the same key).
 */
function parseYamlText(text: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: false, lineCounter });
  if (doc.errors.length > 0) throw doc.errors[0];
  let duplicate: string | undefined;
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (seen.has(name)) {
          const at =
            isScalar(pair.key) && pair.key.range ? ` (line ${lineCounter.linePos(pair.key.range[0]).line})` : '';
          duplicate = `duplicate key "${name}"${at}`;
          return visit.BREAK;
        }
        seen.add(name);
      }
      return undefined;
    },
  });
  if (duplicate) throw new Error(duplicate);
  return doc.toJS({ maxAliasCount: 100 });
}

/**
 * The config as written, before the schema: JSON when `source` names a .json file (JSON.parse: fast, no YAML
 * surprises), else YAML. Throws one clear error naming the file when the text does not parse.
 */
export function parseConfigSource(text: string, source: string): unknown {
  const json = /\.json$/i.test(source);
  try {
    if (!json) return parseYamlText(text);
    const raw: unknown = JSON.parse(text);
    const duplicate = duplicateJsonKey(text);
    if (duplicate) throw new Error(duplicate);
    return raw;
  } catch (err) {
    throw new Error(`config ${source} is not valid ${json ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
}

/** Parses `text` (./parseConfigSource) and validates it with the schema. */
export function parseConfigText(text: string, source: string): Config {
  const raw = parseConfigSource(text, source);
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
