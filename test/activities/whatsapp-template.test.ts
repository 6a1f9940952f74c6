/**
 * The components of a WhatsApp template message by template kind (src/activities/whatsapp-template.ts): a standard
 * template's body parameters, and Meta's authentication template, whose one-time password goes in the body and in
 * the copy-code button (`button`, `sub_type: "url"`, `index: "0"`), as Meta's "Sending Authentication Templates" shows.
 */
import { ApplicationFailure } from '@temporalio/common';
import { whatsAppTemplateMessage } from '../../src/activities';
import { templateComponents } from '../../src/activities/whatsapp-template';
import type { SendWhatsAppInput } from '../../src/domain/sending';
import { authenticationCode } from '../../src/domain/whatsapp-template';

const input = (more: Partial<SendWhatsAppInput> = {}): SendWhatsAppInput => ({
  workflowId: 'otp:login-1',
  attempt: 2,
  target: { channel: 'whatsapp', account: 'primary', region: 'us-east-1' },
  originationPhoneNumberId: 'phone-number-id-1',
  destination: '+447700900456',
  templateName: 'otp_code',
  templateLanguage: 'en_US',
  parameters: ['Your code is 583920'],
  metaApiVersion: 'v20.0',
  ...more,
});

describe('WhatsApp template components', () => {
  it('standard: the parameters fill the body, in order', () => {
    expect(templateComponents(undefined, ['a', 'b'])).toEqual([
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
    ]);
    expect(templateComponents('standard', [])).toEqual([]);
  });

  it("authentication: the code in the body and as the copy-code button's parameter, in Meta's shape", () => {
    const message = whatsAppTemplateMessage(input({ templateKind: 'authentication' }));
    expect(message).toMatchObject({
      messaging_product: 'whatsapp',
      type: 'template',
      template: {
        name: 'otp_code',
        language: { code: 'en_US' },
        components: [
          { type: 'body', parameters: [{ type: 'text', text: '583920' }] },
          { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '583920' }] },
        ],
      },
    });
  });

  it('the code: a first parameter that is a code already, else 4-15 digits of it, else none', () => {
    expect(authenticationCode(['J$FpnYnP'])).toBe('J$FpnYnP');
    expect(authenticationCode(['Your code is 123456, valid 5 minutes'])).toBe('123456');
    expect(authenticationCode(['Your code is 123'])).toBeUndefined();
    expect(authenticationCode(['1234567890123456 is too long'])).toBeUndefined();
    expect(authenticationCode([])).toBeUndefined();
  });

  it('authentication without a code: a request failure, before anything is sent', () => {
    let thrown: unknown;
    try {
      templateComponents('authentication', ['no code here']);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ApplicationFailure);
    expect((thrown as ApplicationFailure).details?.[0]).toMatchObject({ scope: 'request', reason: 'NO_OTP_CODE' });
  });
});
