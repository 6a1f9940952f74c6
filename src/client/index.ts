/**
 * The typed client library for applications: send a message (idempotently), record the user's
 * feedback, read the status, cancel, and wait for the outcome. Every input is validated against the
 * config before anything reaches Temporal.
 */
import { createHash } from 'node:crypto';
import {
  Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import type { Config } from '../domain/config';
import { InvalidInputError } from '../domain/errors';
import { resolveMessage, type SendRequestInput } from '../domain/resolve';
import { smsParts, type SmsParts } from '../domain/sms-parts';
import type { RoutingPlan } from '../domain/plan';
import { requestDifferences } from '../domain/request-diff';
import { progressAttributes, SMS_ATTEMPTS, SMS_COUNTRY, SMS_STATUS, SMS_USE_CASE } from '../domain/search-attributes';
import type { StatusRecord } from '../domain/status';
import {
  cancelSignal,
  feedbackSignal,
  statusQuery,
  workflowIdFor,
  WORKFLOW_TYPE,
  type DeliverMessageInput,
} from '../workflows/definitions';
import type { deliverMessage } from '../workflows/deliver-message';
import { IdempotencyConflictError, MessageEndedError, MessageNotFoundError } from './errors';
import { closedRecord, messageRefs, recordFromInput, type MessageRef } from './lifecycle';
import { waitForMessage, type DeliveryOutcome, type WaitOptions } from './wait';

export { IdempotencyConflictError, MessageEndedError, MessageNotFoundError } from './errors';
export { reachedUser, type DeliveryOutcome, type WaitOptions, type WaitUntil } from './wait';

/** How long the status query may take to replay a closed workflow before the record is read from its input. */
const REPLAY_QUERY_MS = 5_000;

type Handle = WorkflowHandle<typeof deliverMessage>;

export interface SendResult {
  idempotencyKey: string;
  workflowId: string;
  /**
   * false when a workflow for this key already existed (running or closed) for the same request: nothing new was
   * sent. The same key with a different request throws IdempotencyConflictError.
   */
  started: boolean;
  /** How AWS will send the SMS body: encoding, size and message parts (each part is billed). */
  smsParts: SmsParts;
}

/**
 * A key derived from what makes a message the same message: use case, destination and body.
 * The same request sent twice therefore sends once.
 */
export function deriveIdempotencyKey(useCase: string, destination: string, body: string): string {
  const digest = createHash('sha256').update(`${useCase}\u0000${destination}\u0000${body}`).digest('hex');
  return `auto-${digest.slice(0, 32)}`;
}

/** The ladder as the Web UI's static details show it (Markdown, no personal data). */
export function describePlan(plan: RoutingPlan): string {
  const p = plan.policy;
  const lines = plan.rungs.map(
    (r, i) =>
      `${i + 1}. ${r.channel} · ${r.level} · ${r.account}/${r.region} · ${r.originatorType} \`${r.originator}\``,
  );
  return [
    `**${p.useCase}** to ${plan.country}: success on ${p.success}, ${Math.round(p.stepWaitMs / 1000)}s per step, deadline ${Math.round(p.deadlineMs / 1000)}s`,
    '',
    ...lines,
  ].join('\n');
}

export class ResilientSmsClient {
  readonly taskQueue: string;

  constructor(
    private readonly config: Config,
    readonly temporal: Client,
    options: { taskQueue?: string } = {},
  ) {
    this.taskQueue = options.taskQueue ?? config.temporal.taskQueue;
  }

  /**
   * Validate, plan, and start the message's workflow, or join the existing one for the same key. Without
   * `useCase`, the config's first policy (as the HTTP API and the CLI do).
   */
  async sendMessage(request: SendRequestInput): Promise<SendResult> {
    const { request: normalised, plan } = resolveMessage(this.config, request);
    const idempotencyKey =
      normalised.idempotencyKey ?? deriveIdempotencyKey(normalised.useCase, normalised.destination, normalised.body);
    const workflowId = workflowIdFor(idempotencyKey);
    const input: DeliverMessageInput = { idempotencyKey, request: normalised, plan };
    try {
      await this.temporal.workflow.start<typeof deliverMessage>(WORKFLOW_TYPE, {
        taskQueue: this.taskQueue,
        workflowId,
        args: [input],
        // One key, one send: a running or closed workflow with this id is never started again;
        // the server refuses, and the caller gets the existing message's key.
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        // Pacing on: the use case's priority for the workflow's own tasks too (its activities inherit it), so a
        // one-time password also overtakes a burst of notices waiting for a worker (docs/pacing.md).
        ...(plan.policy.priorityKey !== undefined ? { priority: { priorityKey: plan.policy.priorityKey } } : {}),
        // Visible in the Web UI from the first second; never personal data (none of these is encrypted).
        // The first rung's, as attempt 1 will have them: the workflow then needs no upsert for it.
        typedSearchAttributes: plan.rungs[0]
          ? progressAttributes({
              country: plan.country,
              useCase: plan.policy.useCase,
              channel: plan.rungs[0].channel,
              route: `${plan.rungs[0].account}/${plan.rungs[0].region}`,
              level: 'initial',
              attempts: 1,
            })
          : [
              { key: SMS_STATUS, value: 'IN_PROGRESS' },
              { key: SMS_COUNTRY, value: plan.country },
              { key: SMS_USE_CASE, value: plan.policy.useCase },
              { key: SMS_ATTEMPTS, value: 0 },
            ],
        staticSummary: `${plan.country} · ${plan.policy.useCase} · ${plan.rungs.length} rungs`,
        staticDetails: describePlan(plan),
      });
      return { idempotencyKey, workflowId, started: true, smsParts: smsParts(normalised.body) };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      await this.checkSameRequest(idempotencyKey, workflowId, normalised);
      return { idempotencyKey, workflowId, started: false, smsParts: smsParts(normalised.body) };
    }
  }

  /**
   * The key already has a workflow: the same request joins it (idempotent), a different one is refused naming the
   * fields that differ (values never echoed). The stored request is the workflow's own input, read from the first
   * event of its history through the data converter: nothing about the request is stored anywhere else.
   */
  private async checkSameRequest(
    idempotencyKey: string,
    workflowId: string,
    request: DeliverMessageInput['request'],
  ): Promise<void> {
    const stored = await this.startInput(workflowId);
    if (!stored) return; // gone since (retention): nothing to compare with, nothing was sent
    const different = requestDifferences(stored.request, request);
    if (different.length > 0) throw new IdempotencyConflictError(idempotencyKey, workflowId, different);
  }

  /** The workflow's input (its WorkflowExecutionStarted event), or undefined when no such workflow exists. */
  private async startInput(workflowId: string): Promise<DeliverMessageInput | undefined> {
    try {
      const { history } = await this.temporal.workflowService.getWorkflowExecutionHistory({
        namespace: this.temporal.options.namespace,
        execution: { workflowId },
        maximumPageSize: 1,
      });
      const started = history?.events?.[0]?.workflowExecutionStartedEventAttributes;
      if (!started) return undefined;
      const [input] = await decodeArrayFromPayloads(this.temporal.options.loadedDataConverter, started.input?.payloads);
      return input as DeliverMessageInput;
    } catch (err) {
      if ((err as { code?: unknown }).code === 5 /* gRPC NOT_FOUND */) return undefined;
      throw err;
    }
  }

  /**
   * Runs `act` on the message `ref` names (an idempotency key, or a workflow id `sms:<key>`; see messageRefs).
   * A workflow that is not found under one reading is tried under the next. With `refused` set (a signal), a
   * workflow that exists but has closed throws MessageEndedError with its status: Temporal answers "not found"
   * to a signal for a closed workflow, which is not what is true about the message.
   */
  private async onMessage<T>(ref: string, act: (h: Handle, m: MessageRef) => Promise<T>, refused?: string) {
    for (const m of messageRefs(ref)) {
      const handle = this.temporal.workflow.getHandle<typeof deliverMessage>(m.workflowId);
      try {
        return await act(handle, m);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
      if (refused === undefined) continue;
      const description = await describeIfExists(handle);
      if (description) {
        const record = await this.statusOf(handle, description);
        throw new MessageEndedError(m.idempotencyKey, m.workflowId, record.status, record.reason, refused);
      }
    }
    throw new MessageNotFoundError(ref);
  }

  /** The record whatever state the workflow is in: live, returned, or the last known one of an abnormal close. */
  private async statusOf(handle: Handle, description: WorkflowExecutionDescription): Promise<StatusRecord> {
    const state = description.status.name;
    if (state === 'COMPLETED') return handle.result();
    if (state === 'RUNNING' || state === 'PAUSED') return handle.query(statusQuery);
    return closedRecord(await this.lastKnownRecord(handle, description), state, description.closeTime);
  }

  /**
   * The record a closed workflow held last: the status query, which a worker answers by replaying the history
   * (bounded by REPLAY_QUERY_MS: without a worker on the task queue nobody answers); failing that, the one its
   * input allows. Temporal unreachable: both fail and the query's error is thrown.
   */
  private async lastKnownRecord(handle: Handle, description: WorkflowExecutionDescription): Promise<StatusRecord> {
    try {
      return await this.temporal.withDeadline(Date.now() + REPLAY_QUERY_MS, () => handle.query(statusQuery));
    } catch (queryErr) {
      const input = await this.startInput(handle.workflowId).catch(() => undefined);
      if (!input) throw queryErr;
      const why = `the status query failed: ${(queryErr as Error).name}`;
      return recordFromInput(input, handle.workflowId, description.startTime, why);
    }
  }

  /**
   * The app's message feedback: RECEIVED when the user acted on the message, FAILED when it did not arrive. By key
   * or workflow id; a message that has ended throws MessageEndedError with its status.
   */
  async recordFeedback(ref: string, status: 'RECEIVED' | 'FAILED'): Promise<MessageRef> {
    if (status !== 'RECEIVED' && status !== 'FAILED') {
      throw new InvalidInputError('feedback', [{ path: 'status', message: 'must be RECEIVED or FAILED' }]);
    }
    const signal = async (h: Handle, m: MessageRef) => (await h.signal(feedbackSignal, { status }), m);
    return this.onMessage(ref, signal, 'it takes no more feedback');
  }

  /**
   * The status record by idempotency key or workflow id: live while the workflow runs, the final one once it
   * completed, and for a workflow closed any other way (terminated, timed out, failed, cancelled through Temporal,
   * continued as new) the last known record, saying so (ABORTED when it was still in progress; `workflowClosed`).
   */
  async getStatus(ref: string): Promise<StatusRecord> {
    return this.onMessage(ref, async (handle) => this.statusOf(handle, await handle.describe()));
  }

  /** Stop escalating; a message that has ended throws MessageEndedError with its status. */
  async cancel(ref: string, reason?: string): Promise<MessageRef> {
    const signal = async (h: Handle, m: MessageRef) => (await h.signal(cancelSignal, { reason }), m);
    return this.onMessage(ref, signal, 'there is nothing left to cancel');
  }

  /**
   * Resolves as soon as the message reached the user (DELIVERED or CONFIRMED: the record then names the
   * delivering attempt, while the workflow may still listen for feedback) or ended without reaching them
   * (FAILED, STOPPED, CANCELLED, ABORTED). `onProgress` sees the status record each time it changes.
   */
  async waitForDelivery(ref: string, options: Omit<WaitOptions, 'until'> = {}): Promise<DeliveryOutcome> {
    return this.waitFor(ref, { ...options, until: 'delivery' });
  }

  /**
   * Resolves with the final status record when the message's workflow closes (after the feedback window, if the
   * policy has one); for a workflow closed from outside (terminated, timed out, failed), with the record getStatus
   * gives, instead of throwing Temporal's WorkflowFailedError. With `onProgress`, the status record is also reported
   * each time it changes.
   */
  async waitForOutcome(ref: string, options: Omit<WaitOptions, 'until'> = {}): Promise<StatusRecord> {
    if (!options.onProgress) return this.onMessage(ref, (h) => this.finalRecord(h));
    return (await this.waitFor(ref, { ...options, until: 'closed' })).record;
  }

  private async waitFor(ref: string, options: WaitOptions): Promise<DeliveryOutcome> {
    return this.onMessage(ref, (handle) =>
      waitForMessage(
        {
          query: () => handle.query(statusQuery),
          result: (abort) => this.temporal.withAbortSignal(abort, () => this.finalRecord(handle)),
        },
        options,
      ),
    );
  }

  /** The record when the workflow closes; for a close from outside, the record getStatus gives. */
  private async finalRecord(handle: Handle): Promise<StatusRecord> {
    try {
      return await handle.result();
    } catch (err) {
      if (!(err instanceof WorkflowFailedError)) throw err;
      return this.statusOf(handle, await handle.describe());
    }
  }
}

async function describeIfExists(handle: Handle): Promise<WorkflowExecutionDescription | undefined> {
  try {
    return await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}
