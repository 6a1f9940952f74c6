/**
 * The benchmark's yardstick worker: runs the no-op workflow (bench/noop-workflow.ts) on its own task queue,
 * with the product worker's settings: the same config `worker` tuning (workerTuningOptions), the same data
 * converter and the same observability (JSON logs, a metrics endpoint). Only the workflow differs.
 *
 *   node lib/bench/bench-worker.js --config <stack config.json> [--task-queue bench-noop]
 */
import { Worker } from '@temporalio/worker';
import { Command } from 'commander';
import { dataConverterFor } from '../src/codec/data-converter';
import { readEnvironment } from '../src/config/environment';
import { loadConfig } from '../src/config/load';
import { installObservability } from '../src/observability/runtime';
import { preflight } from '../src/temporal/connect';
import { connectNative } from '../src/temporal/native';
import { temporalSettings } from '../src/temporal/settings';
import { workerTuningOptions } from '../src/workers/worker-tuning';

async function main(opts: { config: string; taskQueue: string }): Promise<void> {
  const environment = readEnvironment();
  const config = loadConfig(opts.config);
  const settings = temporalSettings(config, { address: environment.temporalAddress });
  await preflight(settings); // before the Runtime, which keeps a failed process alive
  installObservability({ processName: 'bench-noop-worker', environment });
  const connection = await connectNative(settings, { checked: true });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: opts.taskQueue,
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

const program = new Command('bench-worker')
  .description('the no-op workflow worker the benchmark compares against')
  .requiredOption('--config <file>', "the stack's effective config (stack.json configPath)")
  .option('--task-queue <name>', 'task queue to poll', 'bench-noop')
  .action((opts: { config: string; taskQueue: string }) =>
    main(opts).catch((err: unknown) => {
      console.error(`bench-worker: ${(err as Error).message}`);
      process.exit(1);
    }),
  );
void program.parseAsync(process.argv);
