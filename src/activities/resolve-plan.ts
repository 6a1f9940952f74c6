/**
 * The `resolvePlan` local activity: the worker's config turns a request into its routing plan
 * (src/domain/plan-resolution.ts). Registered on every worker, so a message started with the request alone runs on
 * any of them.
 */
import type { Config } from '../domain/config';
import { resolvePlanFor, type ResolvePlan } from '../domain/plan-resolution';

export function createResolvePlanActivities(config: Config): { resolvePlan: ResolvePlan } {
  return { resolvePlan: (input) => Promise.resolve(resolvePlanFor(config, input)) };
}
