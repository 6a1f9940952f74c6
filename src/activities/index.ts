/**
 * Activity factory (samples-typescript style): the worker builds the clients once (src/aws/registries.ts) and
 * passes them in; workflows import only the *type*: `proxyActivities<ReturnType<typeof createActivities>>(...)`.
 *
 * Adding a channel: write `createXxxActivities(deps)` beside `createSmsActivities`, add its deps to
 * `ActivityDeps`, and spread it below.
 */
import type { ChannelClients, SmsClientRegistry } from '../aws/registries';
import { createEmailActivities } from './email';
import { createPushActivities } from './push';
import { createSmsActivities } from './sms';
import { createVoiceActivities } from './voice';
import { createWhatsAppActivities } from './whatsapp';

export interface ActivityDeps {
  /** Client per route (one per account x Region, built once). */
  smsClient: SmsClientRegistry;
  /** Clients of the alternate channels (WhatsApp, email, push); a missing one fails its sends as `config`. */
  channels?: ChannelClients;
  /** Clock for acceptance timestamps (epoch ms). Default `Date.now`. */
  now?: () => number;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createSmsActivities({ smsClient: deps.smsClient, now: deps.now }),
    ...createVoiceActivities({ smsClient: deps.smsClient, now: deps.now }),
    ...createWhatsAppActivities({ whatsappClient: deps.channels?.whatsapp, now: deps.now }),
    ...createEmailActivities({ emailClient: deps.channels?.email, now: deps.now }),
    ...createPushActivities({ pushClient: deps.channels?.push, now: deps.now }),
  };
}

export type Activities = ReturnType<typeof createActivities>;

export { createSmsActivities, FEEDBACK_REJECTED_TYPE, sendFailure } from './sms';
export type { SmsActivityDeps } from './sms';
export { createVoiceActivities } from './voice';
export { createWhatsAppActivities, whatsAppTemplateMessage } from './whatsapp';
export { createEmailActivities, decodeTagValue, encodeTagValue } from './email';
export { createPushActivities, pushMessage } from './push';
export { classifyEmailError, classifyPushError, classifyWhatsAppError } from './channel-errors';
