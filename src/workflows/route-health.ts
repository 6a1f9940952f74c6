/**
 * routeHealth: one workflow per task queue (id `route-health:<taskQueue>`) holding the breakers and drains every
 * message of the deployment shares. Processes signal batches of counts, the ingester AWS Health events, operators
 * drain and undrain through updates; messages read the `snapshot` query through their process's cache. Time moves
 * the state on a timer (cooldowns, drain expiry, receipts becoming overdue). Every change is logged, the keys that
 * are not closed are in the current details (Web UI), and a key that opens or is drained wakes the messages
 * waiting on it (activity `wakeMessagesOnRoute`). It runs on the deployment's shared-state task queue and continues
 * as new, with its state, onto that queue (./shared-state-queue.ts) before its history grows long. The design and its
 * limits: docs/route-health.md. Deterministic code only.
 */
import {
  allHandlersFinished,
  condition,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { RouteHealthActivities } from '../activities/route-health';
import {
  awsHealthEventSignal,
  drainUpdate,
  healthSnapshotQuery,
  observationsSignal,
  routesQuery,
  undrainUpdate,
  type AwsHealthEventSignal,
  type DrainRequest,
  type ObservationBatch,
  type UndrainRequest,
} from './route-health-definitions';
import type { RouteHealthWorkflowConfig, RouteHealthWorkflowInput } from './route-health-input';
import { breakerConfigOf, RouteHealthState, type Change } from './route-health-state';
import { continueOnSharedStateQueue } from './shared-state-queue';

const { wakeMessagesOnRoute } = proxyActivities<RouteHealthActivities>({
  startToCloseTimeout: '2m',
  retry: { maximumAttempts: 3, initialInterval: '2s' },
});

/** Continue-as-new past this many history events, unless the input says otherwise. */
const DEFAULT_MAX_HISTORY_EVENTS = 4000;
const HEALTH_STATUSES = new Set(['open', 'closed', 'upcoming']);

export async function routeHealth(input: RouteHealthWorkflowInput): Promise<void> {
  const config = (
    typeof input?.config === 'object' && input.config !== null ? input.config : {}
  ) as Partial<RouteHealthWorkflowConfig>;
  const state = new RouteHealthState(breakerConfigOf(config), input?.carried);
  for (const note of state.restoreNotes) log.warn('route health: carried state', { note });
  const maxEvents = positive(config.maxHistoryEvents) ?? DEFAULT_MAX_HISTORY_EVENTS;
  const wakes: string[] = [];
  const running = new Set<Promise<void>>();

  const applied = (changes: Change[]) => {
    for (const c of changes) {
      log.info(`route health: ${c.key} ${c.from} → ${c.to}`, {
        key: c.key,
        what: c.what,
        from: c.from,
        to: c.to,
        why: c.why,
      });
      if (c.wake && config.wakeWaiting !== false && !wakes.includes(c.key)) wakes.push(c.key);
    }
    if (changes.length > 0) setCurrentDetails(state.details(Date.now()));
  };
  installHandlers(state, applied);

  const longHistory = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= maxEvents;
  setCurrentDetails(state.details(Date.now()));
  while (!longHistory()) {
    applied(state.tick(Date.now()));
    startWakes(wakes.splice(0), state, config, running);
    const due = state.nextDue(Date.now());
    const wakeUp = () => wakes.length > 0 || longHistory() || earlier(state.nextDue(Date.now()), due);
    if (due === undefined) await condition(wakeUp);
    else await condition(wakeUp, due - Date.now());
  }
  // Wake-ups queued by the last changes still run in this run: the next one would not know of them.
  while (wakes.length > 0 || running.size > 0) {
    startWakes(wakes.splice(0), state, config, running);
    await Promise.all(running);
  }
  await condition(allHandlersFinished);
  log.info('route health: continuing as new', { historyLength: workflowInfo().historyLength });
  await continueOnSharedStateQueue<typeof routeHealth>({ config: input.config, carried: state.serialize() });
}

function installHandlers(state: RouteHealthState, applied: (changes: Change[]) => void): void {
  setHandler(observationsSignal, (batch) => applied(observe(state, batch)));
  setHandler(awsHealthEventSignal, (ev) => applied(healthEvent(state, ev)));
  setHandler(
    drainUpdate,
    (req) => {
      const change = state.drain(req, Date.now());
      applied([change]);
      return state.view(req.key, Date.now());
    },
    {
      validator: (req: DrainRequest) => {
        const problem = state.drainProblem(req);
        if (problem) throw new Error(problem);
      },
    },
  );
  setHandler(
    undrainUpdate,
    (req) => {
      applied([state.undrain(req, Date.now())]);
      return state.view(req.key, Date.now());
    },
    {
      validator: (req: UndrainRequest) => {
        const problem = state.undrainProblem(req);
        if (problem) throw new Error(problem);
      },
    },
  );
  setHandler(routesQuery, () => state.views(Date.now()));
  setHandler(healthSnapshotQuery, () => state.snapshot(Date.now()));
}

/** A batch of counts: bad records are logged (never silently dropped) and the rest applied. Never throws. */
function observe(state: RouteHealthState, batch: ObservationBatch): Change[] {
  const source = typeof batch?.source === 'string' ? batch.source.slice(0, 200) : 'unknown';
  if (!Array.isArray(batch?.counts)) {
    log.warn('route health: observations without a counts list ignored', { source });
    return [];
  }
  const latencies =
    typeof batch.receiptLatencyMs === 'object' && batch.receiptLatencyMs !== null ? batch.receiptLatencyMs : undefined;
  const { transitions, rejected } = state.breakers.record(batch.counts, latencies, Date.now(), batch.processingLagMs);
  if (rejected.length > 0) {
    log.warn('route health: observations refused', {
      source,
      refused: rejected.length,
      examples: rejected.slice(0, 5),
    });
  }
  return state.fromTransitions(transitions);
}

function healthEvent(state: RouteHealthState, ev: AwsHealthEventSignal): Change[] {
  const ok =
    typeof ev === 'object' &&
    ev !== null &&
    typeof ev.eventArn === 'string' &&
    ev.eventArn !== '' &&
    typeof ev.region === 'string' &&
    /^[a-z0-9-]{1,40}$/.test(ev.region) &&
    typeof ev.eventTypeCode === 'string' &&
    HEALTH_STATUSES.has(ev.statusCode);
  if (!ok) {
    log.warn('route health: malformed AWS Health event ignored', { event: JSON.stringify(ev)?.slice(0, 300) });
    return [];
  }
  const at = typeof ev.at === 'number' ? ev.at : Date.now();
  const { transitions, note } = state.breakers.healthEvent({ ...ev, at }, Date.now());
  log.info('route health: AWS Health event', { eventArn: ev.eventArn, region: ev.region, status: ev.statusCode, note });
  return state.fromTransitions(transitions);
}

/** Starts a wake-up per key, not awaited: the loop goes on; continue-as-new waits for them. */
function startWakes(
  keys: string[],
  state: RouteHealthState,
  config: Partial<RouteHealthWorkflowConfig>,
  running: Set<Promise<void>>,
): void {
  for (const key of keys) {
    const entry = state.entry(key, Date.now());
    if (!entry) continue; // closed again meanwhile
    const p = wakeMessagesOnRoute({
      key,
      entry,
      routes: Array.isArray(config.routes) ? config.routes : undefined,
      taskQueue: typeof config.taskQueue === 'string' ? config.taskQueue : undefined,
      max: positive(config.maxWake),
    }).then(
      (r) => log.info('route health: woke messages', { key, ...r }),
      (err: unknown) => log.warn('route health: waking messages failed', { key, error: String(err) }),
    );
    running.add(p);
    void p.finally(() => running.delete(p));
  }
}

function earlier(a: number | undefined, b: number | undefined): boolean {
  return a !== undefined && (b === undefined || a < b);
}

function positive(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}
