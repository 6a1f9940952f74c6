/**
 * The `channels` section: alternate channels after SMS, each through its AWS service in one account and Region.
 */
import { z } from 'zod';
import { nameSchema, originatorSchema, regionSchema } from './config-base';
import { WHATSAPP_TEMPLATE_KINDS } from './whatsapp-template';

/** Alternate channels, each through its AWS service in one account and Region. */
export const channelsSchema = z
  .object({
    /** Voice through End User Messaging `SendVoiceMessage`: voice-capable originators per country, on the routes above. */
    voice: z
      .object({
        originators: z.record(
          z.string().regex(/^([A-Z]{2}|\*)$/, 'country keys are ISO codes or "*"'),
          z.array(originatorSchema).min(1),
        ),
        voiceId: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** WhatsApp through AWS End User Messaging Social (`SendWhatsAppMessage`), template messages only. */
    whatsapp: z
      .object({
        account: nameSchema,
        region: regionSchema,
        endpoint: z.url().optional(),
        /** `phone-number-id-...` of the WhatsApp Business number. */
        originationPhoneNumberId: z.string().min(1),
        templateName: z.string().min(1),
        /**
         * `authentication`: the template is Meta's authentication template with a copy-code button (one-time
         * passwords; the code goes in the body and the button, src/activities/whatsapp-template.ts); `standard`: the
         * message's parameters fill the body.
         */
        templateKind: z.enum(WHATSAPP_TEMPLATE_KINDS).default('standard'),
        templateLanguage: z.string().min(2).default('en_US'),
        metaApiVersion: z.string().default('v20.0'),
      })
      .strict()
      .optional(),
    /** Email through SES v2 `SendEmail`. */
    email: z
      .object({
        account: nameSchema,
        region: regionSchema,
        endpoint: z.url().optional(),
        fromAddress: z.email(),
        configurationSet: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** Push through SNS mobile push (`Publish` to a platform endpoint ARN). */
    push: z
      .object({
        account: nameSchema,
        region: regionSchema,
        endpoint: z.url().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
