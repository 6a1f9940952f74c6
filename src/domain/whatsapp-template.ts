/**
 * WhatsApp template kinds. `standard`: a template whose body takes the message's parameters in order.
 * `authentication`: Meta's authentication template with a one-time-password copy-code button; sending it takes the
 * code twice, as the body's one parameter and as the button's (Meta, "Sending Authentication Templates":
 * https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates/auth-otp-template-messages —
 * "Note that this value must appear twice in the payload. Maximum 15 characters.").
 */
export const WHATSAPP_TEMPLATE_KINDS = ['standard', 'authentication'] as const;
export type WhatsAppTemplateKind = (typeof WHATSAPP_TEMPLATE_KINDS)[number];

/** Meta's limit on the one-time password of an authentication template. */
export const MAX_OTP_CODE_CHARS = 15;

/**
 * The one-time password of an authentication template: the first parameter when it is a code already (1-15
 * characters, no spaces), else the first run of 4-15 digits in it ("Your code is 123456" -> "123456"); undefined
 * when there is none, which the request is refused for (src/domain/resolve.ts).
 */
export function authenticationCode(parameters: readonly string[]): string | undefined {
  const first = parameters[0];
  if (first === undefined) return undefined;
  if (first.length >= 1 && first.length <= MAX_OTP_CODE_CHARS && !/\s/.test(first)) return first;
  return /(?<![0-9])[0-9]{4,15}(?![0-9])/.exec(first)?.[0];
}
