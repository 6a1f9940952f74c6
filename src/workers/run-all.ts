/**
 * Running the Workers of one worker process together (the main one, the shared-state one, the paced ones): they stop
 * together, and the process exits with the first failure.
 */
import type { Worker } from '@temporalio/worker';

/** What is used of a Worker here (a test passes fakes). */
export type RunnableWorker = Pick<Worker, 'run' | 'shutdown' | 'getState'>;

export function shutdownAll(workers: RunnableWorker[]): void {
  for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
}

/**
 * Runs `workers` until all have stopped. When one fails (its workflow thread ran out of memory, the server refused
 * it), the others are shut down too and its error is thrown once they have stopped: a process whose main Worker
 * failed must exit (and be restarted), not keep polling with its small shared-state Worker alone.
 */
export async function runAllOrNone(workers: RunnableWorker[]): Promise<void> {
  let failure: Error | undefined;
  await Promise.all(
    workers.map((w) =>
      w.run().catch((err: unknown) => {
        failure ??= err instanceof Error ? err : new Error(String(err));
        shutdownAll(workers);
      }),
    ),
  );
  if (failure) throw failure;
}

/** Runs `workers` until `fn` settles (or one of them fails), then shuts them all down and waits for that. */
export async function runAllUntil<R>(workers: RunnableWorker[], fn: () => Promise<R>): Promise<R> {
  const running = runAllOrNone(workers);
  const stopped = running.then(() => {
    throw new Error('the workers stopped before the work was done');
  });
  try {
    return await Promise.race([fn(), stopped]);
  } finally {
    shutdownAll(workers);
    await running;
  }
}
