/**
 * The end of a chaos run: wait until every started message has a final state (or the drain deadline passes), then
 * read each one's outcome: its status record, or why there is none.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { StatusRecord } from '../domain/status';
import { sleep } from '../tools/service-process';
import { statusQuery } from '../workflows/definitions';
import type { deliverMessage } from '../workflows/deliver-message';
import type { ChaosMessage, MessageOutcome } from './analyze';
import { fmtS, type ChaosContext } from './context';

export interface Drained {
  /** Workflows still running at the drain deadline. */
  pending: Set<string>;
  /** How each closed workflow ended (`COMPLETED`, `FAILED`, … or `NOT_FOUND`). */
  closedStatus: Map<string, string>;
  /** Last start -> every message final (or the drain deadline), wall clock. */
  drainWallMs: number;
}

/** Asks each pending workflow how it stands (8 at a time); removes the closed ones. */
async function describePending(temporal: Client, pending: Set<string>, closedStatus: Map<string, string>) {
  await mapLimit([...pending], 8, async (id) => {
    try {
      const d = await temporal.workflow.getHandle(id).describe();
      if (d.status.name !== 'RUNNING') {
        pending.delete(id);
        closedStatus.set(id, d.status.name);
      }
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        pending.delete(id);
        closedStatus.set(id, 'NOT_FOUND');
      } // else: Temporal busy or restarting; ask again
    }
  });
}

/** Until every message has a final state or the drain deadline passes. */
export async function drain(ctx: ChaosContext, messages: ChaosMessage[], lastStartAt: number): Promise<Drained> {
  const { o, temporal, log } = ctx;
  const drainDeadline = lastStartAt + (o.drainTimeoutMs ?? o.deadlineMs + 60_000);
  const pending = new Set(messages.filter((m) => m.startedAt !== undefined).map((m) => m.workflowId));
  const closedStatus = new Map<string, string>();
  let lastProgress = 0;
  // Cheap first: the visibility count of this run's running workflows; then each message, authoritative.
  while (pending.size > 0 && Date.now() < drainDeadline) {
    let visible: number | undefined;
    try {
      visible = (await temporal.workflow.count(ctx.runningQuery)).count;
    } catch {
      visible = undefined; // Temporal busy or restarting: ask each message instead
    }
    if (visible !== undefined && visible > 0) {
      if (Date.now() - lastProgress > 10_000) {
        lastProgress = Date.now();
        log(`[chaos] draining: ${visible} in progress`);
      }
      await sleep(1_000);
      continue;
    }
    await describePending(temporal, pending, closedStatus);
    if (pending.size > 0) await sleep(1_000);
  }
  const drainWallMs = Date.now() - lastStartAt;
  log(`[chaos] drained in ${fmtS(drainWallMs)} (${pending.size} still in progress); reading every outcome`);
  return { pending, closedStatus, drainWallMs };
}

/** Sets the outcome of every started message. */
export async function collectOutcomes(temporal: Client, messages: ChaosMessage[], drained: Drained): Promise<void> {
  const started = messages.filter((m) => m.startedAt !== undefined);
  await mapLimit(started, 8, async (m) => {
    const running = drained.pending.has(m.workflowId);
    m.outcome = await outcomeOf(temporal, m.workflowId, running, drained.closedStatus.get(m.workflowId));
  });
}

/** Final record, or why there is none. */
async function outcomeOf(
  temporal: Client,
  workflowId: string,
  running: boolean,
  closedAs: string | undefined,
): Promise<MessageOutcome> {
  const handle = temporal.workflow.getHandle<typeof deliverMessage>(workflowId);
  for (let tries = 0; ; tries++) {
    try {
      if (running) {
        // No worker may be answering queries: do not wait long.
        const record = await temporal
          .withDeadline(Date.now() + 5_000, () => handle.query(statusQuery))
          .catch(() => undefined);
        return { kind: 'running', ...(record ? { record } : {}) };
      }
      if (closedAs === 'NOT_FOUND') return { kind: 'lost', why: 'workflow not found' };
      if (closedAs !== 'COMPLETED') return { kind: 'lost', why: `workflow ${closedAs ?? 'state unknown'}` };
      const record: StatusRecord = await handle.result();
      return { kind: 'final', record };
    } catch (err) {
      if (tries >= 5) return { kind: 'lost', why: `cannot read the result: ${(err as Error).message}` };
      await sleep(1_000);
    }
  }
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (i < items.length) await fn(items[i++]);
    }),
  );
}
