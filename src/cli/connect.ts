/**
 * From the global options (--config, --address, --namespace) and the environment to a config and a Temporal
 * connection. Precedence everywhere: the flag, then the environment variable, then the config.
 */
import type { Command } from 'commander';
import { Client, Connection } from '@temporalio/client';
import { ResilientSmsClient } from '../client';
import { dataConverterFor } from '../codec/data-converter';
import type { Environment } from '../config/environment';
import { configPathFrom, loadConfig } from '../config/load';
import type { Config } from '../domain/config';
import { connectClient } from '../temporal/connect';
import { temporalSettings, type TemporalSettings } from '../temporal/settings';

export interface GlobalOptions {
  config?: string;
  address?: string;
  namespace?: string;
}

/** A failure the CLI explains in one line (no stack). */
export class CliError extends Error {}

export function globalsOf(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/** --config, else $RESILIENT_SMS_CONFIG; throws when neither is given. */
export function configPathOf(g: GlobalOptions, env: Environment): string {
  return configPathFrom(g.config, env);
}

/** --address, else $TEMPORAL_ADDRESS: undefined leaves the config's temporal.address. */
export function addressOverride(g: GlobalOptions, env: Environment): string | undefined {
  return g.address ?? env.temporalAddress;
}

/** The settings of the config's temporal section under --address / $TEMPORAL_ADDRESS and --namespace. */
export function settingsOf(g: GlobalOptions, env: Environment, config: Config): TemporalSettings {
  return temporalSettings(config, { address: addressOverride(g, env), namespace: g.namespace });
}

/**
 * Connects (5 s timeout unless temporal.connectTimeout says otherwise), runs `fn`, closes. A setting Temporal
 * refuses, or no answer, fails with the reason in one line (src/temporal/explain.ts).
 */
export async function withConnection<T>(
  settings: TemporalSettings,
  fn: (connection: Connection) => Promise<T>,
): Promise<T> {
  let connection: Connection;
  try {
    connection = await connectClient(settings, { defaultTimeoutMs: 5_000 });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  try {
    return await fn(connection);
  } finally {
    await connection.close();
  }
}

/** Loads the config, connects and runs `fn` with the typed client. */
export async function withClient<T>(
  g: GlobalOptions,
  env: Environment,
  fn: (client: ResilientSmsClient, config: Config) => Promise<T>,
): Promise<T> {
  const config = loadConfig(configPathOf(g, env));
  const settings = settingsOf(g, env, config);
  return withConnection(settings, async (connection) => {
    const temporal = new Client({ connection, namespace: settings.namespace, dataConverter: dataConverterFor(config) });
    return fn(new ResilientSmsClient(config, temporal), config);
  });
}
