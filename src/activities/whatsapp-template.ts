/**
 * The `components` of a WhatsApp template message, by the kind of template the config names
 * (`channels.whatsapp.templateKind`, src/domain/whatsapp-template.ts), in the Meta Cloud API's shape that End User
 * Messaging Social forwards to Meta:
 * - standard: one `body` component with the parameters as `text` parameters, in order (none when there are none);
 * - authentication (a copy-code one-time-password button): the code as the `body`'s one `text` parameter and again
 *   as the parameter of the `button` component, `sub_type: "url"`, `index: "0"` — Meta creates the `otp` /
 *   `copy_code` button as a URL button and takes its code that way
 *   (https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates/auth-otp-template-messages).
 */
import { failure } from '../domain/outcome';
import { sendFailure } from '../domain/sending';
import { authenticationCode, type WhatsAppTemplateKind } from '../domain/whatsapp-template';

export type TemplateComponent =
  | { type: 'body'; parameters: { type: 'text'; text: string }[] }
  | { type: 'button'; sub_type: 'url'; index: string; parameters: { type: 'text'; text: string }[] };

export function templateComponents(kind: WhatsAppTemplateKind | undefined, parameters: string[]): TemplateComponent[] {
  if (kind !== 'authentication') {
    return parameters.length > 0
      ? [{ type: 'body', parameters: parameters.map((text) => ({ type: 'text', text })) }]
      : [];
  }
  const code = authenticationCode(parameters);
  if (code === undefined) {
    // Resolving the message refuses such a request; whatever got past it is refused here, before anything is sent:
    // this channel cannot take the request (a request-scoped failure on an alternate channel moves the ladder on).
    throw sendFailure(
      failure('request', 'NO_OTP_CODE', 'the authentication template needs a one-time password (1-15 characters)'),
    );
  }
  return [
    { type: 'body', parameters: [{ type: 'text', text: code }] },
    { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: code }] },
  ];
}
