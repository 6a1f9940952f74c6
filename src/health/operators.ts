/**
 * What operators do with route health, shared by the CLI (`resilient-sms routes …`) and the HTTP API
 * (`GET /routes`, `POST /routes/drain`, `POST /routes/undrain`): list the keys the `routeHealth` workflow holds
 * (`routesQuery`), drain a target until undrained or for a while (`drainUpdate`), undrain it (`undrainUpdate`).
 *
 * Targets are resolved with the config first (src/domain/route-targets.ts): a bad one never reaches Temporal.
 * A drain when the workflow does not exist yet starts it with the same update (update-with-start,
 * `WorkflowIdConflictPolicy.USE_EXISTING`: a running workflow just gets the update), so an operator can drain a
 * route before any message has reported on it; it starts on the deployment's shared-state task queue
 * (src/domain/shared-state.ts), as the worker processes start it. Every change is reported to `onChange` (who, what, why) so that
 * the process that made it logs it too; the workflow logs it as well.
 */
import {
  WithStartWorkflowOperation,
  WorkflowIdConflictPolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import type { Config } from '../domain/config';
import { SHARED_STATE_PRIORITY } from '../domain/pacing';
import { sharedStateTaskQueue } from '../domain/shared-state';
import { InvalidInputError } from '../domain/errors';
import { routeHealthWorkflowInput, type RouteHealthWorkflowInput } from '../workflows/route-health-input';
import { resolveTarget } from '../domain/route-targets';
import {
  drainUpdate,
  ROUTE_HEALTH_WORKFLOW_TYPE,
  routeHealthWorkflowId,
  routesQuery,
  undrainUpdate,
  type DrainRequest,
  type RouteView,
} from '../workflows/route-health-definitions';

export const MAX_REASON_LENGTH = 500;
/** A reason is shown in a table row, the Web UI and log lines: one line, nothing a terminal would interpret. */
export const CONTROL_CHARACTERS = /[\p{Cc}\u2028\u2029]/u;
/** The longest drain `--for` accepted: a year, as every duration of the config. */
export const MAX_DRAIN_MS = 365 * 24 * 3600_000;

/** An undrain with nothing to undrain: no routeHealth workflow yet, or none of the target's keys drained (API 404). */
export class NothingToUndrainError extends Error {
  override readonly name = 'NothingToUndrainError';
  constructor(why: string) {
    super(`nothing to undrain: ${why}`);
  }
}

/** The routeHealth workflow refused a change (its update validator), with its reason (API 422). */
export class RouteChangeRefusedError extends Error {
  override readonly name = 'RouteChangeRefusedError';
}

/** Runs an update; a refusal by the workflow becomes a RouteChangeRefusedError carrying the workflow's reason. */
async function refusedAsError<T>(update: () => Promise<T>): Promise<T> {
  try {
    return await update();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      throw new RouteChangeRefusedError(`route health refused the change: ${err.cause?.message ?? err.message}`);
    }
    throw err;
  }
}

/** What `routes` answers. */
export interface RoutesAnswer {
  workflowId: string;
  /** Whether the routeHealth workflow exists (has seen an observation, a drain or an AWS Health event). */
  running: boolean;
  /** `routeHealth.enabled` in this config: whether messages read health at all. */
  enabled: boolean;
  routes: RouteView[];
}

/** One change an operator made: what the process logs. */
export interface RouteChange {
  action: 'drain' | 'undrain';
  target: string;
  key: string;
  by: string;
  reason?: string;
  forMs?: number;
}

/** What drain/undrain answer: each key's view after the change. */
export interface ChangeAnswer {
  workflowId: string;
  target: string;
  enabled: boolean;
  routes: RouteView[];
}

/** The routeHealth workflow's start arguments: the same input the worker processes start it with. */
export function defaultRouteHealthStartArgs(config: Config, taskQueue?: string): [RouteHealthWorkflowInput] {
  return [routeHealthWorkflowInput(config, taskQueue)];
}

export interface RouteOperatorsOptions {
  client: Client;
  config: Config;
  /** The deployment's (main) task queue, which names the workflow. Default the config's temporal.taskQueue. */
  taskQueue?: string;
  /** Deadline of each Temporal call, ms (a query or update waits for a worker). Default 10 000. */
  timeoutMs?: number;
  /** Arguments the routeHealth workflow is started with when a drain finds none. */
  startArgs?: (config: Config) => unknown[];
  /** Called once per key changed, after the workflow accepted the change. */
  onChange?: (change: RouteChange) => void;
}

export interface DrainInput {
  target: string;
  reason: string;
  by: string;
  forMs?: number;
}

/** Validates what the CLI and the API pass alike (the API's zod schema checks types first). */
function checkDrain(input: DrainInput): void {
  const issues: { path: string; message: string }[] = [];
  const reason = input.reason.trim();
  if (reason === '') issues.push({ path: 'reason', message: 'must not be empty: say why the route is drained' });
  if (reason.length > MAX_REASON_LENGTH) {
    issues.push({ path: 'reason', message: `must be at most ${MAX_REASON_LENGTH} characters` });
  }
  if (CONTROL_CHARACTERS.test(reason)) {
    issues.push({ path: 'reason', message: 'must be one line without control characters' });
  }
  if (input.forMs !== undefined && !(Number.isInteger(input.forMs) && input.forMs > 0 && input.forMs <= MAX_DRAIN_MS)) {
    issues.push({ path: 'for', message: 'must be a duration between 1ms and 365d' });
  }
  if (issues.length > 0) throw new InvalidInputError('drain request', issues);
}

