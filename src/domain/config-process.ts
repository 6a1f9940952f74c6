/**
 * Process sections: where Temporal is, and the worker's and the ingester's tuning.
 */
import { z } from 'zod';

export const temporalSchema = z
  .object({
    address: z.string().min(1).default('127.0.0.1:7233'),
    namespace: z.string().min(1).default('default'),
    taskQueue: z.string().min(1).default('resilient-sms'),
  })
  .strict();

/**
 * Worker process tuning (`npm run bench` measures it; see README "Performance"). Absent fields keep the
 * project's defaults (src/workers/worker-tuning.ts), which keep the Temporal SDK's except where noted there.
 */
export const workerTuningSchema = z
  .object({
    /**
     * Workflows kept in memory between their tasks; one not cached is replayed from its history on its next
     * task. At most 100,000: a cached message costs about 270 KB (src/workers/worker-tuning.ts), so more
     * would need tens of gigabytes; a larger figure is a typo (`1e15`).
     */
    maxCachedWorkflows: z.number().int().min(0).max(100_000).optional(),
    /** Slots per worker process; beyond a few thousand they only queue on the process's cores. */
    maxConcurrentWorkflowTaskExecutions: z.number().int().min(2).max(10_000).optional(),
    maxConcurrentActivityTaskExecutions: z.number().int().min(1).max(10_000).optional(),
    /** Long polls held open per task type. */
    maxConcurrentWorkflowTaskPolls: z.number().int().min(1).max(1_000).optional(),
    maxConcurrentActivityTaskPolls: z.number().int().min(1).max(1_000).optional(),
    /** One V8 context shared by all workflows (the SDK's default, much less memory per cached workflow). */
    reuseV8Context: z.boolean().optional(),
    workflowThreadPoolSize: z.number().int().min(1).max(16).optional(),
    /**
     * `auto` (default): the bundle `npm run build` prebuilt when it is current, else webpack at start;
     * `prebuilt`: refuse to start without a current prebuilt bundle; `bundle-at-start`: always webpack at start.
     */
    workflowBundle: z.enum(['auto', 'prebuilt', 'bundle-at-start']).optional(),
  })
  .strict();

/** DLR ingester tuning. */
export const ingesterTuningSchema = z
  .object({
    /** Signals in flight at once per receive loop. Default 10 (one SQS batch). */
    concurrency: z.number().int().min(1).max(100).optional(),
    /** ReceiveMessage loops per queue: while one loop signals its batch, the next receives. Default 1. */
    receiversPerQueue: z.number().int().min(1).max(16).optional(),
    /**
     * `final-only` (default): intermediate events (TEXT_PENDING, VOICE_RINGING, ...) are acknowledged and
     * counted without a signal: one signal, one workflow task and four history events less per event (the
     * workflow decides on final events only). `signal`: every event is signalled and recorded in the
     * message's status, at that price.
     */
    intermediateEvents: z.enum(['signal', 'final-only']).optional(),
    /**
     * SNS message signatures of enveloped receipts (src/ingester/sns-signature.ts): `verify` (default; certificates
     * only from https://sns.<region>.amazonaws.com), `emulator` (certificates from each queue's emulator `endpoint`,
     * for the local stack's moto), `off` (nothing verified; a warning at start).
     */
    snsSignatures: z.enum(['verify', 'emulator', 'off']).optional(),
  })
  .strict();
