/**
 * The pumpingGuard workflow's state, without Temporal calls (unit-tested alone): the per-second counts every process
 * reports, the conversion watch's blocks, the snapshot processes cache and the view operators read, and what
 * continue-as-new carries. The time is passed in.
 */
import { ConversionWatch, conversionOf, watchedKeys, type Block } from '../domain/conversion-watch';
import { describeKey, isCountKey, secondOf, SlidingCounts, windowStart, type CountRecord } from '../domain/pumping';
import type {
  GuardEntry,
  PumpingGuardConfig,
  PumpingKeyView,
  PumpingSnapshot,
  PumpingView,
} from './pumping-definitions';

/** A record more than this far ahead of the workflow's clock is refused (a process with a wrong clock). */
const MAX_AHEAD_S = 300;
const MAX_KEYS = 50_000;
const MAX_COUNT = 1_000_000;

export interface RecordResult {
  rejected: string[];
}

function validCount(v: unknown): boolean {
  return v === undefined || (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_COUNT);
}

export class PumpingGuardState {
  readonly counts = new SlidingCounts(MAX_KEYS);
  readonly watch: ConversionWatch | undefined;
  readonly restoreNotes: string[] = [];
  /** Per process, the seq of its newest batch applied and when (sources quiet for an hour are forgotten). */
  readonly applied = new Map<string, { seq: number; at: number }>();

  constructor(
    readonly config: PumpingGuardConfig,
    carried?: unknown,
  ) {
    this.watch = config.conversion ? new ConversionWatch(config.conversion) : undefined;
    if (carried !== undefined) this.restore(carried);
  }

  /** The longest window anything looks at, ms. */
  horizonMs(): number {
    const windows = Object.values(this.config.velocity).flatMap((ls) => ls.map((l) => l.window));
    if (this.config.conversion) windows.push(this.config.conversion.window);
    return Math.max(60_000, ...windows);
  }

  /** Why a record cannot be counted, or undefined. */
  problem(r: unknown, nowMs: number): string | undefined {
    const c = r as Partial<CountRecord> | null;
    if (!c || typeof c !== 'object') return 'not an object';
    if (!isCountKey(c.key)) return `bad key ${JSON.stringify(c.key)?.slice(0, 80)}`;
    if (typeof c.second !== 'number' || !Number.isInteger(c.second)) return `${c.key}: second must be an integer`;
    if (c.second > secondOf(nowMs) + MAX_AHEAD_S) return `${c.key}: second ${c.second} is ahead of the clock`;
    if (!validCount(c.admitted) || !validCount(c.stopped) || !validCount(c.received)) {
      return `${c.key}: counts must be integers 0…${MAX_COUNT}`;
    }
    return undefined;
  }

