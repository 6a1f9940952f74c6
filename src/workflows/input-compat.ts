/**
 * Inputs recorded before a field existed replay with that field's neutral default. Messages wait up to
 * 72 hours, so histories started by the previous release must keep working.
 */
import type { DeliverMessageInput } from './definitions';

export function withDefaults(input: DeliverMessageInput): DeliverMessageInput {
  const { plan, request } = input;
  return {
    ...input,
    request: {
      ...request,
      content: request.content ?? {
        voice: { text: request.body, textType: 'TEXT' },
        email: { subject: request.body.slice(0, 78), text: request.body },
        push: { title: plan.policy.useCase, body: request.body },
        whatsapp: { parameters: [request.body] },
      },
    },
    plan: {
      ...plan,
      timeZones: plan.timeZones ?? [],
      skipped: plan.skipped,
      policy: {
        ...plan.policy,
        channelsAfterOptOut: plan.policy.channelsAfterOptOut ?? [],
        quietHours: plan.policy.quietHours ?? [],
      },
    },
  };
}
