/**
 * The ingester's stop switch: the loops check `stopping`, pending SQS calls are aborted through `signal`, and every
 * backoff sleep ends at once when the switch is thrown.
 */
export class Shutdown {
  private stopped = false;
  private readonly controller = new AbortController();
  private readonly wakers = new Set<() => void>();

  get stopping(): boolean {
    return this.stopped;
  }

  /** Aborted when the ingester stops: passed to the calls that may wait long (long poll, queue inspection). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Resolves after `ms`, or as soon as the ingester stops. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  /** Throws the switch; false when it was already thrown. */
  stop(): boolean {
    if (this.stopped) return false;
    this.stopped = true;
    this.controller.abort();
    for (const wake of [...this.wakers]) wake();
    return true;
  }
}
