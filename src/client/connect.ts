/**
 * The typed client with its connection, for applications: the same `temporal` settings (TLS, client certificate,
 * server name, API key, connect timeout) and the same checks as every process of this project
 * (src/temporal/settings.ts, src/temporal/connect.ts), and the same data converter as the worker.
 *
 *   // Connection settings only: the config's `temporal` and `security` sections (no routes, no policies).
 *   const sms = await connectResilientSms({
 *     temporal: { address: 'temporal.example.com:7233', namespace: 'sms', taskQueue: 'resilient-sms' },
 *     security: { encryption: { currentKeyId: 'k1', keys: [{ id: 'k1', env: 'RSMS_KEY_1' }] } },
 *   });
 *   // Or a whole config: requests are then also checked against its routes and policies before sending.
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
import { isFullConfig, parseClientSettings, type ClientSettingsInput } from './settings';

export type { ClientSettings, ClientSettingsInput } from './settings';

export interface ConnectedClient {
  client: ResilientSmsClient;
  temporal: Client;
  connection: Connection;
  close(): Promise<void>;
}

export interface ConnectResilientSmsOptions extends SettingsOptions {
  /** Default the settings' temporal.taskQueue. */
  taskQueue?: string;
}

/**
 * Connects to the settings' Temporal (`opts.address` / `opts.namespace` over the settings'); throws an
 * InvalidInputError naming the field of settings that are malformed, a TemporalSettingsError naming the field when a
 * setting cannot work (a missing key variable, a bad certificate), a TemporalUnreachableError when nobody answers.
 */
export async function connectResilientSms(
  settingsOrConfig: ClientSettingsInput | Config,
  opts: ConnectResilientSmsOptions = {},
): Promise<ConnectedClient> {
  const config = isFullConfig(settingsOrConfig) ? settingsOrConfig : undefined;
  const sections = config ?? parseClientSettings(settingsOrConfig);
  const settings = temporalSettings(sections, opts);
  // The data converter first: a missing or malformed encryption key fails before any connection is made.
  const dataConverter = dataConverterFor(sections, opts.env);
  const connection = await connectClient(settings);
  const temporal = new Client({ connection, namespace: settings.namespace, dataConverter });
  const taskQueue = opts.taskQueue ?? sections.temporal.taskQueue;
  return {
    client: config
      ? new ResilientSmsClient(config, temporal, { taskQueue })
      : new ResilientSmsClient(temporal, { taskQueue }),
    temporal,
    connection,
    close: () => connection.close(),
  };
}
