/**
 * The typed client library for applications: send a message (idempotently), record the user's feedback, read the
 * status, cancel, and wait for the outcome. The worker resolves each message's routing plan with its own config
 * (src/workflows/resolve-plan.ts), so the client needs only a Temporal `Client` and the task queue:
 *
 *   new ResilientSmsClient(temporalClient, { taskQueue: 'resilient-sms' })   // no routing config
 *   new ResilientSmsClient(config, temporalClient, { taskQueue? })           // with the config: requests are also
 *                                                                             // checked against it before sending
 *   await connectResilientSms({ temporal: { address, namespace, taskQueue, tls?, apiKeyEnv? },
 *                               security: { encryption?: { currentKeyId, keys } } })   // ./connect.ts
 *   await connectResilientSms(config)                                         // the same, from a whole config
 *
 * Without a config the request's shape is checked here (E.164 number, body as AWS counts it, fields) and what only
 * the config knows (use case, countries, routes) by the worker: such a message ends FAILED with `invalidRequest`.
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
import { InvalidInputError, parseOrThrow } from '../domain/errors';
import { sendRequestSchema } from '../domain/message';
import { resolveMessage, withDefaultUseCase, type SendRequestInput } from '../domain/resolve';
import { smsParts, type SmsParts } from '../domain/sms-parts';
import { requestDifferences, type ComparableRequest } from '../domain/request-diff';
import type { StatusRecord } from '../domain/status';
import {
  cancelSignal,
  feedbackSignal,
  statusQuery,
  workflowIdFor,
  WORKFLOW_TYPE,
  type StartMessageInput,
} from '../workflows/definitions';
import type { deliverMessage } from '../workflows/deliver-message';
import { IdempotencyConflictError, MessageEndedError, MessageNotFoundError } from './errors';
import { closedRecord, messageRefs, recordFromInput, type MessageRef } from './lifecycle';
import { waitForMessage, type DeliveryOutcome, type WaitOptions } from './wait';

export { IdempotencyConflictError, MessageEndedError, MessageNotFoundError } from './errors';
export { reachedUser, type DeliveryOutcome, type WaitOptions, type WaitUntil } from './wait';
export { describePlan } from '../domain/plan-summary';

/** The task queue of a client given none and no config: the config's default (`temporal.taskQueue`). */
export const DEFAULT_TASK_QUEUE = 'resilient-sms';

export interface ResilientSmsClientOptions {
  /** Default: the config's temporal.taskQueue, else DEFAULT_TASK_QUEUE. */
  taskQueue?: string;
}

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

export class ResilientSmsClient {
  readonly taskQueue: string;
  readonly temporal: Client;
  /** When given: requests are resolved against it before anything is sent, as the worker will resolve them. */
  private readonly config: Config | undefined;

  /** `(temporalClient, options?)` without the routing config, or `(config, temporalClient, options?)` with it. */
  constructor(temporal: Client, options?: ResilientSmsClientOptions);
  constructor(config: Config, temporal: Client, options?: ResilientSmsClientOptions);
  constructor(
    first: Config | Client,
    second?: Client | ResilientSmsClientOptions,
    third: ResilientSmsClientOptions = {},
  ) {
    const configLess = isTemporalClient(first);
    this.config = configLess ? undefined : first;
    this.temporal = configLess ? first : (second as Client);
    const options = (configLess ? second : third) as ResilientSmsClientOptions | undefined;
    this.taskQueue = options?.taskQueue ?? this.config?.temporal.taskQueue ?? DEFAULT_TASK_QUEUE;
  }

