/**
 * The HTTP API on a real Temporal client, as `resilient-sms api` runs it (src/cli/processes.ts): reads the API
 * keys from the environment variables the config names and connects to Temporal lazily (the API starts, and
 * answers 503, while Temporal is down) through the shared data converter.
 */
import { Client } from '@temporalio/client';
import { ResilientSmsClient } from '../client';
import { dataConverterFor } from '../codec/data-converter';
import { requireSecret, SecretMatcher, secretSourceFor } from '../codec/secrets';
import type { RunningServer } from '../codec/server';
import { readEnvironment } from '../config/environment';
import type { Config } from '../domain/config';
import { RouteOperators } from '../health/operators';
import { PumpingOperators } from '../pumping/operators';
import { lazyClient, watchSettings } from '../temporal/connect';
import type { TemporalSettingsError } from '../temporal/errors';
import { temporalSettings } from '../temporal/settings';
import { buildApiServer, type MessagesClient } from './server';

const MIN_API_KEY_LENGTH = 16;

/** The API keys the config names, read from their environment variables. */
export function apiKeysFor(config: Config, env: NodeJS.ProcessEnv = process.env): SecretMatcher {
  const refs = config.security.api?.keys ?? [];
  if (refs.length === 0) {
    throw new Error('security.api.keys is empty: every API request must be authenticated; add { id, env } entries');
  }
  const source = secretSourceFor(config, env);
  return new SecretMatcher(
    refs.map((ref) => ({
      id: ref.id,
      value: requireSecret(source, ref.env, `API key "${ref.id}"`, MIN_API_KEY_LENGTH),
    })),
  );
}

/** Every Temporal call of one API request gets a deadline: a hung connection becomes a 503, not a hung request. */
export function withDeadline(sms: MessagesClient, temporal: Pick<Client, 'withDeadline'>, ms: number): MessagesClient {
  const bounded = <T>(fn: () => Promise<T>) => temporal.withDeadline(Date.now() + ms, fn);
  return {
    sendMessage: (request) => bounded(() => sms.sendMessage(request)),
    getStatus: (key) => bounded(() => sms.getStatus(key)),
    recordFeedback: (key, status) => bounded(() => sms.recordFeedback(key, status)),
    cancel: (key, reason) => bounded(() => sms.cancel(key, reason)),
  };
}

export interface StartApiOptions {
  host?: string;
  port?: number;
  /** The variables the config names (API keys, encryption keys) and TEMPORAL_ADDRESS. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Temporal frontend over $TEMPORAL_ADDRESS and the config's (the CLI's --address). */
  address?: string;
  /** Over the config's temporal.namespace (the CLI's --namespace). */
  namespace?: string;
  logger?: boolean | { level: string };
  /** Deadline of each request's Temporal calls, ms. Default 10 000. */
  temporalTimeoutMs?: number;
  /**
   * Temporal refused the config's TLS or API key settings (tried in the background: the API starts while Temporal
   * is down). `resilient-sms api` stops with the message; default: logged.
   */
  onTemporalSettingsError?: (err: TemporalSettingsError) => void;
}

/** Builds the API on a real Temporal client from the config and listens. */
export async function startApi(config: Config, opts: StartApiOptions = {}): Promise<RunningServer> {
  const env = opts.env ?? process.env;
  const apiKeys = apiKeysFor(config, env);
  const settings = temporalSettings(config, {
    address: opts.address ?? readEnvironment(env).temporalAddress,
    namespace: opts.namespace,
    env,
  });
  const connection = lazyClient(settings);
  const temporal = new Client({
    connection,
    namespace: settings.namespace,
    dataConverter: dataConverterFor(config, env),
  });
  const sms = new ResilientSmsClient(config, temporal);
  const app = buildApiServer({
    client: withDeadline(sms, temporal, opts.temporalTimeoutMs ?? 10_000),
    routes: new RouteOperators({ client: temporal, config, timeoutMs: opts.temporalTimeoutMs ?? 10_000 }),
    pumping: new PumpingOperators({ client: temporal, config, timeoutMs: opts.temporalTimeoutMs ?? 10_000 }),
    apiKeys,
    logger: opts.logger,
  });
  const host = opts.host ?? config.security.api?.host ?? '127.0.0.1';
  const watch = watchSettings(
    settings,
    connection,
    opts.onTemporalSettingsError ?? ((err) => app.log.error({ field: err.field }, err.message)),
  );
  try {
    await app.listen({ host, port: opts.port ?? config.security.api?.port ?? 8090 });
  } catch (err) {
    watch.stop();
    await connection.close();
    throw err;
  }
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound ? bound.port : 0;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    app,
    async close() {
      watch.stop();
      await app.close();
      await connection.close();
    },
  };
}
