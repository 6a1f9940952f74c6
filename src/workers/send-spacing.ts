/**
 * The last step of pacing inside one worker process (docs/pacing.md, "Smoothing in the process"): the Temporal server
 * hands out an originator's slots at its dispatch rate for all workers together, but a process that stalls after
 * taking some (CPU starvation, a long GC pause) would send them at once, and AWS's bucket of one second of MPS throttles
 * the bunch. Each paced Worker therefore lets its sends through no closer together than `1000 / mps` ms: in steady
 * state (dispatch rate below the MPS) it never waits, and after a stall it releases the backlog at the MPS instead of
 * in one burst. First come, first served: slots reach the process in the server's priority order already.
 */

export interface SpacingClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

const realClock: SpacingClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class SendSpacing {
  /** The earliest time (epoch ms) the next send may go. */
  private next = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly clock: SpacingClock = realClock,
  ) {
    if (!(intervalMs >= 0) || !Number.isFinite(intervalMs)) {
      throw new Error(`send spacing: interval must be a finite number of ms >= 0, got ${intervalMs}`);
    }
  }

  /** Resolves when this send may go; reserves its turn at once, so callers are spaced in the order they called. */
  async turn(): Promise<void> {
    const now = this.clock.now();
    const at = Math.max(now, this.next);
    this.next = at + this.intervalMs;
    if (at > now) await this.clock.sleep(at - now);
  }
}

/** `fn`, each call waiting for its turn on `spacing` first. */
export function spaced<A extends unknown[], R>(fn: (...args: A) => Promise<R>, spacing: SendSpacing) {
  return async (...args: A): Promise<R> => {
    await spacing.turn();
    return fn(...args);
  };
}
