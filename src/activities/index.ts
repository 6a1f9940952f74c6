/**
 * Activity factory (samples-typescript style): the worker builds the clients once and passes them in; workflows
 * import only the *type*: `proxyActivities<ReturnType<typeof createActivities>>(...)`.
 *
 * Adding a channel: write `createXxxActivities(deps)` beside `createSmsActivities`, add its deps to
 * `ActivityDeps`, and spread it below.
 */
import { createSmsActivities } from './sms';
import type { SmsClientRegistry } from './sms-clients';

export interface ActivityDeps {
  /** Client per route (one per account x Region, built once). */
  smsClient: SmsClientRegistry;
  /** Clock for acceptance timestamps (epoch ms). Default `Date.now`. */
  now?: () => number;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createSmsActivities({ smsClient: deps.smsClient, now: deps.now }),
  };
}

export type Activities = ReturnType<typeof createActivities>;

export { createSmsActivities, FEEDBACK_REJECTED_TYPE, sendFailure } from './sms';
export type { SmsActivityDeps } from './sms';
export {
  createSmsClient,
  cachingSmsClientRegistry,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from './sms-clients';
export type { SmsClientOptions, SmsClientRegistry } from './sms-clients';
