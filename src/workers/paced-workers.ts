/**
 * The paced send workers of one worker process (docs/pacing.md): with the config's `pacing` section on, one
 * activity-only Worker per SMS originator, on the process's connection, polling the originator's task queue
 * (`<taskQueue>/send/<account>/<region>/<identity>`) with `maxTaskQueueActivitiesPerSecond` set to the originator's
 * dispatch rate. The Temporal server enforces that rate for the task queue whatever the number of workers polling
 * it, so the sends of every worker process together stay within the originator's MPS. Within the process, each
 * Worker's sends are spaced at the MPS (./send-spacing.ts), so slots taken before a stall do not leave in one burst.
 */
import { Worker, type WorkerOptions } from '@temporalio/worker';
import type { Config } from '../domain/config';
import { dispatchRate, originatorMps, pacedTaskQueue, type PacedOriginator } from '../domain/pacing';
import { SendSpacing, spaced } from './send-spacing';

export interface PacedOriginatorRate extends PacedOriginator {
  mps: number;
  /** What the workers ask the server for (dispatchRate of the MPS). */
  rate: number;
  taskQueue: string;
}

/**
 * Every SMS originator of the config once (by account x Region x identity), with its MPS; an originator listed for
 * several countries with different `mps` gets the lowest, the safe side of AWS's one limit per originator.
 */
export function pacedOriginators(config: Config, taskQueue: string): PacedOriginatorRate[] {
  if (!config.pacing?.enabled) return [];
  const routes = new Map(config.routes.map((r) => [r.id, r]));
  const byQueue = new Map<string, PacedOriginatorRate>();
  for (const list of Object.values(config.originators)) {
    for (const o of list) {
      const route = routes.get(o.route)!;
      const key = { account: route.account, region: route.region, originator: o.identity };
      const queue = pacedTaskQueue(taskQueue, key);
      const mps = Math.min(originatorMps(o), byQueue.get(queue)?.mps ?? Infinity);
      byQueue.set(queue, { ...key, mps, rate: dispatchRate(mps), taskQueue: queue });
    }
  }
  return [...byQueue.values()];
}

/** The Worker options they share with the process's main worker (connection, namespace, converter, activities). */
export type PacedWorkerBase = Pick<
  WorkerOptions,
  'connection' | 'namespace' | 'dataConverter' | 'activities' | 'interceptors'
>;

/** The activities of one paced Worker: its `sendSms` spaced at the originator's MPS within this process. */
export function pacedActivities(
  activities: NonNullable<WorkerOptions['activities']>,
  mps: number,
): NonNullable<WorkerOptions['activities']> {
  const sendSms = (activities as Record<string, unknown>).sendSms;
  if (typeof sendSms !== 'function') return activities;
  return {
    ...activities,
    sendSms: spaced(sendSms as (...a: unknown[]) => Promise<unknown>, new SendSpacing(1000 / mps)),
  };
}

/**
 * The sends one paced Worker runs at once: one second of MPS, plus one. A slot is what lets the SDK take a task from
 * the server; with the default (100) a process that stalls keeps taking its originator's tasks, which then wait in it
 * (their 30 s to send running) while the other processes idle, and leave together. With few slots the waiting tasks
 * stay on the server, in priority order, for whichever process is free. A send takes far less than a second, so one
 * second of MPS in flight is more than the rate needs.
 */
export function pacedSlots(mps: number): number {
  return Math.ceil(mps) + 1;
}

/** One activity-only Worker per paced originator of the config. */
export async function createPacedWorkers(config: Config, taskQueue: string, base: PacedWorkerBase): Promise<Worker[]> {
  const workers: Worker[] = [];
  for (const o of pacedOriginators(config, taskQueue)) {
    workers.push(
      await Worker.create({
        ...base,
        ...(base.activities ? { activities: pacedActivities(base.activities, o.mps) } : {}),
        taskQueue: o.taskQueue,
        maxTaskQueueActivitiesPerSecond: o.rate,
        maxConcurrentActivityTaskExecutions: pacedSlots(o.mps),
      }),
    );
  }
  return workers;
}
