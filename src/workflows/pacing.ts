/**
 * Pacing in the workflow (docs/pacing.md): a rung that carries its originator's MPS (plan field `mps`, only in plans
 * resolved with the config's `pacing` section on) sends on the originator's own activity task queue, where the
 * server hands out one send at a time at the originator's rate across all workers. The wait for that slot counts
 * against the step: the send may wait at most what is left of the step (its schedule-to-start timeout), and the
 * receipt wait after it is shortened by the time spent waiting. Rungs without `mps` send exactly as before.
 */
import { type ActivityOptions, TimeoutFailure, workflowInfo } from '@temporalio/workflow';
import { failure, type ClassifiedFailure } from '../domain/outcome';
import { pacedTaskQueue } from '../domain/pacing';
import type { RoutingPlan, Rung } from '../domain/plan';

/** A paced send's wait for its slot is never shorter than this, even at the very end of a step. */
const MIN_SLOT_WAIT_MS = 1_000;

/** Reason of an attempt whose send got no slot on its originator within the step: nothing was sent. */
export const PACING_TIMEOUT = 'PACING_TIMEOUT';

/** The send options of a rung: the originator's task queue, the slot wait and the use case's priority when paced. */
export function pacedSendOptions(
  rung: Rung,
  plan: RoutingPlan,
  options: ActivityOptions,
  stepLeftMs: number | undefined,
): ActivityOptions {
  if (rung.mps === undefined || stepLeftMs === undefined) return options;
  return {
    ...options,
    taskQueue: pacedTaskQueue(workflowInfo().taskQueue, rung),
    scheduleToStartTimeout: Math.max(MIN_SLOT_WAIT_MS, Math.floor(stepLeftMs)),
    ...(plan.policy.priorityKey !== undefined ? { priority: { priorityKey: plan.policy.priorityKey } } : {}),
  };
}

/**
 * A paced send that found no slot before its schedule-to-start timeout: it never started, so nothing was sent (not
 * ambiguous); the originator is full for this message's step, so the ladder moves to the next originator.
 */
export function pacingFailureOf(cause: unknown, rung: Rung | undefined): ClassifiedFailure | undefined {
  if (!(cause instanceof TimeoutFailure) || cause.timeoutType !== 'SCHEDULE_TO_START') return undefined;
  const where = rung ? ` ${rung.originator} (${rung.mps} MPS)` : '';
  return failure('originator', PACING_TIMEOUT, `no send slot on originator${where} within the step: nothing sent`);
}

/** The receipt wait of an attempt on a paced rung: what is left of the step after waiting for the slot. */
export function waitAfterSlot(rung: Rung, waitMs: number, startedAt: number, now: number): number {
  if (rung.mps === undefined) return waitMs;
  return Math.max(0, waitMs - (now - startedAt));
}
