/**
 * Every `flushInterval`, when the aggregator (./aggregator.ts) has something, one `observations` signal (with
 * start) to the routeHealth workflow: one signal per process per interval, whatever the message rate. A failed
 * flush puts the batch back (merged into the next one, within the aggregator's bounds) and logs: the first
 * failure of an outage at warn, the rest at debug, the recovery at info. It never throws into the worker.
 * Flushes never overlap: a slow signal delays the next one.
 *
 * With a backlog probe (./backlog.ts), each batch's processing lag is at least the age of the message workflows'
 * task backlog, and a backlog of a second or more is sent on its own (a batch of no counts) when nothing else was
 * counted: the workers are behind by that much, whatever the messages they got to could tell.
 */
import type { Config } from '../domain/config';
import { observationsSignal } from '../workflows/route-health-definitions';
import type { ObservationAggregator } from './aggregator';
import type { BacklogAgeProbe } from './backlog';
import type { RouteHealthMetrics } from './metrics';
import { signalRouteHealth, type RouteHealthClient } from './signal';
import type { HealthLog } from './log';

export interface FlusherOptions {
  config: Config;
  client: RouteHealthClient;
  aggregator: ObservationAggregator;
  /** `worker@host:pid`. */
  source: string;
  intervalMs: number;
  log: HealthLog;
  metrics?: RouteHealthMetrics;
  /** Deadline of one signal, ms. Default 10 000. */
  timeoutMs?: number;
  /** The message workflows' task backlog age, ms (./backlog.ts); none: the messages' own lag only. */
  backlogAge?: BacklogAgeProbe;
}

/** A backlog this old is worth a batch of its own. */
export const LAG_ONLY_BATCH_FROM_MS = 1000;

export class ObservationFlusher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private failingSince: number | undefined;
  private stopped = false;
  readonly stats = { sent: 0, failed: 0 };

  constructor(private readonly opts: FlusherOptions) {}

  start(): void {
    if (this.timer || this.stopped) return;
    const tick = () => {
      this.timer = setTimeout(() => {
        void this.flush().finally(() => {
          if (!this.stopped) tick();
        });
      }, this.opts.intervalMs);
      this.timer.unref?.();
    };
    tick();
  }

  /** Sends what was aggregated, if anything; resolves when done (never rejects). */
  flush(): Promise<void> {
    this.running ??= this.flushOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the timer and makes a last flush. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.flush();
  }

  private async flushOnce(): Promise<void> {
    const { aggregator, log } = this.opts;
    const backlogMs = this.opts.backlogAge ? await this.opts.backlogAge() : undefined;
    let batch = aggregator.drain(this.opts.source);
    if (!batch && backlogMs !== undefined && backlogMs >= LAG_ONLY_BATCH_FROM_MS) {
      batch = { source: this.opts.source, counts: [] };
    }
    if (!batch) return;
    if (backlogMs !== undefined && backlogMs > (batch.processingLagMs ?? 0)) batch.processingLagMs = backlogMs;
    try {
      await signalRouteHealth(this.opts.client, this.opts.config, observationsSignal, batch, this.opts.timeoutMs);
      this.stats.sent++;
      this.opts.metrics?.flush('sent');
      if (this.failingSince !== undefined) {
        log('info', 'route health: observations flushed again', {
          failedForMs: Date.now() - this.failingSince,
          keys: batch.counts.length,
        });
        this.failingSince = undefined;
      }
    } catch (err) {
      aggregator.restore(batch);
      this.stats.failed++;
      this.opts.metrics?.flush('failed');
      const fields = { keys: batch.counts.length, error: errorText(err), dropped: { ...aggregator.dropped } };
      if (this.failingSince === undefined) {
        this.failingSince = Date.now();
        log(
          'warn',
          'route health: cannot send observations to the routeHealth workflow; kept for the next flush',
          fields,
        );
      } else {
        log('debug', 'route health: observations still not sent', fields);
      }
    }
  }
}

export function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
