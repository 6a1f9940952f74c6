/**
 * Signals and queries of the deliverMessage workflow. Imported by the workflow and by clients
 * (the app library, the CLI, the DLR ingester), so both sides agree on names and payloads.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { DlrSignal } from '../domain/delivery-event';
import type { RoutingPlan } from '../domain/plan';
import type { ResolvedMessage, SendRequestInput } from '../domain/resolve';
import type { StatusRecord } from '../domain/status';

export const WORKFLOW_TYPE = 'deliverMessage';

/**
 * What deliverMessage is started with. The request alone (`plan` absent): the worker resolves the plan with its own
 * config through the `resolvePlan` local activity, recorded in the history (./resolve-plan.ts); this is what the
 * typed client, the HTTP API and any other Temporal client send (schemas/deliver-message-input.schema.json).
 * With `plan`: the input as clients before the worker resolved plans started messages (and canaries still do):
 * `request` is then already normalised and the plan is used as given.
 */
export interface StartMessageInput {
  /** The stable idempotency key the workflow id is derived from (`sms:<idempotencyKey>`). */
  idempotencyKey: string;
  request: SendRequestInput | ResolvedMessage['request'];
  plan?: RoutingPlan;
  probe?: boolean;
}

/** The input once the plan is known: given at start, or resolved by the worker. */
export interface DeliverMessageInput extends StartMessageInput {
  request: ResolvedMessage['request'];
  plan: RoutingPlan;
  /**
   * A canary or half-open probe of route health (src/domain/route-health.ts): its outcomes are counted apart
   * and it may use a half-open route. Absent for every message an application sends.
   */
  probe?: boolean;
}

export interface FeedbackSignal {
  /** RECEIVED: the user acted on the message. FAILED: the app knows it did not arrive. */
  status: 'RECEIVED' | 'FAILED';
}

export interface CancelSignal {
  reason?: string;
}

/** A delivery receipt for one of this workflow's attempts (sent by the DLR ingester). */
export const dlrSignal = defineSignal<[DlrSignal]>('dlr');
/** The application's message feedback (the user typed the code, clicked the link). */
export const feedbackSignal = defineSignal<[FeedbackSignal]>('feedback');
/** Stop escalating: nothing more is sent. */
export const cancelSignal = defineSignal<[CancelSignal]>('cancel');
/** The live status record. */
export const statusQuery = defineQuery<StatusRecord>('status');

/** Workflow ids are derived from the idempotency key: one key, one workflow, one send. */
export function workflowIdFor(idempotencyKey: string): string {
  return `sms:${idempotencyKey}`;
}
