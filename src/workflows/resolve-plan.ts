/**
 * A message started with the request alone (`plan` absent from its input): before anything else, the worker
 * resolves the routing plan with its own config through the `resolvePlan` local activity. The result is recorded in
 * the history as a marker, so a replay, and a message in flight, never see a later config change. A request the
 * worker cannot resolve (unknown use case, invalid number, no route for the country, ...) ends the message at once
 * FAILED, the reason and `invalidRequest` naming each field: nothing was sent, nothing is retried. Inputs that carry
 * their plan (older clients, canaries) skip all of this and issue exactly the commands they always did.
 */
import {
  isCancellation,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { describePlan, startAttributes } from '../domain/plan-summary';
import type { PlanRejection, PlanResolution, ResolvePlan } from '../domain/plan-resolution';
import { maskPhone } from '../domain/privacy';
import { SMS_STATUS } from '../domain/search-attributes';
import type { MessageStatus, StatusRecord } from '../domain/status';
import { statusQuery, type DeliverMessageInput, type StartMessageInput } from './definitions';

// Pure and fast on the worker; a few tries cover a worker stopping mid-call. An invalid request is a result, not an
// error, so it is never retried.
const { resolvePlan } = proxyLocalActivities<{ resolvePlan: ResolvePlan }>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 3, initialInterval: '1s' },
});

/** The input of a message, or the final record of one whose request could not be resolved. */
export type Planned = { input: DeliverMessageInput } | { ended: StatusRecord };

/** Did the client send the plan (the input shape before the worker resolved plans)? */
export function hasPlan(input: StartMessageInput): input is DeliverMessageInput {
  return typeof input === 'object' && input !== null && input.plan !== undefined;
}

/** Resolves the plan of a request-only input (see the file's header). */
export async function resolveInput(started: StartMessageInput): Promise<Planned> {
  const input: Partial<StartMessageInput> = typeof started === 'object' && started !== null ? started : {};
  const record = firstRecord(input, workflowInfo().workflowId, Date.now());
  setHandler(statusQuery, () => record);
  setCurrentDetails('resolving the routing plan');
  let resolution: PlanResolution;
  try {
    resolution = await resolvePlan({ idempotencyKey: input.idempotencyKey, request: input.request });
  } catch (err) {
    if (isCancellation(err)) return { ended: end(record, 'CANCELLED', 'cancelled before the plan was resolved') };
    const why = `the worker could not resolve the routing plan: ${(err as Error).message}`;
    return { ended: end(record, 'FAILED', why) };
  }
  if ('rejected' in resolution) return { ended: rejected(record, resolution.rejected) };
  const { request, plan } = resolution.resolved;
  upsertSearchAttributes(startAttributes(plan));
  setCurrentDetails(describePlan(plan));
  return {
    input: { idempotencyKey: input.idempotencyKey!, request, plan, ...(input.probe === true ? { probe: true } : {}) },
  };
}

/** What the status query answers while the plan is resolved: no country, use case or attempt known yet. */
function firstRecord(input: Partial<StartMessageInput>, workflowId: string, now: number): StatusRecord {
  const request: Record<string, unknown> =
    typeof input.request === 'object' && input.request !== null ? input.request : {};
  const destination = typeof request.destination === 'string' ? request.destination.trim() : '';
  return {
    workflowId,
    idempotencyKey: typeof input.idempotencyKey === 'string' ? input.idempotencyKey : '',
    useCase: typeof request.useCase === 'string' ? request.useCase : '',
    country: '',
    // Masked only when it looks like a number: anything else may be personal data in another form.
    destination: /^\+?\d+$/.test(destination) ? maskPhone(destination) : '',
    status: 'IN_PROGRESS',
    reason: 'resolving the routing plan',
    attempts: [],
    skipped: [],
    needlessAttempts: [],
    duplicateEvents: 0,
    unmatchedEvents: 0,
    startedAt: now,
  };
}

function rejected(record: StatusRecord, rejection: PlanRejection): StatusRecord {
  record.invalidRequest = rejection.issues;
  return end(record, 'FAILED', `request rejected, nothing was sent: ${rejection.message}`);
}

function end(record: StatusRecord, status: MessageStatus, reason: string): StatusRecord {
  record.status = status;
  record.reason = reason;
  record.finishedAt = Date.now();
  upsertSearchAttributes([{ key: SMS_STATUS, value: status }]);
  setCurrentDetails(`${status}: ${reason}`);
  return record;
}
