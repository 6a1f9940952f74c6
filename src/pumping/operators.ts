/**
 * The SMS pumping guard for operators (`resilient-sms pumping`, `GET /pumping`, `POST /pumping/unblock`): the
 * pumpingGuard workflow's `pumpingView` query and its `unblock` update. Every call has a deadline (a query or an
 * update waits for a worker). A key is `prefix:+4470`, `country:GB`, or just `+4470` / `GB`.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Block } from '../domain/conversion-watch';
import type { Config } from '../domain/config';
import { InvalidInputError } from '../domain/errors';
import {
  pumpingGuardWorkflowId,
  pumpingViewQuery,
  unblockUpdate,
  type PumpingView,
} from '../workflows/pumping-definitions';

export class NothingToUnblockError extends Error {
  override readonly name = 'NothingToUnblockError';
  constructor(key: string) {
    super(`nothing to unblock: ${key} is not blocked`);
  }
}

export interface PumpingAnswer {
  workflowId: string;
  /** The workflow exists (something was counted). */
  running: boolean;
  enabled: boolean;
  view?: PumpingView;
}

/** What `unblock` answers: the block that ended. */
export interface UnblockAnswer {
  workflowId: string;
  unblocked: Block;
}

/** `+4470` → `prefix:+4470`, `GB` → `country:GB`; a key of either form as it is; anything else is refused. */
export function guardKeyOf(target: string): string {
  const t = target.trim();
  if (/^prefix:\+[0-9]{1,15}$/.test(t) || /^country:[A-Z]{2}$/.test(t)) return t;
  if (/^\+[0-9]{1,15}$/.test(t)) return `prefix:${t}`;
  if (/^[A-Z]{2}$/.test(t)) return `country:${t}`;
  throw new InvalidInputError('unblock request', [
    { path: 'key', message: `bad key ${JSON.stringify(t.slice(0, 40))}: use a prefix (+4470) or a country (GB)` },
  ]);
}

function isNotFound(err: unknown): boolean {
  return err instanceof WorkflowNotFoundError || (err as Error)?.name === 'WorkflowNotFoundError';
}

export class PumpingOperators {
  private readonly workflowId: string;

  constructor(
    private readonly opts: {
      client: Pick<Client, 'workflow'> & Partial<Pick<Client, 'withDeadline'>>;
      config: Config;
      timeoutMs?: number;
    },
  ) {
    this.workflowId = pumpingGuardWorkflowId(opts.config.temporal.taskQueue);
  }

  private deadline<T>(call: () => Promise<T>): Promise<T> {
    const { client } = this.opts;
    const at = Date.now() + (this.opts.timeoutMs ?? 10_000);
    return client.withDeadline ? client.withDeadline(at, call) : call();
  }

  async list(): Promise<PumpingAnswer> {
    const enabled = this.opts.config.pumping?.enabled === true;
    const handle = this.opts.client.workflow.getHandle(this.workflowId);
    try {
      const view = await this.deadline(() => handle.query(pumpingViewQuery));
      return { workflowId: this.workflowId, running: true, enabled, view };
    } catch (err) {
      if (isNotFound(err)) return { workflowId: this.workflowId, running: false, enabled };
      throw err;
    }
  }

  /** Ends the block of `target` now (logged by the workflow with `by`); NothingToUnblockError when it is not blocked. */
  async unblock(target: string, by: string): Promise<UnblockAnswer> {
    const key = guardKeyOf(target);
    const answer = await this.list();
    if (!answer.view?.blocks.some((b) => b.key === key)) throw new NothingToUnblockError(key);
    const handle = this.opts.client.workflow.getHandle(this.workflowId);
    try {
      const unblocked = await this.deadline(() => handle.executeUpdate(unblockUpdate, { args: [{ key, by }] }));
      return { workflowId: this.workflowId, unblocked };
    } catch (err) {
      // The block ended between the view and the update: the workflow's validator refuses it (not blocked).
      if (err instanceof WorkflowUpdateFailedError) throw new NothingToUnblockError(key);
      throw err;
    }
  }
}
