/**
 * The lease of a batch: keeps its held messages (still pending, or handled and waiting for their delete) invisible
 * while the batch takes long (a Temporal outage, a slow signal), so SQS does not hand them to another receiver.
 */
import type { DlrQueue, Entry } from './dlr-queue';

export interface Lease {
  /** On the first sign of an outage: extend right away, then keep extending. */
  activate(): Promise<void>;
  stop(): void;
}

export function startLease(queue: DlrQueue, entries: Entry[], leaseSeconds: number): Lease {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const held = () => entries.filter((e) => e.outcome === 'pending' || e.outcome === 'delete');
  const extend = async (): Promise<void> => {
    if (stopped) return;
    await queue.changeVisibility(held(), leaseSeconds, 'lease');
  };
  const schedule = (ms: number): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      void extend().finally(() => {
        if (!stopped) schedule((leaseSeconds * 1000) / 3);
      });
    }, ms);
  };
  // The first extension comes early (a queue's visibility timeout may be short), then every lease/3.
  schedule(Math.min((leaseSeconds * 1000) / 3, 5_000, ((queue.visibilitySeconds ?? 30) * 1000) / 2));
  let activated = false;
  return {
    async activate(): Promise<void> {
      if (activated || stopped) return;
      activated = true;
      await extend();
      schedule((leaseSeconds * 1000) / 3);
    },
    stop(): void {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
