/**
 * The typed client library for applications: send a message (idempotently), record the user's
 * feedback, read the status, cancel, and wait for the outcome. Every input is validated against the
 * config before anything reaches Temporal.
 */
import { createHash } from 'node:crypto';
import {
  Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  type WorkflowHandle,
} from '@temporalio/client';
import type { Config } from '../domain/config';
import { InvalidInputError, parseOrThrow } from '../domain/errors';
import { idempotencyKeySchema, type MessageRequestInput } from '../domain/message';
import { resolveMessage } from '../domain/resolve';
import type { RoutingPlan } from '../domain/plan';
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
import { waitForMessage, type DeliveryOutcome, type MessageSource, type WaitOptions } from './wait';

export { reachedUser, type DeliveryOutcome, type WaitOptions, type WaitUntil } from './wait';

export interface SendResult {
  idempotencyKey: string;
  workflowId: string;
  /** false when a workflow for this key already existed (running or closed): nothing new was sent. */
  started: boolean;
}

/** Thrown when no message exists for a key. */
export class MessageNotFoundError extends Error {
  override readonly name = 'MessageNotFoundError';
  constructor(readonly idempotencyKey: string) {
    super(`no message with key "${idempotencyKey}"`);
  }
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

  /** Validate, plan, and start the message's workflow, or join the existing one for the same key. */
  async sendMessage(request: MessageRequestInput): Promise<SendResult> {
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
      return { idempotencyKey, workflowId, started: true };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        return { idempotencyKey, workflowId, started: false };
      }
      throw err;
    }
  }

  private handle(idempotencyKey: string): WorkflowHandle<typeof deliverMessage> {
    parseOrThrow(idempotencyKeySchema, idempotencyKey, 'idempotency key');
    return this.temporal.workflow.getHandle<typeof deliverMessage>(workflowIdFor(idempotencyKey));
  }

  private async guard<T>(idempotencyKey: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new MessageNotFoundError(idempotencyKey);
      throw err;
    }
  }

  /** The app's message feedback: RECEIVED when the user acted on the message, FAILED when it did not arrive. */
  async recordFeedback(idempotencyKey: string, status: 'RECEIVED' | 'FAILED'): Promise<void> {
    if (status !== 'RECEIVED' && status !== 'FAILED') {
      throw new InvalidInputError('feedback', [{ path: 'status', message: 'must be RECEIVED or FAILED' }]);
    }
    await this.guard(idempotencyKey, () => this.handle(idempotencyKey).signal(feedbackSignal, { status }));
  }

  /** The live status record (or the final one, once the message has ended). */
  async getStatus(idempotencyKey: string): Promise<StatusRecord> {
    const handle = this.handle(idempotencyKey);
    return this.guard(idempotencyKey, async () => {
      const description = await handle.describe();
      if (description.status.name === 'COMPLETED') return handle.result();
      return handle.query(statusQuery);
    });
  }

  async cancel(idempotencyKey: string, reason?: string): Promise<void> {
    await this.guard(idempotencyKey, () => this.handle(idempotencyKey).signal(cancelSignal, { reason }));
  }

  /**
   * Resolves as soon as the message reached the user (DELIVERED or CONFIRMED: the record then names the
   * delivering attempt, while the workflow may still listen for feedback) or ended without reaching them
   * (FAILED, STOPPED, CANCELLED). `onProgress` sees the status record each time it changes.
   */
  async waitForDelivery(idempotencyKey: string, options: Omit<WaitOptions, 'until'> = {}): Promise<DeliveryOutcome> {
    return this.waitFor(idempotencyKey, { ...options, until: 'delivery' });
  }

  /**
   * Resolves with the final status record when the message's workflow closes (after the feedback window, if
   * the policy has one). With `onProgress`, the status record is also reported each time it changes.
   */
  async waitForOutcome(idempotencyKey: string, options: Omit<WaitOptions, 'until'> = {}): Promise<StatusRecord> {
    if (!options.onProgress) return this.guard(idempotencyKey, () => this.handle(idempotencyKey).result());
    return (await this.waitFor(idempotencyKey, { ...options, until: 'closed' })).record;
  }

  private async waitFor(idempotencyKey: string, options: WaitOptions): Promise<DeliveryOutcome> {
    const handle = this.handle(idempotencyKey);
    const source: MessageSource = {
      query: () => handle.query(statusQuery),
      result: (abort) => this.temporal.withAbortSignal(abort, () => handle.result()),
    };
    return this.guard(idempotencyKey, () => waitForMessage(source, options));
  }
}
