/**
 * Each process's copy of the routeHealth workflow's `snapshot` query (the keys that are not closed), refreshed
 * every `refreshInterval`. A failed refresh keeps the last good snapshot (its age is logged and readable) and
 * logs: the first failure at warn, the rest at debug. When the workflow does not exist yet (no observation was
 * ever flushed) the snapshot is empty: every key closed. The refresh never throws into the worker.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Config } from '../domain/config';
import type { RouteHealthSnapshot } from '../domain/route-health';
import { healthSnapshotQuery, routeHealthWorkflowId } from '../workflows/route-health-definitions';
import { errorText } from './flusher';
import type { HealthLog } from './log';
import type { RouteHealthMetrics } from './metrics';
import type { RouteHealthClient } from './signal';

export interface SnapshotCacheOptions {
  config: Config;
  client: RouteHealthClient;
  intervalMs: number;
  log: HealthLog;
  metrics?: RouteHealthMetrics;
  /** Deadline of one query, ms. Default 5 000. */
  timeoutMs?: number;
  now?: () => number;
}

export interface CachedSnapshot {
  snapshot: RouteHealthSnapshot;
  /** Epoch ms this process received it. */
  fetchedAt: number;
}

function isNotFound(err: unknown): boolean {
  return err instanceof WorkflowNotFoundError || (err instanceof Error && err.name === 'WorkflowNotFoundError');
}

/** The query's answer, checked: a snapshot with entries, each with a key, condition and since. */
export function checkedSnapshot(value: unknown): RouteHealthSnapshot {
  const s = value as Partial<RouteHealthSnapshot> | null;
  if (!s || typeof s !== 'object' || typeof s.at !== 'number' || !Array.isArray(s.entries)) {
    throw new Error('the snapshot query answered something that is not a snapshot ({ at, entries })');
  }
  for (const e of s.entries) {
    if (!e || typeof e.key !== 'string' || typeof e.condition !== 'string' || typeof e.since !== 'number') {
      throw new Error('the snapshot query answered an entry without key, condition or since');
    }
  }
  return s as RouteHealthSnapshot;
}

export class SnapshotCache {
  private last: CachedSnapshot | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private firstDone: Promise<void> | undefined;
  private failingSince: number | undefined;
  private stopped = false;
  private readonly now: () => number;
  readonly stats = { refreshed: 0, failed: 0 };

  constructor(private readonly opts: SnapshotCacheOptions) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.firstDone = this.refresh();
    const tick = () => {
      this.timer = setTimeout(() => {
        void this.refresh().finally(() => {
          if (!this.stopped) tick();
        });
      }, this.opts.intervalMs);
      this.timer.unref?.();
    };
    tick();
  }

  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    return this.running ?? Promise.resolve();
  }

  /** The last good snapshot, if any, and how old it is. */
  current(): (CachedSnapshot & { ageMs: number }) | undefined {
    return this.last && { ...this.last, ageMs: this.now() - this.last.fetchedAt };
  }

  /** Resolves once the first refresh has ended or `ms` have passed, whichever comes first. */
  async ready(ms: number): Promise<void> {
    if (this.last || !this.firstDone) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.firstDone, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }

  /** One query (never rejects); refreshes run one at a time. */
  refresh(): Promise<void> {
    this.running ??= this.refreshOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async refreshOnce(): Promise<void> {
    const { client, config, log } = this.opts;
    const handle = client.workflow.getHandle(routeHealthWorkflowId(config.temporal.taskQueue));
    const call = () => handle.query(healthSnapshotQuery);
    try {
      let snapshot: RouteHealthSnapshot;
      try {
        const deadline = Date.now() + (this.opts.timeoutMs ?? 5_000);
        snapshot = checkedSnapshot(await (client.withDeadline ? client.withDeadline(deadline, call) : call()));
      } catch (err) {
        if (!isNotFound(err)) throw err;
        snapshot = { at: this.now(), entries: [] }; // no routeHealth workflow yet: nothing is unhealthy
      }
      this.last = { snapshot, fetchedAt: this.now() };
      this.stats.refreshed++;
      this.opts.metrics?.showStates(new Map(snapshot.entries.map((e) => [e.key, e.condition])));
      if (this.failingSince !== undefined) {
        log('info', 'route health: snapshot refreshed again', { failedForMs: this.now() - this.failingSince });
        this.failingSince = undefined;
      }
    } catch (err) {
      this.stats.failed++;
      const fields = { error: errorText(err), lastGoodAgeMs: this.current()?.ageMs ?? null };
      if (this.failingSince === undefined) {
        this.failingSince = this.now();
        log('warn', 'route health: cannot refresh the snapshot; messages read the last good one', fields);
      } else {
        log('debug', 'route health: snapshot refresh failed again', fields);
      }
    }
  }
}
