/**
 * The opt-out propagation workflow's id, input, signal and query, shared by the workflow, the activities that start it
 * (src/activities/opt-out-signal.ts) and the ingester. One workflow per phone number, `opt-out:<tag>`: the tag is
 * the first 16 hex digits of SHA-256("opt-out" LF number), never the number itself (src/domain/privacy.ts: no
 * personal data in workflow ids or search attributes). The number travels in the input, which the payload codec
 * encrypts when the config has keys.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { sha256Hex } from '../domain/number-tag';
import type { OptOutTarget } from '../domain/opt-out-config';

export const OPT_OUT_WORKFLOW_TYPE = 'optOutPropagation';

export type OptOutKind = 'opt-out' | 'opt-in';

/**
 * Where the system learnt of the change: a send refused with DESTINATION_PHONE_NUMBER_OPTED_OUT, a list that had
 * the number when a message checked it before sending, an inbound keyword (STOP, START), an operator.
 */
export type OptOutSource = 'send-conflict' | 'list-check' | 'inbound-keyword' | 'operator';

export interface OptOutEvent {
  kind: OptOutKind;
  source: OptOutSource;
  /** When it happened (epoch ms): the latest event wins. */
  at: number;
  /** The account x Region it was learnt in, when there is one. */
  account?: string;
  region?: string;
}

export interface OptOutPropagationInput {
  number: string;
  /** Every list to keep in sync (src/domain/opt-out-config.ts `optOutTargets`), as the config had them at start. */
  targets: OptOutTarget[];
  /** Close after this long with nothing left to do. */
  idleCloseMs: number;
  /** The last event applied, carried over a continue-as-new. */
  applied?: OptOutEvent;
}

/** One list's state in the status. */
export interface OptOutTargetStatus extends OptOutTarget {
  /** `done` for the latest event, `pending` while its activity runs or retries, `error` when it cannot be done. */
  state: 'pending' | 'done' | 'error';
  error?: string;
}

export interface OptOutStatus {
  latest?: OptOutEvent;
  applied?: OptOutEvent;
  targets: OptOutTargetStatus[];
}

export const optOutEventSignal = defineSignal<[OptOutEvent]>('optOutEvent');
export const optOutStatusQuery = defineQuery<OptOutStatus>('optOutStatus');

/** The tag of a number in opt-out workflow ids. */
export function optOutTag(number: string): string {
  return sha256Hex(`opt-out\n${number}`).slice(0, 16);
}

export function optOutWorkflowId(number: string): string {
  return `opt-out:${optOutTag(number)}`;
}

/** Which of two events wins: the later one; at the same time an opt-out (the safe side). */
export function newerEvent(current: OptOutEvent | undefined, next: OptOutEvent): boolean {
  if (!current) return true;
  if (next.at !== current.at) return next.at > current.at;
  return next.kind === 'opt-out' && current.kind === 'opt-in';
}
