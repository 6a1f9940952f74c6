/**
 * Clients on a local stack, as an application would hold them: its effective config, a Temporal client with the
 * stack's data converter (payloads are encrypted, keys in <data>/keys.env) and the typed ResilientSmsClient.
 */
import { Client, type Connection } from '@temporalio/client';
import { ResilientSmsClient } from '../client';
import { dataConverterFor } from '../codec/data-converter';
import { loadConfig } from '../config/load';
import { connectClient } from '../temporal/connect';
import { plainSettings } from '../temporal/settings';
import type { Config } from '../domain/config';
import type { StackInfo } from './stack-info';

export interface StackClients {
  config: Config;
  connection: Connection;
  temporal: Client;
  client: ResilientSmsClient;
  close(): Promise<void>;
}

export async function connectToStack(info: StackInfo): Promise<StackClients> {
  const config = loadConfig(info.configPath);
  // The stack's own dev server: plain TCP (effective-config.ts drops the config's TLS and API key).
  const connection = await connectClient(plainSettings(info.temporalAddress, info.namespace));
  const temporal = new Client({ connection, namespace: info.namespace, dataConverter: dataConverterFor(config) });
  return {
    config,
    connection,
    temporal,
    client: new ResilientSmsClient(config, temporal),
    close: () => connection.close().catch(() => undefined),
  };
}
