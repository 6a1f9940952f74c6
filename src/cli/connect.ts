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

/** Connects (5 s timeout), runs `fn`, closes. */
export async function withConnection<T>(address: string, fn: (connection: Connection) => Promise<T>): Promise<T> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: 5_000 });
  } catch (err) {
    throw new CliError(`cannot reach Temporal at ${address}: ${(err as Error).message}`);
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
  const address = addressOverride(g, env) ?? config.temporal.address;
  return withConnection(address, async (connection) => {
    const temporal = new Client({
      connection,
      namespace: g.namespace ?? config.temporal.namespace,
      dataConverter: dataConverterFor(config),
    });
    return fn(new ResilientSmsClient(config, temporal), config);
  });
}
