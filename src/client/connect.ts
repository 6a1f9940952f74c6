/**
 * The typed client with its connection, for applications: the same `temporal` settings (TLS, client certificate,
 * server name, API key, connect timeout) and the same checks as every process of this project
 * (src/temporal/settings.ts, src/temporal/connect.ts), and the same data converter as the worker.
 *
 *   const sms = await connectResilientSms(loadConfig('config.yaml'));
 *   await sms.client.sendMessage({ ... });
 *   await sms.close();
 */
import { Client, type Connection } from '@temporalio/client';
import { dataConverterFor } from '../codec/data-converter';
import type { Config } from '../domain/config';
import { connectClient } from '../temporal/connect';
import { temporalSettings, type SettingsOptions } from '../temporal/settings';
import { ResilientSmsClient } from './index';

export interface ConnectedClient {
  client: ResilientSmsClient;
  temporal: Client;
  connection: Connection;
  close(): Promise<void>;
}

export interface ConnectResilientSmsOptions extends SettingsOptions {
  /** Default the config's temporal.taskQueue. */
  taskQueue?: string;
}

/**
 * Connects to the config's Temporal (`opts.address` / `opts.namespace` over the config's); throws a
 * TemporalSettingsError naming the field when a setting cannot work, a TemporalUnreachableError when nobody answers.
 */
export async function connectResilientSms(
  config: Config,
  opts: ConnectResilientSmsOptions = {},
): Promise<ConnectedClient> {
  const settings = temporalSettings(config, opts);
  const connection = await connectClient(settings);
  const temporal = new Client({
    connection,
    namespace: settings.namespace,
    dataConverter: dataConverterFor(config, opts.env),
  });
  return {
    client: new ResilientSmsClient(config, temporal, { taskQueue: opts.taskQueue }),
    temporal,
    connection,
    close: () => connection.close(),
  };
}
