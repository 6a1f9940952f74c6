/**
 * The worker's side of "the request alone starts a message": a request (as any Temporal client may send it) and the
 * worker's config in, the normalised request and its routing plan out, or why the request cannot be sent. What the
 * `resolvePlan` local activity returns (src/activities/resolve-plan.ts); the workflow records it in its history
 * (src/workflows/resolve-plan.ts), so replay and a message in flight never see a later config change.
 */
import type { Config } from './config';
import { InvalidInputError, parseOrThrow } from './errors';
import { idempotencyKeySchema } from './message';
import { resolveMessage, type ResolvedMessage, type SendRequestInput } from './resolve';

export interface ResolvePlanInput {
  /** Checked here too: the input may come from any client, typed or not. */
  idempotencyKey: unknown;
  request: unknown;
}

/** A request that cannot be sent: each problem names its field, as the HTTP API's 400 does. */
export interface PlanRejection {
  message: string;
  issues: { path: string; message: string }[];
}

export type PlanResolution = { resolved: ResolvedMessage } | { rejected: PlanRejection };

/** The `resolvePlan` local activity's signature, shared by the workflow and the worker. */
export type ResolvePlan = (input: ResolvePlanInput) => Promise<PlanResolution>;

/**
 * Resolves with `config` exactly as a client holding it would (`resolveMessage`); an invalid request (unknown use
 * case, invalid number, no route for the country, a body AWS would refuse, ...) is a rejection, never a throw, so the
 * workflow ends the message at once instead of retrying. Anything else (a bug) throws.
 */
export function resolvePlanFor(config: Config, input: ResolvePlanInput): PlanResolution {
  try {
    parseOrThrow(idempotencyKeySchema, input.idempotencyKey, 'workflow input idempotencyKey');
    const isObject = typeof input.request === 'object' && input.request !== null && !Array.isArray(input.request);
    if (!isObject) {
      throw new InvalidInputError('message request', [{ path: '', message: 'must be an object' }]);
    }
    return { resolved: resolveMessage(config, input.request as SendRequestInput) };
  } catch (err) {
    if (!(err instanceof InvalidInputError)) throw err;
    const issues =
      err.what === 'workflow input idempotencyKey'
        ? err.issues.map((i) => ({ path: i.path ? `idempotencyKey.${i.path}` : 'idempotencyKey', message: i.message }))
        : err.issues.map((i) => ({ path: i.path ? `request.${i.path}` : 'request', message: i.message }));
    return { rejected: { message: err.message, issues } };
  }
}
