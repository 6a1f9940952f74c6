/**
 * DLR chaos: what the carrier's receipt pipeline does to the delivery events of accepted messages, set through
 * `POST /_sim/chaos` and cleared with `DELETE /_sim/chaos`. Real events arrive "at least once, possibly out of
 * order, possibly after the workflow has moved on, possibly never"; each knob makes one of those happen to a
 * fraction of messages:
 *
 * - `duplicate`: the final event (or, when there is none, the last one) is published twice, byte for byte;
 * - `reorder`: the final event is published before the intermediate ones (their timestamps stay in order);
 * - `late`: the final event is published `delayMs` later than it would have been;
 * - `drop`: the final event is never published.
 *
 * `drop`, `late` and `reorder` exclude one another (one roll picks at most one of them, so their probabilities
 * add up to at most 1); `duplicate` is rolled on its own and may combine with any of them. With a `seed` the
 * rolls (and, while it is set, the dice of the API faults' probabilities) are reproducible for a given order of sends.
 */
import { z } from 'zod';
import { durationSchema } from '../domain/duration';
import { parseOrThrow } from '../domain/errors';
import type { ScheduledEvent } from './events';

const probability = z.number().min(0).max(1);

export const dlrChaosSchema = z
  .object({
    duplicate: probability.optional(),
    reorder: probability.optional(),
    late: z.object({ probability, delayMs: durationSchema }).strict().optional(),
    drop: probability.optional(),
    seed: z.number().int().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const exclusive = (c.drop ?? 0) + (c.late?.probability ?? 0) + (c.reorder ?? 0);
    if (exclusive > 1 + 1e-9) {
      ctx.addIssue({
        code: 'custom',
        path: ['drop'],
        message: `drop + late.probability + reorder must not exceed 1 (they exclude one another), got ${exclusive}`,
      });
    }
  });

export type DlrChaosInput = z.input<typeof dlrChaosSchema>;

export interface DlrChaosSettings {
  duplicate: number;
  reorder: number;
  late?: { probability: number; delayMs: number };
  drop: number;
  seed?: number;
}

export const DLR_CHAOS_ACTIONS = ['duplicate', 'reorder', 'late', 'drop'] as const;
export type DlrChaosAction = (typeof DLR_CHAOS_ACTIONS)[number];

/** A scheduled event as chaos leaves it: maybe published more than once, maybe with the time it happened kept. */
export interface ChaoticEvent extends ScheduledEvent {
  /** Publish the same event this many times (default 1). */
  copies?: number;
  /** Milliseconds after acceptance the event happened (its `eventTimestamp`) when it is published at another time. */
  happenedAtMs?: number;
}

export interface DlrChaosStats {
  /** Messages whose events went through chaos while it was set. */
  messages: number;
  duplicate: number;
  reorder: number;
  late: number;
  drop: number;
}

/** Messages whose chaos actions are remembered (for `GET /_sim/chaos`); past this the oldest are forgotten. */
export const MAX_REMEMBERED = 100_000;

/** mulberry32: a small, good-enough seeded PRNG. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const emptyStats = (): DlrChaosStats => ({ messages: 0, duplicate: 0, reorder: 0, late: 0, drop: 0 });

export class DlrChaos {
  private settings: DlrChaosSettings | undefined;
  private random: () => number = Math.random;
  private faultDice: () => number = Math.random;
  private stats: DlrChaosStats = emptyStats();
  /** messageId -> actions applied, insertion-ordered. */
  private readonly applied = new Map<string, DlrChaosAction[]>();

  /** Validates (throws `InvalidInputError` naming the field) and replaces the settings; counters start over. */
  configure(input: unknown): DlrChaosSettings {
    const c = parseOrThrow(dlrChaosSchema, input, 'DLR chaos');
    this.settings = {
      duplicate: c.duplicate ?? 0,
      reorder: c.reorder ?? 0,
      drop: c.drop ?? 0,
      ...(c.late ? { late: { probability: c.late.probability, delayMs: c.late.delayMs } } : {}),
      ...(c.seed !== undefined ? { seed: c.seed } : {}),
    };
    this.random = c.seed !== undefined ? seededRandom(c.seed) : Math.random;
    this.faultDice = c.seed !== undefined ? seededRandom(c.seed + 1) : Math.random;
    this.stats = emptyStats();
    this.applied.clear();
    return { ...this.settings };
  }

  /** Turns chaos off; returns what it did while it was on. */
  clear(): DlrChaosStats {
    const stats = this.stats;
    this.settings = undefined;
    this.faultDice = Math.random;
    this.stats = emptyStats();
    this.applied.clear();
    return stats;
  }

  /** The dice of API faults' probabilities: seeded too while chaos has a seed, so a seeded run repeats its rolls. */
  faultRandom(): number {
    return this.faultDice();
  }

  get active(): boolean {
    return this.settings !== undefined;
  }

  describe(): {
    settings: DlrChaosSettings | null;
    stats: DlrChaosStats;
    messages: { messageId: string; actions: DlrChaosAction[] }[];
  } {
    return {
      settings: this.settings ? { ...this.settings } : null,
      stats: { ...this.stats },
      messages: [...this.applied].map(([messageId, actions]) => ({ messageId, actions })),
    };
  }

  /** The actions applied to one message's events, if any. */
  actionsFor(messageId: string): DlrChaosAction[] {
    return this.applied.get(messageId) ?? [];
  }

  /** The events of one accepted message as chaos leaves them (the input is not changed). */
  apply(messageId: string, schedule: readonly ScheduledEvent[]): ChaoticEvent[] {
    const s = this.settings;
    if (!s) return schedule.map((e) => ({ ...e }));
    this.stats.messages++;
    let events: ChaoticEvent[] = schedule.map((e) => ({ ...e }));
    const actions: DlrChaosAction[] = [];
    const finalIndex = events.findIndex((e) => e.isFinal);

    const roll = this.random();
    if (finalIndex >= 0) {
      const late = s.late?.probability ?? 0;
      if (roll < s.drop) {
        events = events.filter((_, i) => i !== finalIndex);
        actions.push('drop');
      } else if (roll < s.drop + late) {
        events[finalIndex].atMs += s.late!.delayMs;
        actions.push('late');
      } else if (roll < s.drop + late + s.reorder && events.length > 1) {
        const final = events[finalIndex];
        // The final event goes out first; the intermediate ones follow it, each keeping the time it happened.
        events = [
          final,
          ...events
            .filter((_, i) => i !== finalIndex)
            .map((e, k) => ({ ...e, happenedAtMs: e.atMs, atMs: final.atMs + 1 + k })),
        ];
        actions.push('reorder');
      }
    }
    if (s.duplicate > 0 && events.length > 0 && this.random() < s.duplicate) {
      const target = events.find((e) => e.isFinal) ?? events[events.length - 1];
      target.copies = 2;
      actions.push('duplicate');
    }

    for (const a of actions) this.stats[a]++;
    if (actions.length > 0) {
      this.applied.set(messageId, actions);
      if (this.applied.size > MAX_REMEMBERED) this.applied.delete(this.applied.keys().next().value!);
    }
    return events;
  }
}
