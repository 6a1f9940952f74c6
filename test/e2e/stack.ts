/**
 * The end-to-end tests' local stack: the shared handle (src/stack/handle.ts) on a temporary data folder, with
 * the typed client on the stack's effective config. It runs lib/, which the global setup builds (test/helpers/build-lib.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Client } from '@temporalio/client';
import type { ResilientSmsClient } from '../../src/client';
import type { Config } from '../../src/domain/config';
import { connectToStack } from '../../src/stack/clients';
import { startStack as startStackHandle, type StackHandle } from '../../src/stack/handle';

export interface Stack extends Pick<StackHandle, 'info' | 'output' | 'readInfo' | 'sim'> {
  config: Config;
  client: ResilientSmsClient;
  temporal: Client;
  sqs: SQSClient;
  stop(): Promise<void>;
}

/** The Web UI only when a test needs it (test/browser): it costs start-up time. */
export async function startStack(configFile: string, opts: { ui?: boolean } = {}): Promise<Stack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-e2e-'));
  const handle = await startStackHandle({
    configPath: configFile,
    dataDir,
    removeDataDir: true,
    ui: opts.ui,
    startTimeoutMs: 120_000,
    stopTimeoutMs: 30_000,
  });
  const clients = await connectToStack(handle.info);
  return {
    info: handle.info,
    output: handle.output,
    readInfo: handle.readInfo,
    sim: handle.sim,
    config: clients.config,
    client: clients.client,
    temporal: clients.temporal,
    sqs: handle.sqs(),
    async stop() {
      await clients.close();
      await handle.stop();
    },
  };
}