  /**
   * Validate and start the message's workflow with the request alone (the worker resolves its plan), or join the
   * existing one for the same key. Without `useCase`: with a config, its first policy (as the HTTP API and the CLI
   * do); without one, the worker's default.
   */
  async sendMessage(request: SendRequestInput): Promise<SendResult> {
    const { request: normalised, priorityKey } = this.normalise(request);
    const idempotencyKey =
      normalised.idempotencyKey ??
      deriveIdempotencyKey(normalised.useCase ?? '', normalised.destination, normalised.body);
    const workflowId = workflowIdFor(idempotencyKey);
    const input: StartMessageInput = { idempotencyKey, request: normalised };
    try {
      await this.temporal.workflow.start<typeof deliverMessage>(WORKFLOW_TYPE, {
        taskQueue: this.taskQueue,
        workflowId,
        args: [input],
        // One key, one send: a running or closed workflow with this id is never started again;
        // the server refuses, and the caller gets the existing message's key.
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        // Pacing on: the use case's priority for the workflow's own tasks too (its paced sends carry it from the plan
        // either way), so a one-time password also overtakes a burst of notices waiting for a worker (docs/pacing.md).
        // Known only with the config; a client without one starts at the default priority.
        ...(priorityKey !== undefined ? { priority: { priorityKey } } : {}),
      });
      return { idempotencyKey, workflowId, started: true, smsParts: smsParts(normalised.body) };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      await this.checkSameRequest(idempotencyKey, workflowId, normalised);
      return { idempotencyKey, workflowId, started: false, smsParts: smsParts(normalised.body) };
    }
  }

  /**
   * The request as the workflow input carries it: parsed (number in E.164, fields checked), the default use case
   * filled in when there is a config; with a config, also resolved against it (unknown use case, country not
   * allowed, no route: an InvalidInputError here, before anything reaches Temporal).
   */
  private normalise(request: SendRequestInput): { request: SendRequestInput; priorityKey?: number } {
    if (!this.config) return { request: parseOrThrow(sendRequestSchema, request, 'message request') };
    // One resolution is the check, and gives the priority the workflow starts at (with pacing on).
    const { plan } = resolveMessage(this.config, request);
    return {
      request: parseOrThrow(sendRequestSchema, withDefaultUseCase(this.config, request), 'message request'),
      priorityKey: plan.policy.priorityKey,
    };
  }

  /**
   * The key already has a workflow: the same request joins it (idempotent), a different one is refused naming the
   * fields that differ (values never echoed). The stored request is the workflow's own input, read from the first
   * event of its history through the data converter: nothing about the request is stored anywhere else.
   */
  private async checkSameRequest(idempotencyKey: string, workflowId: string, request: SendRequestInput): Promise<void> {
    const stored = await this.startInput(workflowId);
    if (!stored) return; // gone since (retention): nothing to compare with, nothing was sent
    const different = requestDifferences(stored.request, this.comparable(stored, request));
    if (different.length > 0) throw new IdempotencyConflictError(idempotencyKey, workflowId, different);
  }

  /**
   * The incoming request normalised as the stored one is. A stored input without a plan holds the request as a
   * client sent it: compared as it is. One with a plan (started before the worker resolved plans) holds it resolved:
   * resolved with the config when there is one; without, what the resolution derives (use case, message type,
   * per-channel content) is taken from the stored request where the incoming one leaves it out.
   */
  private comparable(stored: StartMessageInput, request: SendRequestInput): ComparableRequest {
    if (stored.plan === undefined) return request;
    if (this.config) return resolveMessage(this.config, request).request;
    const s = stored.request as ComparableRequest;
    return { useCase: s.useCase, messageType: s.messageType, content: s.content, ...definedFields(request) };
  }

  /** The workflow's input (its WorkflowExecutionStarted event), or undefined when no such workflow exists. */
  private async startInput(workflowId: string): Promise<StartMessageInput | undefined> {
    try {
      const { history } = await this.temporal.workflowService.getWorkflowExecutionHistory({
        namespace: this.temporal.options.namespace,
        execution: { workflowId },
        maximumPageSize: 1,
      });
      const started = history?.events?.[0]?.workflowExecutionStartedEventAttributes;
      if (!started) return undefined;
      const [input] = await decodeArrayFromPayloads(this.temporal.options.loadedDataConverter, started.input?.payloads);
      return input as StartMessageInput;
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

/** A Temporal `Client` (the config-less constructor form) rather than a config. */
function isTemporalClient(value: Config | Client): value is Client {
  return typeof value === 'object' && value !== null && 'workflow' in value;
}

/** The fields that are set (JSON leaves out undefined ones). */
function definedFields(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
