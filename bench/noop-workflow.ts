/**
 * The yardstick of the throughput measurement: a workflow that does nothing, run by a bench-only worker
 * (bench/bench-worker.ts) on its own task queue with the product worker's tuning. Its completion rate
 * is what the server and the SDK allow at all on this machine.
 */
export async function noop(): Promise<void> {
  // Nothing: one workflow task, then completion.
}
