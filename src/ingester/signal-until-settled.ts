/**
 * Signalling one queue message's payload to its workflow until it is settled, for the ingester's side queues (AWS
 * Health events, two-way SMS replies): signalled → delete; the workflow is gone or the call is refused → keep it
 * for the redrive; Temporal unavailable → hold the message (lease) and retry with backoff, released at shutdown.
 */
import type { Entry } from './dlr-queue';
import type { Lease } from './lease';
import { errorSummary } from './log';
import type { IngesterContext } from './options';
import { classifySignalError } from './signal-errors';

export interface SignalTarget {
  /** What is signalled, for the logs: "AWS Health event". */
  what: string;
  /** Where to: "the routeHealth workflow". */
  to: string;
  /** The signal call (with its timeout). */
  send: () => Promise<void>;
  /** Counts one signalled message. */
  onSignalled: () => void;
}

/** Retry state of one queue loop: when the current Temporal outage began (one warning per outage). */
export interface OutageState {
  outageSince: number | undefined;
}

export async function signalUntilSettled(
  ctx: Pick<IngesterContext, 'log' | 'settings' | 'stats' | 'shutdown'>,
  outage: OutageState,
  entry: Entry,
  lease: Lease,
  target: SignalTarget,
  fields: Record<string, unknown>,
): Promise<void> {
  const { log, settings } = ctx;
  let delay = settings.signalBackoff.initialMs;
  for (;;) {
    try {
      await target.send();
      target.onSignalled();
      entry.outcome = 'delete';
      outage.outageSince = undefined;
      log('info', `${target.what} signalled to ${target.to}`, fields);
      return;
    } catch (err) {
      const kind = classifySignalError(err);
      if (kind !== 'transient' || ctx.shutdown.stopping) {
        entry.outcome = kind === 'transient' ? 'release' : 'keep';
        ctx.stats.signalFailures += kind === 'transient' ? 0 : 1;
        log(kind === 'transient' ? 'info' : 'error', `${target.what} not signalled; left on the queue`, {
          ...fields,
          error: errorSummary(err),
        });
        return;
      }
      ctx.stats.transientErrors++;
      if (outage.outageSince === undefined) {
        outage.outageSince = Date.now();
        log('warn', `Temporal unavailable: holding the ${target.what} and retrying`, {
          ...fields,
          error: errorSummary(err),
        });
      }
      await lease.activate();
      await ctx.shutdown.sleep(delay);
      delay = Math.min(delay * 2, settings.signalBackoff.maxMs);
    }
  }
}
