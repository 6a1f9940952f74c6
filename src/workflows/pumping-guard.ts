/**
 * pumpingGuard: one workflow per task queue (id `pumping-guard:<taskQueue>`) holding the SMS pumping guard's counts
 * and blocks for every message of the deployment, as routeHealth does for breakers: processes signal batches of
 * per-second counts (`pumpingCounts`), read the `pumpingSnapshot` query into a cache, and messages are checked
 * against that cache through a local activity. A timer moves the conversion watch on (a send's feedback wait ends,
 * a block ends). Every block is logged and counted (`rsms_pumping_blocks_total`); operators unblock with an update.
 * It runs on the deployment's shared-state task queue and continues as new, with its state, onto that queue
 * (./shared-state-queue.ts) before its history grows long. Design and limits: docs/pumping.md.
 */
import {
  allHandlersFinished,
  condition,
  log,
  metricMeter,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Block } from '../domain/conversion-watch';
import {
  pumpingCountsSignal,
  pumpingSnapshotQuery,
  pumpingViewQuery,
  unblockUpdate,
  type PumpingBatch,
  type PumpingGuardInput,
  type UnblockRequest,
} from './pumping-definitions';
import { PumpingGuardState } from './pumping-guard-state';
import { continueOnSharedStateQueue } from './shared-state-queue';

const DEFAULT_MAX_HISTORY_EVENTS = 4000;
/** Evaluations are batched onto whole seconds of this size: fewer timers, a block a few seconds later at most. */
const TICK_MS = 2_000;

export async function pumpingGuard(input: PumpingGuardInput): Promise<void> {
  const config = typeof input?.config === 'object' && input.config !== null ? input.config : { velocity: {} };
  const state = new PumpingGuardState({ ...config, velocity: config.velocity ?? {} }, input?.carried);
  for (const note of state.restoreNotes) log.warn('pumping guard: carried state', { note });
  const maxEvents = config.maxHistoryEvents ?? DEFAULT_MAX_HISTORY_EVENTS;
  let dirty = false;

  const blocked = (blocks: Block[]) => {
    for (const b of blocks) {
      log.warn(`pumping guard: ${b.key} blocked`, { key: b.key, why: b.why, until: new Date(b.until).toISOString() });
      metricMeter.createCounter('rsms_pumping_blocks_total', undefined, 'Keys blocked by the conversion watch').add(1, {
        scope: b.key.slice(0, b.key.indexOf(':')),
      });
    }
  };
  setHandler(pumpingCountsSignal, (batch: PumpingBatch) => {
    const source = typeof batch?.source === 'string' ? batch.source.slice(0, 200) : 'unknown';
    if (!Array.isArray(batch?.counts)) {
      log.warn('pumping guard: a batch without a counts list ignored', { source });
      return;
    }
    const { rejected } = state.record(batch.counts, Date.now());
    state.noteApplied(source, batch.seq, Date.now());
    if (rejected.length > 0) {
      log.warn('pumping guard: counts refused', { source, refused: rejected.length, examples: rejected.slice(0, 5) });
    }
    dirty = true;
  });
  setHandler(pumpingSnapshotQuery, () => state.snapshot(Date.now()));
  setHandler(pumpingViewQuery, () => state.view(Date.now()));
  setHandler(
    unblockUpdate,
    (req: UnblockRequest) => {
      const b = state.watch!.unblock(req.key, Date.now())!;
      log.info(`pumping guard: ${req.key} unblocked`, { key: req.key, by: req.by, why: b.why });
      dirty = true;
      return b;
    },
    {
      validator: (req: UnblockRequest) => {
        if (typeof req?.key !== 'string' || typeof req.by !== 'string') throw new Error('unblock needs { key, by }');
        if (!state.watch?.blocks.has(req.key)) throw new Error(`${req.key} is not blocked`);
      },
    },
  );

  const longHistory = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= maxEvents;
  while (!longHistory()) {
    dirty = false;
    const { started, ended } = state.tick(Date.now());
    blocked(started);
    for (const b of ended) log.info(`pumping guard: ${b.key} block ended`, { key: b.key });
    setCurrentDetails(details(state));
    const due = state.nextDue(Date.now());
    const wake = () => dirty || longHistory();
    if (due === undefined) await condition(wake);
    else await condition(wake, Math.max(TICK_MS, Math.ceil((due - Date.now()) / TICK_MS) * TICK_MS));
  }
  await condition(allHandlersFinished);
  log.info('pumping guard: continuing as new', { historyLength: workflowInfo().historyLength });
  await continueOnSharedStateQueue<typeof pumpingGuard>({ config: input.config, carried: state.serialize() });
}

/** The Web UI's current details: the keys held back. */
function details(state: PumpingGuardState): string {
  const entries = state.entries(Date.now());
  if (entries.length === 0) return 'pumping guard: nothing blocked or tripped';
  const rows = entries.map((e) => `| ${e.key} | ${e.state} | ${e.why.replace(/\|/g, '/')} |`);
  return ['| key | state | why |', '| --- | --- | --- |', ...rows].join('\n');
}
