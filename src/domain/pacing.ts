/**
 * Pacing (docs/pacing.md): every SMS originator has a rate in message parts per second (MPS) that End User Messaging
 * enforces by throttling. With the config's `pacing` section on, each SMS rung carries its originator's MPS, and its
 * send runs on the originator's own activity task queue, which every worker polls with a server-side dispatch rate
 * (`maxTaskQueueActivitiesPerSecond`) below that MPS: the Temporal server paces the sends of all workers together.
 * Pure: safe in workflow code, and imported by it (no zod here: its schema is in ./config.ts; every workflow run
 * would instantiate zod's module again, about 1 MB of workflow-thread heap per cached message).
 */
import type { OriginatorType } from './config-base';

/**
 * AWS's published MPS per originator type, for originators without their own `mps` (source: AWS End User Messaging
 * SMS User Guide, "What are the Message Parts per Second (MPS) limits",
 * https://docs.aws.amazon.com/sms-voice/latest/userguide/sms-limitations-mps.html): a US or Canadian short code
 * 100 MPS; a US 10DLC number 1 MPS by default (more only after an MPS increase request); a US toll-free number 3 MPS;
 * a dedicated long code 1 MPS in Canada and 10 MPS in other countries (we take the lower, 1); a sender ID 10 MPS.
 * `shared` (AWS's shared routes, no dedicated originator) has no published figure: 1, the lowest, until configured.
 * An originator's real limit is on its "Messaging limits" tab (DescribePhoneNumbers / DescribeSenderIds
 * `MessagingLimits.RateLimits`); set `mps` to it.
 */
export const DEFAULT_MPS: Record<OriginatorType, number> = {
  'short-code': 100,
  '10dlc': 1,
  'toll-free': 3,
  'long-code': 1,
  'sender-id': 10,
  shared: 1,
};

/** The MPS of an originator: its own `mps`, else its type's published default. */
export function originatorMps(o: { type: OriginatorType; mps?: number }): number {
  return o.mps ?? DEFAULT_MPS[o.type];
}

/**
 * The dispatch rate the workers ask the server for, so that the sends of an originator of `mps` stay within it.
 * The server's task-queue limiter (Temporal Server 1.32, the matcher's "GCRA" limiter with a one-second burst) lets
 * a queue that was idle take one second's worth of tasks plus one at once, then one task every 1/rate s: at most
 * rate x (W + 1) + 1 tasks in any W seconds. End User Messaging's bucket (and the simulator's) holds one second of
 * MPS. So, from 2 MPS:
 * - rate + 1 <= mps: the opening burst never exceeds what a full bucket of the originator allows;
 * - 6 x rate + 1 <= 5.5 x mps: no 5 s window has more than 110 % of the MPS (the benchmark's target);
 * and never below half the MPS. Below 2 MPS the opening burst is one task, and the second comes 1/rate - 1 s later:
 * rate = mps / (mps + 1.1) keeps that gap 10 % above the bucket's refill time (1/mps), e.g. 0.476 for 1 MPS.
 */
export function dispatchRate(mps: number): number {
  if (mps < 2) return Math.floor((mps / (mps + 1.1)) * 1000) / 1000;
  const rate = Math.min(mps - 1, (5.5 * mps - 1) / 6);
  return Math.max(mps / 2, Math.floor(rate * 1000) / 1000);
}

/**
 * The most of `times` (ms, any order) in any window of `windowMs` (a window holds the times t with start <= t <
 * start + windowMs): how the benchmark and the end-to-end test read an originator's sends in the simulator's log
 * against the 5 s target above (at most 1.1 x MPS x 5).
 */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < t.length; end++) {
    while (t[end] - t[start] >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** What identifies one originator's bucket at AWS: the account, the Region and the origination identity. */
export interface PacedOriginator {
  account: string;
  region: string;
  originator: string;
}

/** The activity task queue of one originator's sends: `<taskQueue>/send/<account>/<region>/<identity>`. */
export function pacedTaskQueue(taskQueue: string, o: PacedOriginator): string {
  return `${taskQueue}/send/${o.account}/${o.region}/${o.originator}`;
}

/** Temporal priority keys (1 goes first; 3 is the server's default), by the use case's `priority`. */
export const PRIORITY_KEYS = { high: 1, normal: 3, low: 5 } as const;
export type PriorityName = keyof typeof PRIORITY_KEYS;

/**
 * The priority of the fleet's shared-state workflows (routeHealth, pumpingGuard), set where processes and operators
 * start them. They run on a task queue of their own (./shared-state.ts), where no message task is ahead of them; a run
 * still on the main queue (started by an earlier release, until its next continue-as-new) has its workflow tasks (the
 * batches every process signals each second) overtake a burst of messages waiting for a worker.
 */
export const SHARED_STATE_PRIORITY = { priorityKey: PRIORITY_KEYS.high } as const;

/** A use case's priority: its policy's, else `high` for one-time passwords (the `otp` use case), else `normal`. */
export function priorityOf(useCase: string, configured: PriorityName | undefined): PriorityName {
  return configured ?? (useCase === 'otp' ? 'high' : 'normal');
}
