/**
 * "Has the breaker opened?", behind one function (`readBreaker`): the game day asks the `routeHealth` workflow of
 * the stack's task queue for its `routes` query (src/workflows/route-health-definitions.ts) and reads one key's
 * state. A stack without that workflow (route health off, or a build without it) answers `n/a`, never an error: the
 * figures that need the breaker are then reported as n/a. To read the Prometheus gauge `rsms_route_state` instead,
 * replace `readBreaker` alone; the watcher and the analysis only see `BreakerReading`s.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { BreakerState } from '../domain/route-health';
import { sleep } from '../tools/service-process';
import { routeHealthWorkflowId, routesQuery, type RouteView } from '../workflows/route-health-definitions';

/** One key's state at one moment; `n/a`: no routeHealth workflow answers; `unknown`: this read failed. */
export type BreakerReading = BreakerState | 'drained' | 'n/a' | 'unknown';

/** A reading and when it was taken (epoch ms). */
export interface BreakerSample {
  at: number;
  state: BreakerReading;
}

/** Messages in the errors of a workflow that exists but does not know the query (an older build). */
const NO_SUCH_QUERY = /query.*(not (found|registered|defined)|unknown)|did not register a handler/i;

/** The state of `key` as the routeHealth workflow of `taskQueue` sees it (a key it does not list is closed). */
export async function readBreaker(
  temporal: Client,
  taskQueue: string,
  key: string,
  timeoutMs = 2_000,
): Promise<BreakerReading> {
  let views: RouteView[];
  try {
    const handle = temporal.workflow.getHandle(routeHealthWorkflowId(taskQueue));
    views = await temporal.withDeadline(Date.now() + timeoutMs, () => handle.query(routesQuery));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || NO_SUCH_QUERY.test((err as Error).message ?? '')) return 'n/a';
    return 'unknown';
  }
  const view = views.find((v) => v.key === key);
  if (!view) return 'closed';
  return view.condition === 'drained' ? 'drained' : view.state;
}

/** Is this reading an open breaker (or one past open: half-open follows only an open)? */
export function isOpen(state: BreakerReading): boolean {
  return state === 'open' || state === 'half-open' || state === 'drained';
}

/**
 * Reads `key` every `everyMs` until `stop()` is called; keeps the samples where the state changed (and the first).
 * `read` is `readBreaker` bound to a stack (a parameter so that tests can feed states).
 */
export function watchBreaker(read: () => Promise<BreakerReading>, everyMs: number) {
  const samples: BreakerSample[] = [];
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const state = await read();
      const last = samples[samples.length - 1];
      if (state !== 'unknown' && (!last || last.state !== state)) samples.push({ at: Date.now(), state });
      if (!stopped) await sleep(everyMs);
    }
  })();
  return {
    samples,
    async stop(): Promise<BreakerSample[]> {
      stopped = true;
      await done;
      return samples;
    },
  };
}

/** Waits until `key` is neither open nor half-open (or route health is n/a), at most `timeoutMs`; the last reading. */
export async function waitUntilClosed(
  read: () => Promise<BreakerReading>,
  timeoutMs: number,
  everyMs = 500,
): Promise<BreakerReading> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const state = await read();
    if (state === 'closed' || state === 'n/a' || Date.now() >= until) return state;
    await sleep(everyMs);
  }
}
