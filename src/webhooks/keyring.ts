/**
 * The worker's webhook signing keys: every key id the config's use cases list, with its secret read from the
 * environment variable the config names (or `security.envFile`), once, when the worker starts. A plan names its key
 * by id only; a plan naming an id this worker does not know is refused by the delivery activity, never signed with
 * something else. Values are never logged.
 */
import { requireSecret, secretSourceFor, type SecretSource } from '../codec/secrets';
import type { Config } from '../domain/config';

/** The shortest secret accepted: 32 characters (e.g. `openssl rand -hex 32` gives 64). */
export const MIN_WEBHOOK_SECRET_LENGTH = 32;

/** Key id -> secret. */
export type WebhookKeyring = ReadonlyMap<string, string>;

/** Every webhook key of the config, read now; throws naming the variable that is missing or too short. */
export function webhookKeyringFor(config: Config, source: SecretSource = secretSourceFor(config)): WebhookKeyring {
  const keys = new Map<string, string>();
  for (const [useCase, policy] of Object.entries(config.policies)) {
    for (const key of policy.webhook?.keys ?? []) {
      if (keys.has(key.id)) continue; // the config check makes one id one variable
      const what = `policies.${useCase}.webhook key "${key.id}"`;
      keys.set(key.id, requireSecret(source, key.env, what, MIN_WEBHOOK_SECRET_LENGTH));
    }
  }
  return keys;
}
