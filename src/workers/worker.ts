/**
 * The worker process: runs deliverMessage workflows and the send activities for one task queue.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { configPathFrom, loadConfig } from '../config/load';
import type { Config } from '../domain/config';
import { smsClientsFromConfig } from './sms-client-registry';

export interface CreateWorkerOptions {
  config: Config;
  connection: NativeConnection;
  taskQueue?: string;
  namespace?: string;
  /** A prebuilt bundle (tests, production); otherwise workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Extra worker options (tuning). */
  tuning?: Partial<WorkerOptions>;
}

export function workflowsPath(): string {
  return require.resolve('../workflows');
}

export async function createWorker(opts: CreateWorkerOptions): Promise<{ worker: Worker; close: () => void }> {
  const smsClient = smsClientsFromConfig(opts.config);
  const worker = await Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? opts.config.temporal.namespace,
    taskQueue: opts.taskQueue ?? opts.config.temporal.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: workflowsPath() }),
    activities: createActivities({ smsClient }),
    ...opts.tuning,
  });
  return { worker, close: () => smsClient.destroyAll() };
}

export async function runWorker(configPath?: string): Promise<void> {
  const config = loadConfig(configPathFrom(configPath));
  const address = process.env.TEMPORAL_ADDRESS ?? config.temporal.address;
  const connection = await NativeConnection.connect({ address });
  const { worker, close } = await createWorker({ config, connection });
  try {
    await worker.run(); // returns after SIGINT/SIGTERM, once in-flight tasks are done
  } finally {
    close();
    await connection.close();
  }
}

if (require.main === module) {
  const i = process.argv.indexOf('--config');
  runWorker(i >= 0 ? process.argv[i + 1] : undefined).catch((err: unknown) => {
    console.error(`worker: ${(err as Error).message}`);
    process.exit(1);
  });
}
