/**
 * The benchmark's yardstick worker: runs the no-op workflow (bench/noop-workflow.ts) on its own task queue,
 * with the product worker's settings: the same config `worker` tuning (workerTuningOptions), the same data
 * converter and the same observability (JSON logs, a metrics endpoint). Only the workflow differs.
 *
 *   node lib/bench/bench-worker.js --config <stack config.json> [--task-queue bench-noop]
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { dataConverterFor } from '../src/codec/data-converter';
import { loadConfig } from '../src/config/load';
import { installObservability } from '../src/observability/runtime';
import { workerTuningOptions } from '../src/workers/worker-tuning';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const configPath = arg('--config');
  if (!configPath) throw new Error('--config is required');
  const config = loadConfig(configPath);
  installObservability({ processName: 'bench-noop-worker' });
  const connection = await NativeConnection.connect({
    address: process.env.TEMPORAL_ADDRESS ?? config.temporal.address,
  });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: arg('--task-queue') ?? 'bench-noop',
    workflowsPath: require.resolve('./noop-workflow'),
    dataConverter: dataConverterFor(config),
    ...workerTuningOptions(config),
  });
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(`bench-worker: ${(err as Error).message}`);
  process.exit(1);
});
