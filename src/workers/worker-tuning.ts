/**
 * Worker options from the config's `worker` section (tuning), with the project's defaults. Shared by the
 * product worker and the benchmark's no-op worker, so both run with identical settings.
 */
import type { WorkerOptions } from '@temporalio/worker';
import type { Config } from '../domain/config';

/**
 * Our defaults where they differ from the SDK's (figures: README "Performance").
 * - maxCachedWorkflows: the SDK sizes the cache from the V8 heap limit (about 2,300 workflows on a machine
 *   with a 4 GB heap limit), and a cached deliverMessage costs about 270 KB of worker RSS: 2,000 cached took
 *   the worker to 800 MB. 1,000 keeps it near 550 MB however many messages wait for their receipts; a
 *   message no longer cached costs one replay of its short history when its receipt arrives (measured:
 *   `npm run bench`, "DLR latency, not cached"). Messages in flight are far fewer than 1,000 at the
 *   throughput one worker reaches, so they stay cached.
 * - maxConcurrentWorkflowTaskExecutions: 8, not the SDK's 40. A worker takes a task from the server only when it
 *   has a free slot, and the server hands out its waiting tasks by priority (a one-time password's key 1 first). With
 *   40 slots a burst's notices were already inside the worker when an OTP's first task arrived, and it waited behind
 *   them there; with 8 most of a burst waits on the server, where the OTP overtakes it. Measured on 2 cores
 *   (README "Pacing"): the OTPs' median time to send during a 2,000-notice burst 4.7 s -> 3.5 s, and throughput
 *   within the run-to-run spread (`npm run bench -- --only throughput`, same machine and hour: ours 8.6/s with 8
 *   slots, 9.2/s with 40).
 */
export const DEFAULT_WORKER_TUNING = {
  maxCachedWorkflows: 1_000,
  maxConcurrentWorkflowTaskExecutions: 8,
} as const;

export function workerTuningOptions(config: Config): Partial<WorkerOptions> {
  const t = { ...DEFAULT_WORKER_TUNING, ...config.worker };
  const options: Partial<WorkerOptions> = {};
  if (t.maxCachedWorkflows !== undefined) options.maxCachedWorkflows = t.maxCachedWorkflows;
  if (t.maxConcurrentWorkflowTaskExecutions !== undefined)
    options.maxConcurrentWorkflowTaskExecutions = t.maxConcurrentWorkflowTaskExecutions;
  if (t.maxConcurrentActivityTaskExecutions !== undefined)
    options.maxConcurrentActivityTaskExecutions = t.maxConcurrentActivityTaskExecutions;
  if (t.maxConcurrentWorkflowTaskPolls !== undefined)
    options.workflowTaskPollerBehavior = { type: 'simple-maximum', maximum: t.maxConcurrentWorkflowTaskPolls };
  if (t.maxConcurrentActivityTaskPolls !== undefined)
    options.activityTaskPollerBehavior = { type: 'simple-maximum', maximum: t.maxConcurrentActivityTaskPolls };
  if (t.reuseV8Context !== undefined) options.reuseV8Context = t.reuseV8Context;
  if (t.workflowThreadPoolSize !== undefined) options.workflowThreadPoolSize = t.workflowThreadPoolSize;
  return options;
}

/** The effective tuning as plain figures, for logs and benchmark results. */
export function describeWorkerTuning(config: Config): Record<string, unknown> {
  return {
    ...DEFAULT_WORKER_TUNING,
    ...config.worker,
    workflowBundle: config.worker?.workflowBundle ?? 'auto',
    maxOldSpaceMb: workerHeapMb(config),
  };
}

/**
 * V8 old-space limit (MB) for a worker process, from its cache size: about 280 KB per cached workflow plus
 * 128 MB for the rest. Without a limit V8 sizes the heap from the machine's memory (4 GB here) and collects
 * late: the worker's RSS kept growing with every message that waited (garbage, not retained: with the limit it
 * stays flat). Set it with NODE_OPTIONS (the local stack does; see the Dockerfile).
 */
export function workerHeapMb(config: Config): number {
  const cached = config.worker?.maxCachedWorkflows ?? DEFAULT_WORKER_TUNING.maxCachedWorkflows;
  return Math.round(128 + 0.28 * cached);
}

/** NODE_OPTIONS for a worker process: the heap limit first, so that one set in `existing` wins. */
export function workerNodeOptions(config: Config, existing?: string): string {
  return [`--max-old-space-size=${workerHeapMb(config)}`, existing].filter(Boolean).join(' ');
}
