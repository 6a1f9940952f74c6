/**
 * Reading the secrets the config names: encryption keys, the codec server's token, API keys. The
 * config only says which environment variable holds each one; values are read once at start-up and
 * never logged. Variables missing from the environment are looked up in `security.envFile` (a private
 * file of NAME=value lines) when the config names one.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../domain/config';
import type { SecretRef } from '../domain/config-security';
import { ownValue } from '../domain/own';

/** Where secret values come from: a variable name -> its value. */
export type SecretSource = (name: string) => string | undefined;

/** Parses NAME=value lines (`#` comments, optional `export `, optional single or double quotes). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2];
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) {
      value = value.slice(1, -1);
    }
    out[m[1]] = value;
  }
  return out;
}

/**
 * Reads an env file, refusing one that others may read: a secrets file shared with the group or the
 * world is a leak waiting to happen (the same rule ssh applies to private keys).
 */
export function readEnvFile(file: string): Record<string, string> {
  const abs = path.resolve(file);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch (err) {
    throw new Error(`cannot read security.envFile ${abs}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new Error(
      `security.envFile ${abs} is readable by other users (mode ${(stat.mode & 0o777).toString(8)}): chmod 600 it`,
    );
  }
  return parseEnvFile(fs.readFileSync(abs, 'utf8'));
}

/** The environment first, then `security.envFile` (read lazily, at most once). */
export function secretSourceFor(config: Pick<Config, 'security'>, env: NodeJS.ProcessEnv = process.env): SecretSource {
  const file = config.security.envFile;
  let fromFile: Record<string, string> | undefined;
  return (name) => {
    // Own string values only: `constructor` or `toString` must not find what every object inherits.
    const value = ownValue(env, name);
    if (typeof value === 'string' && value !== '') return value;
    if (!file) return undefined;
    fromFile ??= readEnvFile(file);
    const v = ownValue(fromFile, name);
    return typeof v !== 'string' || v === '' ? undefined : v;
  };
}

/** The value of a required secret, or an error naming the variable (never the value). */
export function requireSecret(source: SecretSource, name: string, what: string, minLength = 1): string {
  const value = source(name);
  if (value === undefined) throw new Error(`${what}: environment variable ${name} is not set`);
  if (value.length < minLength) {
    throw new Error(
      `${what}: environment variable ${name} is too short to be a secret (at least ${minLength} characters)`,
    );
  }
  return value;
}

/** A 32-byte AES-256 key given as base64 (standard or URL-safe alphabet, padding optional). */
export function decodeKey(value: string, what: string, name: string): Buffer {
  const trimmed = value.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new Error(`${what}: environment variable ${name} is not base64 (expected 32 random bytes, base64-encoded)`);
  }
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new Error(
      `${what}: environment variable ${name} holds ${key.length} bytes, expected 32 (generate one with \`openssl rand -base64 32\`)`,
    );
  }
  return key;
}

/** Loads every key a list of refs names: id -> bytes. */
export function loadKeys(refs: SecretRef[], source: SecretSource, what: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  for (const ref of refs) {
    const label = `${what} "${ref.id}"`;
    keys.set(ref.id, decodeKey(requireSecret(source, ref.env, label), label, ref.env));
  }
  return keys;
}

/**
 * Constant-time check of a presented secret against the accepted ones: both sides are hashed to
 * equal-length SHA-256 digests and compared with timingSafeEqual, and every candidate is compared
 * (no early exit), so neither the length nor the position of a match leaks through timing.
 * Returns the id of the matching secret.
 */
export class SecretMatcher {
  private readonly digests: { id: string; digest: Buffer }[];

  constructor(secrets: { id: string; value: string }[]) {
    this.digests = secrets.map((s) => ({ id: s.id, digest: sha256(s.value) }));
  }

  get size(): number {
    return this.digests.length;
  }

  match(presented: string | undefined): string | undefined {
    const candidate = sha256(presented ?? '');
    let found: string | undefined;
    for (const { id, digest } of this.digests) {
      if (timingSafeEqual(candidate, digest) && presented !== undefined && found === undefined) found = id;
    }
    return found;
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
