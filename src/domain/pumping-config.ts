/**
 * The config's `pumping` section: the SMS pumping guard (docs/pumping.md). Velocity limits per destination number,
 * number prefix and country, per use case, over sliding windows, checked before a message's first send; the
 * conversion watch for one-time passwords (sends vs. feedback RECEIVED per country and prefix), which blocks a prefix
 * whose conversion falls below a threshold. Absent or `enabled: false`: no message is checked, exactly as before.
 */
import { z } from 'zod';
import { durationSchema } from './duration';

/** What a velocity limit counts: messages to one number, to one number prefix, or to one country. */
export const VELOCITY_SCOPES = ['number', 'prefix', 'country'] as const;
export type VelocityScope = (typeof VELOCITY_SCOPES)[number];

/** At most `limit` messages of the use case per `scope` key in any sliding `window`. */
export const velocityLimitSchema = z
  .object({
    scope: z.enum(VELOCITY_SCOPES),
    limit: z.number().int().min(1).max(1_000_000),
    /** Sliding window, at least 1 s (counts are kept per second), at most 1 h (the guard keeps no more). */
    window: durationSchema.refine((w) => w >= 1_000 && w <= 3_600_000, 'window must be between 1s and 1h'),
  })
  .strict();
export type VelocityLimit = z.output<typeof velocityLimitSchema>;

export const conversionWatchSchema = z
  .object({
    /** Use cases whose sends are watched (their users confirm with feedback RECEIVED). */
    useCases: z.array(z.string().min(1)).min(1).default(['otp']),
    /** A prefix (or country) is blocked when RECEIVED / sends falls below this… */
    threshold: z.number().gt(0).max(1).default(0.2),
    /** …over at least this many decided sends in the window. */
    minVolume: z.number().int().min(1).max(100_000).default(20),
    /** Sends of the last `window` count (only those older than `feedbackWait`: their feedback had time to come). */
    window: durationSchema
      .refine((w) => w >= 10_000 && w <= 3_600_000, 'window must be between 10s and 1h')
      .default(600_000),
    /** How long a user has to confirm before a send counts as not converted. */
    feedbackWait: durationSchema.refine((w) => w >= 1_000, 'feedbackWait must be at least 1s').default(60_000),
    /** How long a blocked prefix stays blocked (an operator may unblock it sooner). */
    blockFor: durationSchema.refine((w) => w >= 1_000, 'blockFor must be at least 1s').default(1_800_000),
    /** Watch countries as well as prefixes (a whole country blocked). */
    countries: z.boolean().default(false),
  })
  .strict();
export type ConversionWatchConfig = z.output<typeof conversionWatchSchema>;

export const pumpingSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Digits of the E.164 number (after `+`, country code included) that make its prefix: `+4470…` is 4. */
    prefixLength: z.number().int().min(2).max(12).default(6),
    /** Velocity limits per use case (a use case not listed has none). */
    velocity: z.record(z.string().min(1), z.array(velocityLimitSchema).max(20)).default({}),
    /** The conversion watch; absent: off. */
    conversion: conversionWatchSchema.optional(),
    /** How often each process sends its counts to the pumpingGuard workflow. */
    flushInterval: durationSchema.default(1_000),
    /** How often each process refreshes its copy of the guard's counts and blocks. */
    refreshInterval: durationSchema.default(1_000),
  })
  .strict();
export type PumpingConfig = z.output<typeof pumpingSchema>;

/** Use cases the section names that are not policies: a typo would silently guard nothing. */
export function pumpingProblems(section: PumpingConfig | undefined, policies: readonly string[]): string[] {
  if (!section) return [];
  const known = new Set(policies);
  const problems: string[] = [];
  for (const useCase of Object.keys(section.velocity)) {
    if (!known.has(useCase)) problems.push(`pumping.velocity.${useCase}: unknown use case "${useCase}"`);
  }
  for (const useCase of section.conversion?.useCases ?? []) {
    if (!known.has(useCase)) problems.push(`pumping.conversion.useCases: unknown use case "${useCase}"`);
  }
  return problems;
}
