/**
 * The `security` section of the config: payload encryption keys, the codec server and the HTTP API.
 *
 * No secret is ever written in a config file: every key, token and API key is named by the
 * environment variable that holds it (`{ id, env }`), read once at start-up. `envFile` may name a
 * private (0600) file of `NAME=value` lines consulted for variables the environment does not set;
 * the local stack points it at the `keys.env` it generates.
 */
import { z } from 'zod';

/** Ids travel in payload metadata and logs: short and printable. */
export const secretIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, . _ or - (starting alphanumeric)');

export const envVarNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name such as RSMS_KEY_2024');

/** A secret by reference: its id, and the environment variable holding its value. */
export const secretRefSchema = z.object({ id: secretIdSchema, env: envVarNameSchema }).strict();
export type SecretRef = z.output<typeof secretRefSchema>;

/** A browser origin: scheme, host and optional port, nothing else. */
const originSchema = z
  .string()
  .regex(/^https?:\/\/[^/\s?#]+$/, 'must be an origin such as http://localhost:8233 (scheme, host, port; no path)');

const portSchema = z.number().int().min(0).max(65535);

function uniqueIds(refs: SecretRef[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  refs.forEach((ref, i) => {
    if (seen.has(ref.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate id "${ref.id}"` });
    seen.add(ref.id);
  });
}

export const encryptionSchema = z
  .object({
    /** New payloads are encrypted with this key; older ones are decrypted with the key their metadata names. */
    currentKeyId: secretIdSchema,
    /** Every key that may still be needed to read history: base64 of 32 random bytes (AES-256-GCM), from `env`. */
    keys: z.array(secretRefSchema).min(1).superRefine(uniqueIds),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (!e.keys.some((k) => k.id === e.currentKeyId)) {
      ctx.addIssue({
        code: 'custom',
        path: ['currentKeyId'],
        message: `no key with id "${e.currentKeyId}" in keys`,
      });
    }
  });

export const codecServerSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: portSchema.default(8091),
    /** Browser origins allowed to call it (the Temporal Web UI's), e.g. http://localhost:8233. */
    corsOrigins: z.array(originSchema).default([]),
    /** Environment variable holding the bearer token callers must present. */
    tokenEnv: envVarNameSchema,
    /**
     * Also accept the token as the path segment before `/encode` or `/decode` (endpoint
     * `http://host:port/<token>`). For a Web UI that cannot send a bearer token (the dev server's,
     * without OIDC): whoever can read the UI's settings can then decode. Off unless set.
     */
    allowTokenInPath: z.boolean().default(false),
  })
  .strict();

export const apiSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: portSchema.default(8090),
    /** API keys by id; each value (at least 16 characters) comes from its environment variable. */
    keys: z.array(secretRefSchema).default([]).superRefine(uniqueIds),
  })
  .strict();

export const securitySchema = z
  .object({
    /** Absent: payloads are stored as plain JSON (tests, development without the local stack). */
    encryption: encryptionSchema.optional(),
    codecServer: codecServerSchema.optional(),
    api: apiSchema.optional(),
    /** A private file of NAME=value lines for secrets missing from the environment (absolute, or relative to the cwd). */
    envFile: z.string().min(1).optional(),
  })
  .strict();

export type SecurityConfig = z.output<typeof securitySchema>;
export type EncryptionConfig = z.output<typeof encryptionSchema>;
export type CodecServerConfig = z.output<typeof codecServerSchema>;
export type ApiConfig = z.output<typeof apiSchema>;
