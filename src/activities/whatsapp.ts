/**
 * WhatsApp through AWS End User Messaging Social `SendWhatsAppMessage`: a template message (the only kind a business
 * may send outside a 24-hour customer-service window), as the Meta Cloud API JSON the service forwards to Meta.
 *
 * The workflow id and attempt travel in `biz_opaque_callback_data`, which Meta copies into every status of the
 * message; End User Messaging Social publishes those statuses to the WABA's event destination, and they settle the
 * attempt per the policy's `channelSuccess` (src/domain/whatsapp-event.ts, src/domain/channel-receipts.ts).
 * Not idempotent; every failure is a non-retryable `SendFailure` (see `channel-errors.ts` for the table).
 */
import { SendWhatsAppMessageCommand, type SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { attemptContext, type SendResult, type SendWhatsAppInput } from '../domain/sending';
import type { ChannelClientResolver } from '../aws/registries';
import { classifyWhatsAppError } from './channel-errors';
import { runChannelSend } from './channel-send';
import { templateComponents, type TemplateComponent } from './whatsapp-template';

export interface WhatsAppActivityDeps {
  whatsappClient?: ChannelClientResolver<SocialMessagingClient>;
  now?: () => number;
}

/** Meta caps `biz_opaque_callback_data` at 512 characters. */
const MAX_CALLBACK_DATA = 512;

const withComponents = (components: TemplateComponent[]) => (components.length > 0 ? { components } : {});

/** The Meta Cloud API message object of a template message (its components: ./whatsapp-template.ts). */
export function whatsAppTemplateMessage(input: SendWhatsAppInput): Record<string, unknown> {
  const callbackData = JSON.stringify(attemptContext(input));
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: input.destination,
    type: 'template',
    template: {
      name: input.templateName,
      language: { code: input.templateLanguage },
      ...withComponents(templateComponents(input.templateKind, input.parameters)),
    },
    ...(callbackData.length <= MAX_CALLBACK_DATA ? { biz_opaque_callback_data: callbackData } : {}),
  };
}

export function createWhatsAppActivities(deps: WhatsAppActivityDeps) {
  const now = deps.now ?? Date.now;

  async function sendWhatsApp(input: SendWhatsAppInput): Promise<SendResult> {
    return runChannelSend({
      target: input.target,
      workflowId: input.workflowId,
      attempt: input.attempt,
      resolver: deps.whatsappClient,
      label: 'WhatsApp',
      now,
      meta: { originator: input.originationPhoneNumberId, template: input.templateName },
      classify: classifyWhatsAppError,
      secrets: { destination: input.destination, texts: input.parameters },
      send: async (client) => {
        const out = await client.send(
          new SendWhatsAppMessageCommand({
            originationPhoneNumberId: input.originationPhoneNumberId,
            metaApiVersion: input.metaApiVersion,
            message: new TextEncoder().encode(JSON.stringify(whatsAppTemplateMessage(input))),
          }),
        );
        return out.messageId;
      },
    });
  }

  return { sendWhatsApp };
}
