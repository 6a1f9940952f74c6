/**
 * One process's view of the SMS pumping guard (docs/pumping.md#process-side), without timers or I/O: the last
 * snapshot of the pumpingGuard workflow, the counts this process made since (sent with the next flush), and the
 * verdict on one message. A message's count is the snapshot's plus this process's admissions the snapshot cannot
 * contain yet (those not in a flush that completed before the snapshot was asked for): exact within the process,
 * one flush + one refresh behind for the others'.
 */
import {
  countKey,
  countKeysOf,
  describeKey,
  scopeKey,
  secondOf,
  velocityBreach,
  windowStart,
  type CountRecord,
  type PumpingSubject,
} from '../domain/pumping';
import type { PumpingConfig } from '../domain/pumping-config';
import type { GuardEntry, PumpingSnapshot, PumpingVerdict } from '../workflows/pumping-definitions';

/** At most this many records wait for a flush (a workflow unreachable for long): the oldest go first, counted. */
const MAX_PENDING = 20_000;

interface LocalAdmission {
  key: string;
  second: number;
  seq: number;
}

export class PumpingLedger {
  private seq = 0;
  private local: LocalAdmission[] = [];
  private pending = new Map<string, CountRecord & { seq: number }>();
  private ackedSeq = 0;
  private snapshot: PumpingSnapshot | undefined;
  private readonly localTrips = new Map<string, GuardEntry>();
  readonly dropped = { records: 0 };

  constructor(private readonly section: PumpingConfig) {}

  private horizonMs(): number {
    const windows = Object.values(this.section.velocity).flatMap((ls) => ls.map((l) => l.window));
    return Math.max(60_000, ...windows);
  }

  /** Messages of `key` (a count key) let through in the window ending now. */
  count(key: string, windowMs: number, nowMs: number): number {
    const from = windowStart(nowMs, windowMs);
    let n = 0;
    for (const [second, admitted] of this.snapshot?.admitted[key] ?? []) if (second >= from) n += admitted;
    for (const a of this.local) if (a.key === key && a.seq > this.ackedSeq && a.second >= from) n++;
    return n;
  }

  private add(key: string, second: number, field: 'admitted' | 'stopped' | 'received'): void {
    const id = `${key}@${second}`;
    const r = this.pending.get(id) ?? { key, second, seq: 0 };
    r[field] = (r[field] ?? 0) + 1;
    r.seq = ++this.seq;
    this.pending.set(id, r);
    if (this.pending.size > MAX_PENDING) {
      const oldest = this.pending.keys().next().value!;
      this.pending.delete(oldest);
      this.dropped.records++;
    }
  }

  /** The snapshot entry (blocked or tripped) of the subject's prefix or country, if any. */
  private entryOf(subject: PumpingSubject, nowMs: number): GuardEntry | undefined {
    const keys = [scopeKey(subject, 'prefix'), scopeKey(subject, 'country')];
    const fromSnapshot = (this.snapshot?.entries ?? []).filter((e) => keys.includes(e.key));
    const blocked = fromSnapshot.find((e) => e.state === 'blocked' && (e.until ?? Infinity) > nowMs);
    if (blocked) return blocked;
    const local = keys.map((k) => this.localTrips.get(k)).find((e) => e && (e.until ?? 0) > nowMs);
    return fromSnapshot.find((e) => e.state === 'tripped') ?? local;
  }

  /** The verdict on one message; with `admit`, it is counted (let through or stopped). */
  check(subject: PumpingSubject, admit: boolean, nowMs: number): PumpingVerdict {
    const entry = this.entryOf(subject, nowMs);
    const tripped = entry ? `${describeKey(entry.key)} ${entry.state}: ${entry.why}` : undefined;
    if (!admit) return { tripped, at: nowMs };
    const watched = this.section.conversion?.useCases.includes(subject.useCase) ?? false;
    const second = secondOf(nowMs);
    if (entry?.state === 'blocked' && watched) {
      this.add(countKey(subject.useCase, entry.key), second, 'stopped');
      const until = entry.until ? ` until ${new Date(entry.until).toISOString()}` : '';
      return { stop: `PUMPING_BLOCKED: ${describeKey(entry.key)} blocked${until} (${entry.why})`, tripped, at: nowMs };
    }
    const limits = this.section.velocity[subject.useCase] ?? [];
    const breach = velocityBreach(limits, subject, (key, windowMs) => this.count(key, windowMs, nowMs));
    if (breach) {
      // A stopped request counts against the key that stopped it: a flood keeps its window full.
      this.add(countKey(subject.useCase, breach.key), second, 'stopped');
      this.local.push({ key: countKey(subject.useCase, breach.key), second, seq: this.seq });
      if (!breach.key.startsWith('number:')) {
        this.localTrips.set(breach.key, {
          key: breach.key,
          state: 'tripped',
          why: breach.reason,
          since: nowMs,
          until: nowMs + breach.limit.window,
        });
      }
      return { stop: breach.reason, tripped: tripped ?? `${describeKey(breach.key)}: ${breach.reason}`, at: nowMs };
    }
    for (const key of countKeysOf(subject)) {
      this.add(key, second, 'admitted');
      this.local.push({ key, second, seq: this.seq });
    }
    return { tripped, at: nowMs };
  }

  /** Feedback RECEIVED for a message let through at `admittedAt`. */
  received(subject: PumpingSubject, admittedAt: number): void {
    for (const key of countKeysOf(subject))
      if (!key.includes('|number:')) this.add(key, secondOf(admittedAt), 'received');
  }

  /** The records to flush (taken out; put back with `restore` when the flush fails). */
  drain(): { counts: CountRecord[]; seq: number } | undefined {
    if (this.pending.size === 0) return undefined;
    const records = [...this.pending.values()];
    this.pending.clear();
    const seq = Math.max(...records.map((r) => r.seq));
    return { counts: records.map(({ seq: _s, ...r }) => r), seq };
  }

  restore(batch: { counts: CountRecord[]; seq: number }): void {
    for (const r of batch.counts) {
      const id = `${r.key}@${r.second}`;
      const cur = this.pending.get(id);
      this.pending.set(id, {
        key: r.key,
        second: r.second,
        seq: Math.max(cur?.seq ?? 0, batch.seq),
        admitted: (cur?.admitted ?? 0) + (r.admitted ?? 0),
        stopped: (cur?.stopped ?? 0) + (r.stopped ?? 0),
        received: (cur?.received ?? 0) + (r.received ?? 0),
      });
    }
  }

  /**
   * A snapshot arrived; `appliedSeq` is the seq of this process's newest batch the workflow had applied (the
   * snapshot's `applied[source]`): its admissions up to there are in the snapshot, the later ones only here.
   */
  snapshotArrived(snapshot: PumpingSnapshot, appliedSeq: number, nowMs: number): void {
    this.snapshot = snapshot;
    this.ackedSeq = appliedSeq;
    const from = windowStart(nowMs, this.horizonMs());
    this.local = this.local.filter((a) => a.seq > this.ackedSeq && a.second >= from);
    for (const [k, e] of this.localTrips) if ((e.until ?? 0) <= nowMs) this.localTrips.delete(k);
  }

  current(): PumpingSnapshot | undefined {
    return this.snapshot;
  }
}
