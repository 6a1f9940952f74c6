/**
 * What this ingester already signalled, so that a flood of receipts for one message costs that message nothing but
 * a counter: an exact duplicate of a receipt already signalled, or a further final receipt for an attempt whose final
 * receipt was already signalled (same attempt, message id and numbers, on the same queue), would change nothing in
 * the workflow (the first final receipt stands), so it is acknowledged without a signal: counted
 * (`duplicatesDropped`, `rsms_dlrs_total{result="duplicate"}`) and logged. Bounded: the oldest entries are forgotten
 * first, and a forgotten receipt is simply signalled again.
 */
import type { DlrSignal } from '../domain/delivery-event';
import { statusClass } from '../domain/outcome';

/** A final receipt the workflow settles an attempt with (a final receipt of an unknown status does not settle it). */
const settles = (s: DlrSignal): boolean => s.isFinal && statusClass(s.status) !== 'intermediate';

export const SIGNALLED_CACHE_SIZE = 10_000;

export class SignalledCache {
  /** Key -> how many receipts were dropped against it so far. */
  private readonly entries = new Map<string, number>();

  constructor(private readonly capacity = SIGNALLED_CACHE_SIZE) {}

  private static attemptKey(workflowId: string, s: DlrSignal): string {
    return [workflowId, s.attempt, s.messageId, s.destinationTag ?? '', s.originationTag ?? ''].join('\u0000');
  }

  private static keysOf(workflowId: string, s: DlrSignal): { exact: string; final: string } {
    const attempt = SignalledCache.attemptKey(workflowId, s);
    return {
      exact: [attempt, s.eventType, s.status, s.eventTimestamp, s.isFinal].join('\u0000'),
      final: `${attempt}\u0000final`,
    };
  }

  /**
   * How many receipts were dropped before this one when it need not be signalled (it is counted now), or undefined
   * when it must be signalled.
   */
  dropCount(workflowId: string, s: DlrSignal): number | undefined {
    const { exact, final } = SignalledCache.keysOf(workflowId, s);
    const key = this.entries.has(exact) ? exact : settles(s) && this.entries.has(final) ? final : undefined;
    if (key === undefined) return undefined;
    const dropped = this.entries.get(key)!;
    this.entries.set(key, dropped + 1);
    return dropped;
  }

  /**
   * The receipt is being signalled: from now on its duplicates are dropped (also those handled concurrently, in the
   * same batch). Returns the keys added, to `forget` should the signal not succeed.
   */
  remember(workflowId: string, s: DlrSignal): string[] {
    const { exact, final } = SignalledCache.keysOf(workflowId, s);
    return [exact, ...(settles(s) ? [final] : [])].filter((key) => this.add(key));
  }

  /** The signal did not succeed: the receipt stays on the queue, and its redelivery must be signalled. */
  forget(keys: string[]): void {
    for (const key of keys) this.entries.delete(key);
  }

  private add(key: string): boolean {
    if (this.entries.has(key)) return false;
    this.entries.set(key, 0);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return true;
  }
}
