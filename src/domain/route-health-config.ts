/**
 * The config's `routeHealth` section: breakers shared across messages (src/domain/route-health.ts), the
 * optional AWS Health event queue, and canaries. Absent or `enabled: false`: every message climbs its ladder
 * as planned, exactly as before route health existed.
 */
import { z } from 'zod';
import { durationSchema } from './duration';

/** Thresholds of one failure class. A breaker opens when either rule trips, once `minVolume` is reached. */
export const breakerThresholdsSchema = z
  .object({
    /** Outcomes in the window before the ratio rule may trip. */
    minVolume: z.number().int().min(1).max(100_000).default(5),
    /** Failures / outcomes in the window at or above which the breaker opens. */
    failureRatio: z.number().gt(0).max(1).default(0.5),
    /** Failures in a row (no success between) that open the breaker whatever the volume; 0 = off. */
    consecutiveFailures: z.number().int().min(0).max(100_000).default(5),
    /** Sliding window the counts cover. */
    window: durationSchema.default(30_000),
    /** How long an open breaker stays open before it lets probes through (half-open). */
    cooldown: durationSchema.default(30_000),
    /** Successful probes in a row that close a half-open breaker; one failed probe opens it again. */
    halfOpenProbes: z.number().int().min(1).max(100).default(3),
  })
  .strict();
export type BreakerThresholds = z.output<typeof breakerThresholdsSchema>;

const DEFAULT_THRESHOLDS = breakerThresholdsSchema.parse({});

/**
 * The AWS Health service codes route health treats as End User Messaging SMS by default: `SMS` and `PINPOINT`
 * (the SMS and voice features were Amazon Pinpoint's before they became End User Messaging). The code format is
 * documented (https://docs.aws.amazon.com/health/latest/APIReference/API_EventType.html: 2-30 characters,
 * `[^:/]{2,30}`), the codes themselves are not listed in AWS's documentation: confirm them for your account with
 * `aws health describe-event-types` (docs/route-health.md#aws-health-events) and set `healthEvents.services`.
 */
export const AWS_HEALTH_SMS_SERVICES = ['SMS', 'PINPOINT'] as const;

export const routeHealthSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** What a message does with a rung whose route or originator is open or drained: try it last, or skip it. */
    unhealthyRungs: z.enum(['last', 'skip']).default('last'),
    /** How often each process sends its aggregated observations to the routeHealth workflow. */
    flushInterval: durationSchema.default(1_000),
    /** How often each process refreshes its cached snapshot of breaker states. */
    refreshInterval: durationSchema.default(1_000),
    /** Wake messages waiting on a route that opens, instead of letting them sit out their step. */
    wakeWaiting: z.boolean().default(true),
    breakers: z
      .object({
        'send-error': breakerThresholdsSchema.default(DEFAULT_THRESHOLDS),
        'receipt-failure': breakerThresholdsSchema.default({ ...DEFAULT_THRESHOLDS, minVolume: 10, failureRatio: 0.8 }),
        'no-receipt': breakerThresholdsSchema.default({ ...DEFAULT_THRESHOLDS, minVolume: 5, failureRatio: 0.8 }),
      })
      .strict()
      .default({
        'send-error': DEFAULT_THRESHOLDS,
        'receipt-failure': { ...DEFAULT_THRESHOLDS, minVolume: 10, failureRatio: 0.8 },
        'no-receipt': { ...DEFAULT_THRESHOLDS, minVolume: 5, failureRatio: 0.8 },
      }),
    /**
     * Silent filtering: a send is overdue when no final receipt came within max(`overdueAfter`,
     * `latencyFactor` x the originator's recent p95 receipt latency).
     */
    overdueAfter: durationSchema.default(10_000),
    latencyFactor: z.number().min(1).max(100).default(3),
    /**
     * An SQS queue fed by an EventBridge rule for AWS Health events (source aws.health); read by the ingester
     * (src/ingester/health-events.ts), which signals `issue` events of `services` in a Region of the config's routes.
     */
    healthEvents: z
      .object({
        account: z.string().min(1),
        region: z.string().min(1),
        queueUrl: z.url(),
        endpoint: z.url().optional(),
        /**
         * AWS Health service codes (the events' `detail.service`) that mean End User Messaging SMS; see
         * docs/route-health.md#aws-health-events for how to confirm them with DescribeEventTypes.
         */
        services: z
          .array(z.string().regex(/^[^:/]{2,30}$/, 'an AWS Health service code (2-30 characters, no : or /)'))
          .min(1)
          .default([...AWS_HEALTH_SMS_SERVICES]),
      })
      .strict()
      .optional(),
    /** Scheduled probes per route to AWS's simulator destination numbers (a Temporal Schedule each). */
    canaries: z
      .object({
        every: durationSchema.default(30_000),
        /** Routes to probe by config route id; default every SMS route. */
        routes: z.array(z.string().min(1)).optional(),
        /** Use case (policy) whose settings the probes use. */
        useCase: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type RouteHealthConfig = z.output<typeof routeHealthSchema>;

const DEFAULTS: RouteHealthConfig = routeHealthSchema.parse({});

/** The config's `routeHealth` section with its defaults applied (absent: every default, `enabled: false`). */
export function routeHealthSettings(config: { routeHealth?: RouteHealthConfig }): RouteHealthConfig {
  return config.routeHealth ?? DEFAULTS;
}
