/**
 * The conversion watch of the SMS pumping guard (docs/pumping.md#conversion-watch), pure: for the watched use cases
 * (one-time passwords), sends vs. feedback RECEIVED per prefix (and per country when asked), over the sends of the
 * last `window` that are older than `feedbackWait` (their users had time to confirm). When the share that converted
 * falls below `threshold` with at least `minVolume` such sends, the key is blocked for `blockFor`. Counts from before
 * a block began (or before an operator's unblock) never count again, so a key is not blocked twice for the same sends.
 */
import type { ConversionWatchConfig } from './pumping-config';
import { countKey, describeKey, secondOf, type SlidingCounts } from './pumping';

export interface Block {
  /** `prefix:+4470` or `country:GB`. */
  key: string;
  since: number;
  until: number;
  why: string;
  /** Who unblocked or blocked by hand (absent: the watch). */
  by?: string;
}

export interface Conversion {
  sends: number;
  received: number;
}

/** Sends and RECEIVED of `key` (a scope key) over the watched use cases, in the decided part of the window. */
export function conversionOf(
  counts: SlidingCounts,
  key: string,
  cfg: ConversionWatchConfig,
  nowMs: number,
  ignoreBefore = 0,
): Conversion {
  const to = secondOf(nowMs - cfg.feedbackWait);
  const from = Math.max(secondOf(nowMs - cfg.window) + 1, ignoreBefore);
  let sends = 0;
  let received = 0;
  for (const useCase of cfg.useCases) {
    sends += counts.sum(countKey(useCase, key), 'admitted', from, to);
    received += counts.sum(countKey(useCase, key), 'received', from, to);
  }
  return { sends, received: Math.min(received, sends) };
}

/** Does this conversion block its key? */
export function belowThreshold(c: Conversion, cfg: ConversionWatchConfig): boolean {
  return c.sends >= cfg.minVolume && c.received / c.sends < cfg.threshold;
}

/** The scope keys the watch looks at, from the count keys present (`otp|prefix:+4470` → `prefix:+4470`). */
export function watchedKeys(countKeys: readonly string[], cfg: ConversionWatchConfig): string[] {
  const useCases = new Set(cfg.useCases);
  const out = new Set<string>();
  for (const k of countKeys) {
    const bar = k.indexOf('|');
    if (!useCases.has(k.slice(0, bar))) continue;
    const key = k.slice(bar + 1);
    if (key.startsWith('prefix:') || (cfg.countries && key.startsWith('country:'))) out.add(key);
  }
  return [...out].sort();
}

function percent(c: Conversion): string {
  return `${Math.round((c.received / c.sends) * 1000) / 10}%`;
}

/** Blocks, and the second before which each key's counts are ignored. */
export class ConversionWatch {
  readonly blocks = new Map<string, Block>();
  readonly ignoreBefore = new Map<string, number>();

  constructor(private readonly cfg: ConversionWatchConfig) {}

  /** Drops expired blocks (returned, for the log). */
  expire(nowMs: number): Block[] {
    const gone: Block[] = [];
    for (const [key, b] of this.blocks) {
      if (b.until <= nowMs) {
        this.blocks.delete(key);
        gone.push(b);
      }
    }
    return gone;
  }

  /** Checks every watched key; returns the blocks it started. */
  evaluate(counts: SlidingCounts, nowMs: number): Block[] {
    this.expire(nowMs);
    const started: Block[] = [];
    for (const key of watchedKeys(counts.keyList(), this.cfg)) {
      if (this.blocks.has(key)) continue;
      const c = conversionOf(counts, key, this.cfg, nowMs, this.ignoreBefore.get(key) ?? 0);
      if (!belowThreshold(c, this.cfg)) continue;
      const block: Block = {
        key,
        since: nowMs,
        until: nowMs + this.cfg.blockFor,
        why:
          `conversion ${percent(c)} (${c.received} RECEIVED of ${c.sends} sends) below ` +
          `${Math.round(this.cfg.threshold * 1000) / 10}% for ${describeKey(key)}`,
      };
      this.blocks.set(key, block);
      this.ignoreBefore.set(key, secondOf(nowMs) + 1);
      started.push(block);
    }
    return started;
  }

  /** An operator's unblock: the block ends now and the sends before it never count again. */
  unblock(key: string, nowMs: number): Block | undefined {
    const b = this.blocks.get(key);
    if (!b) return undefined;
    this.blocks.delete(key);
    this.ignoreBefore.set(key, secondOf(nowMs) + 1);
    return b;
  }

  /** When the next evaluation could change something: the oldest undecided second of sends becomes decided. */
  nextDecision(counts: SlidingCounts, nowMs: number): number | undefined {
    const decidedTo = secondOf(nowMs - this.cfg.feedbackWait);
    let next: number | undefined;
    for (const key of watchedKeys(counts.keyList(), this.cfg)) {
      if (this.blocks.has(key)) continue;
      for (const useCase of this.cfg.useCases) {
        const first = counts.firstAfter(countKey(useCase, key), 'admitted', decidedTo);
        if (first === undefined) continue;
        const at = first * 1000 + this.cfg.feedbackWait;
        if (next === undefined || at < next) next = at;
      }
    }
    return next;
  }
}