  /** A batch from `source` with counts up to `seq` was applied. */
  noteApplied(source: string, seq: unknown, nowMs: number): void {
    if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0) return;
    const prev = this.applied.get(source)?.seq ?? 0;
    this.applied.set(source, { seq: Math.max(prev, seq), at: nowMs });
    if (this.applied.size > 1_000) {
      for (const [s, a] of this.applied) if (a.at < nowMs - 3_600_000) this.applied.delete(s);
    }
  }

  /** Adds a batch's records; returns the ones refused, each with why. */
  record(records: unknown[], nowMs: number): RecordResult {
    const rejected: string[] = [];
    const oldest = windowStart(nowMs, this.horizonMs());
    for (const r of records) {
      const problem = this.problem(r, nowMs);
      if (problem) rejected.push(problem);
      else if ((r as CountRecord).second < oldest)
        continue; // older than anything looks at: nothing to count
      else if (!this.counts.add(r as CountRecord)) rejected.push(`${(r as CountRecord).key}: too many keys`);
    }
    return { rejected };
  }

  /** Moves time on: prunes old counts, ends expired blocks and starts new ones. */
  tick(nowMs: number): { started: Block[]; ended: Block[] } {
    this.counts.prune(windowStart(nowMs, this.horizonMs()));
    if (!this.watch) return { started: [], ended: [] };
    const ended = this.watch.expire(nowMs);
    return { started: this.watch.evaluate(this.counts, nowMs), ended };
  }

  /** When the workflow should look again (an undecided send becomes decided, a block ends). */
  nextDue(nowMs: number): number | undefined {
    if (!this.watch) return undefined;
    const times = [...this.watch.blocks.values()].map((b) => b.until);
    const decision = this.watch.nextDecision(this.counts, nowMs);
    if (decision !== undefined) times.push(decision);
    return times.length === 0 ? undefined : Math.min(...times);
  }

  /** Keys whose velocity limit stopped a message within that use case's longest window. */
  private tripped(nowMs: number): GuardEntry[] {
    const out = new Map<string, GuardEntry>();
    for (const [useCase, limits] of Object.entries(this.config.velocity)) {
      const window = Math.max(...limits.map((l) => l.window));
      for (const k of this.counts.keyList()) {
        if (!k.startsWith(`${useCase}|`)) continue;
        const key = k.slice(useCase.length + 1);
        if (key.startsWith('number:')) continue; // one number is not a prefix or a country under attack
        const newest = this.counts.newest(k, 'stopped');
        if (newest === undefined || newest < windowStart(nowMs, window)) continue;
        const stopped = this.counts.sum(k, 'stopped', windowStart(nowMs, window), secondOf(nowMs));
        const prev = out.get(key);
        if (prev && prev.since >= newest * 1000) continue;
        out.set(key, {
          key,
          state: 'tripped',
          why: `velocity limit stopped ${stopped} ${useCase} message(s) to ${describeKey(key)} in the last ${Math.round(window / 1000)}s`,
          since: newest * 1000,
        });
      }
    }
    return [...out.values()];
  }

  entries(nowMs: number): GuardEntry[] {
    const blocked: GuardEntry[] = [...(this.watch?.blocks.values() ?? [])]
      .filter((b) => b.until > nowMs)
      .map((b) => ({ key: b.key, state: 'blocked', why: b.why, since: b.since, until: b.until }));
    const blockedKeys = new Set(blocked.map((b) => b.key));
    return [...blocked, ...this.tripped(nowMs).filter((t) => !blockedKeys.has(t.key))];
  }

  snapshot(nowMs: number): PumpingSnapshot {
    const admitted: Record<string, [number, number][]> = {};
    const from = windowStart(nowMs, this.horizonMs());
    for (const r of this.counts.records()) {
      const requests = (r.admitted ?? 0) + (r.stopped ?? 0); // what the velocity limits count
      if (!requests || r.second < from) continue;
      (admitted[r.key] ??= []).push([r.second, requests]);
    }
    const applied = Object.fromEntries([...this.applied].map(([source, a]) => [source, a.seq]));
    return { at: nowMs, admitted, entries: this.entries(nowMs), applied };
  }

  view(nowMs: number): PumpingView {
    const entries = new Map(this.entries(nowMs).map((e) => [e.key, e]));
    const cfg = this.config.conversion;
    const keys = new Set([...entries.keys(), ...(cfg ? watchedKeys(this.counts.keyList(), cfg) : [])]);
    const views: PumpingKeyView[] = [...keys].sort().map((key) => {
      // A blocked key shows the sends it was blocked for; others only those that can still block it.
      const ignore = entries.get(key)?.state === 'blocked' ? 0 : (this.watch?.ignoreBefore.get(key) ?? 0);
      const c = cfg ? conversionOf(this.counts, key, cfg, nowMs, ignore) : { sends: 0, received: 0 };
      const from = windowStart(nowMs, this.horizonMs());
      const stopped = this.counts
        .keyList()
        .filter((k) => k.endsWith(`|${key}`))
        .reduce((n, k) => n + this.counts.sum(k, 'stopped', from, secondOf(nowMs)), 0);
      return { ...entries.get(key), key, sends: c.sends, received: c.received, stopped };
    });
    return { at: nowMs, blocks: [...(this.watch?.blocks.values() ?? [])], keys: views };
  }

  serialize(): unknown {
    return {
      v: 1,
      counts: this.counts.records(),
      blocks: [...(this.watch?.blocks.values() ?? [])],
      ignoreBefore: [...(this.watch?.ignoreBefore.entries() ?? [])],
      applied: [...this.applied],
    };
  }

  private restore(carried: unknown): void {
    const c = carried as {
      v?: unknown;
      counts?: unknown;
      blocks?: unknown;
      ignoreBefore?: unknown;
      applied?: unknown;
    } | null;
    if (!c || typeof c !== 'object' || c.v !== 1) {
      this.restoreNotes.push('carried state of an unknown version dropped');
      return;
    }
    if (Array.isArray(c.counts)) {
      for (const r of c.counts as unknown[]) {
        if (this.problem(r, Number.MAX_SAFE_INTEGER) === undefined) this.counts.add(r as CountRecord);
      }
    }
    if (Array.isArray(c.applied)) {
      for (const e of c.applied as unknown[]) {
        const [source, a] = Array.isArray(e) ? (e as [unknown, { seq?: unknown; at?: unknown }]) : [];
        if (typeof source === 'string' && typeof a?.seq === 'number' && typeof a.at === 'number') {
          this.applied.set(source, { seq: a.seq, at: a.at });
        }
      }
    }
    if (!this.watch) return;
    if (Array.isArray(c.blocks)) {
      for (const b of c.blocks as Block[]) {
        if (b && typeof b.key === 'string' && typeof b.until === 'number' && typeof b.since === 'number') {
          this.watch.blocks.set(b.key, { key: b.key, since: b.since, until: b.until, why: String(b.why), by: b.by });
        } else this.restoreNotes.push('a malformed carried block dropped');
      }
    }
    if (Array.isArray(c.ignoreBefore)) {
      for (const e of c.ignoreBefore as unknown[]) {
        if (Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'number') {
          this.watch.ignoreBefore.set(e[0], e[1]);
        }
      }
    }
  }
}