/** A gRPC DEADLINE_EXCEEDED (code 4), however deep the SDK wrapped it. */
function isDeadlineExceeded(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 10 && typeof current === 'object' && current !== null; depth++) {
    const e = current as { code?: unknown; cause?: unknown };
    if (e.code === 4) return true;
    current = e.cause;
  }
  return false;
}

/** Route health for operators over one Temporal client. */
export class RouteOperators {
  readonly workflowId: string;
  private readonly timeoutMs: number;

  constructor(private readonly opts: RouteOperatorsOptions) {
    this.workflowId = routeHealthWorkflowId(this.taskQueue);
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  private get taskQueue(): string {
    return this.opts.taskQueue ?? this.opts.config.temporal.taskQueue;
  }

  private get enabled(): boolean {
    return this.opts.config.routeHealth?.enabled ?? false;
  }

  private bounded<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.timeoutMs;
    return this.opts.client.withDeadline(deadline, fn).catch((err: unknown) => {
      // DEADLINE_EXCEEDED, or whatever a call cut off at its deadline fails with (seen under load: the client's
      // "Failed to query Workflow" with another status): past the deadline, the answer did not come in time.
      if (isDeadlineExceeded(err) || Date.now() >= deadline) {
        throw new Error(
          `${what}: no answer from ${this.workflowId} within ${this.timeoutMs} ms (is a worker running for task ` +
            `queue ${this.taskQueue}? route health runs on ${sharedStateTaskQueue(this.taskQueue)})`,
          { cause: err },
        );
      }
      throw err;
    });
  }

  /** Every key the workflow holds, or `running: false` when it does not exist yet. */
  async routes(): Promise<RoutesAnswer> {
    const base = { workflowId: this.workflowId, enabled: this.enabled };
    try {
      const handle = this.opts.client.workflow.getHandle(this.workflowId);
      const routes = await this.bounded('routes', () => handle.query(routesQuery));
      return { ...base, running: true, routes };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { ...base, running: false, routes: [] };
      throw err;
    }
  }

  /** Drains every key `target` names; starts the workflow when there is none. */
  async drain(input: DrainInput): Promise<ChangeAnswer> {
    const keys = resolveTarget(this.opts.config, input.target);
    checkDrain(input);
    const routes: RouteView[] = [];
    for (const key of keys) {
      const request: DrainRequest = {
        key,
        reason: input.reason.trim(),
        by: input.by,
        ...(input.forMs !== undefined ? { forMs: input.forMs } : {}),
      };
      routes.push(await this.bounded('drain', () => refusedAsError(() => this.updateWithStart(request))));
      this.opts.onChange?.({
        action: 'drain',
        target: input.target,
        key,
        by: input.by,
        reason: request.reason,
        forMs: input.forMs,
      });
    }
    return { workflowId: this.workflowId, target: input.target, enabled: this.enabled, routes };
  }

  /** Undrains every key `target` names. Nothing to undrain when the workflow does not exist: says so. */
  async undrain(input: { target: string; by: string }): Promise<ChangeAnswer> {
    const keys = resolveTarget(this.opts.config, input.target);
    const current = await this.routes();
    if (!current.running)
      throw new NothingToUndrainError(`${this.workflowId} does not exist (route health has seen nothing yet)`);
    // Only the keys that are drained: an originator's identity names every route that uses it, drained or not (and
    // the workflow refuses to undrain a key that is not drained).
    const drained = new Set(current.routes.filter((v) => v.drain).map((v) => v.key));
    const toUndrain = keys.filter((k) => drained.has(k));
    if (toUndrain.length === 0)
      throw new NothingToUndrainError(`${keys.join(', ')} ${keys.length > 1 ? 'are' : 'is'} not drained`);
    const handle = this.opts.client.workflow.getHandle(this.workflowId);
    const routes: RouteView[] = [];
    for (const key of toUndrain) {
      const update = () => handle.executeUpdate(undrainUpdate, { args: [{ key, by: input.by }] });
      routes.push(await this.bounded('undrain', () => refusedAsError(update)));
      this.opts.onChange?.({ action: 'undrain', target: input.target, key, by: input.by });
    }
    return { workflowId: this.workflowId, target: input.target, enabled: this.enabled, routes };
  }

  private updateWithStart(request: DrainRequest): Promise<RouteView> {
    const { config } = this.opts;
    const startWorkflowOperation = new WithStartWorkflowOperation(ROUTE_HEALTH_WORKFLOW_TYPE, {
      workflowId: this.workflowId,
      taskQueue: sharedStateTaskQueue(this.taskQueue),
      priority: SHARED_STATE_PRIORITY,
      args: (this.opts.startArgs ?? defaultRouteHealthStartArgs)(config, this.taskQueue),
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    });
    return this.opts.client.workflow.executeUpdateWithStart(drainUpdate, { args: [request], startWorkflowOperation });
  }
}

/** One JSON log line for a change (the shape of the other processes' logs: time, level, msg, fields). */
export function routeChangeLogLine(change: RouteChange, processName: string, now = new Date()): string {
  return JSON.stringify({
    time: now.toISOString(),
    level: 'info',
    msg: change.action === 'drain' ? 'route drained' : 'route undrained',
    process: processName,
    ...change,
  });
}
