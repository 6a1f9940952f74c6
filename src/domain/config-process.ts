/**
 * Process sections: where Temporal is, and the worker's and the ingester's tuning.
 */
import { z } from 'zod';
import { envVarNameSchema } from './config-security';
import { durationSchema } from './duration';
import { mainTaskQueueProblem } from './shared-state';

/** The three PEM inputs of `temporal.tls`, each given by file path (`…File`) or by environment variable (`…Env`). */
export const TLS_PEM_INPUTS = ['serverCa', 'clientCert', 'clientKey'] as const;
export type TlsPemInput = (typeof TLS_PEM_INPUTS)[number];

const pemFileSchema = z.string().min(1).optional();
const pemEnvSchema = envVarNameSchema.optional();

/**
 * TLS to the Temporal frontend (src/temporal/settings.ts reads and checks it at start). A section that is present
 * turns TLS on (`enabled: false` turns it off again without deleting it). Every PEM is named, never written here:
 * `…File` (a path, relative to the working directory) or `…Env` (a variable holding the PEM text; `\n` escapes
 * allowed, for env files). No CA: the system's CAs verify the server (Temporal Cloud). A client certificate and
 * its key together: mutual TLS.
 */
export const temporalTlsSchema = z
  .object({
    enabled: z.boolean().default(true),
    serverCaFile: pemFileSchema,
    serverCaEnv: pemEnvSchema,
    clientCertFile: pemFileSchema,
    clientCertEnv: pemEnvSchema,
    clientKeyFile: pemFileSchema,
    clientKeyEnv: pemEnvSchema,
    /** The name the server's certificate must hold (SNI and verification), when it is not the address's host. */
    serverName: z
      .string()
      .regex(/^[A-Za-z0-9*]([A-Za-z0-9.*-]{0,252})$/, 'must be a host name such as temporal.example.com')
      .optional(),
  })
  .strict()
  .superRefine((tls, ctx) => {
    for (const input of TLS_PEM_INPUTS) {
      if (tls[`${input}File`] !== undefined && tls[`${input}Env`] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [`${input}Env`],
          message: `give ${input}File or ${input}Env, not both`,
        });
      }
    }
    const cert = tls.clientCertFile !== undefined || tls.clientCertEnv !== undefined;
    const key = tls.clientKeyFile !== undefined || tls.clientKeyEnv !== undefined;
    if (cert !== key) {
      ctx.addIssue({
        code: 'custom',
        path: cert ? ['clientKeyFile'] : ['clientCertFile'],
        message: 'mutual TLS needs both the client certificate (clientCertFile/Env) and its key (clientKeyFile/Env)',
      });
    }
  });
export type TemporalTlsConfig = z.output<typeof temporalTlsSchema>;

/** Written in the file instead of named: refused with the way to do it right. */
const NOT_IN_THE_FILE =
  'never write the API key in the config file: put it in an environment variable and name that variable in ' +
  'temporal.apiKeyEnv (e.g. apiKeyEnv: TEMPORAL_API_KEY)';

export const temporalSchema = z
  .object({
    /** The frontend's gRPC address, host:port (Temporal Cloud: the namespace's endpoint, docs/runbook.md). */
    address: z.string().min(1).default('127.0.0.1:7233'),
    namespace: z.string().min(1).default('default'),
    /** The messages' task queue; the shared-state workflows run on `<taskQueue>-shared-state` (./shared-state.ts). */
    taskQueue: z
      .string()
      .min(1)
      .superRefine((q, ctx) => {
        const problem = mainTaskQueueProblem(q);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .default('resilient-sms'),
    tls: temporalTlsSchema.optional(),
    /** The environment variable (or security.envFile entry) holding a Temporal Cloud API key; implies TLS. */
    apiKeyEnv: envVarNameSchema.optional(),
    apiKey: z.never({ error: NOT_IN_THE_FILE }).optional(),
    /** How long a process waits for the first connection before it fails with the reason. Default 10 s (CLI 5 s). */
    connectTimeout: durationSchema.optional(),
  })
  .strict();
export type TemporalConfig = z.output<typeof temporalSchema>;

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
