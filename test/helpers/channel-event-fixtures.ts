/**
 * Channel receipts in AWS's shapes, for the parser, ingester and workflow tests: an End User Messaging Social event
 * (https://docs.aws.amazon.com/social-messaging/latest/userguide/managing-event-destination-dlrs.html) with Meta's
 * status webhook entry, and an SES event-publishing record as SNS delivers it
 * (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-examples.html).
 */
import { encodeTagValue } from '../../src/activities/email';
import { CONTEXT_ATTEMPT, CONTEXT_WORKFLOW_ID } from '../../src/domain/sending';

export const WA_WORKFLOW_ID = 'otp:login-42';
export const WA_RECIPIENT = '447700900456';
export const WAMID = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=';

export interface StatusOptions {
  status?: string;
  callback?: string | null;
  errors?: unknown;
  extraStatuses?: unknown[];
  timestamp?: string;
  recipient?: string;
}

export function whatsAppStatusEntry(o: StatusOptions = {}): Record<string, unknown> {
  const callback =
    o.callback === undefined
      ? JSON.stringify({ [CONTEXT_WORKFLOW_ID]: WA_WORKFLOW_ID, [CONTEXT_ATTEMPT]: '2' })
      : o.callback;
  const status: Record<string, unknown> = {
    id: WAMID,
    status: o.status ?? 'delivered',
    timestamp: o.timestamp ?? '1749416383',
    recipient_id: o.recipient ?? WA_RECIPIENT,
    ...(callback !== null ? { biz_opaque_callback_data: callback } : {}),
    ...(o.errors !== undefined ? { errors: o.errors } : {}),
  };
  return {
    id: '102290129340398',
    changes: [
      {
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
          statuses: [status, ...(o.extraStatuses ?? [])],
        },
        field: 'messages',
      },
    ],
  };
}

/** The AWS event around a webhook entry. */
export function whatsAppEvent(entry: unknown): Record<string, unknown> {
  return {
    context: {
      MetaWabaIds: [{ wabaId: '1234567890abcde', arn: 'arn:aws:social-messaging:us-east-1:123456789012:waba/fb25' }],
      MetaPhoneNumberIds: [
        {
          metaPhoneNumberId: 'abcde1234567890',
          arn: 'arn:aws:social-messaging:us-east-1:123456789012:phone-number-id/976c',
        },
      ],
    },
    whatsAppWebhookEntry: typeof entry === 'string' ? entry : JSON.stringify(entry),
    aws_account_id: '123456789012',
    message_timestamp: '2025-01-08T23:30:43.271279391Z',
    messageId: '6d69f07a-c317-4278-9d5c-6a84078419ec',
  };
}

export const SES_MESSAGE_ID = '0100019396d7c1f0-9b7a2c5e-3f1b-4c8d-a1e2-7f6b5d4c3b2a-000000';
export const SES_WORKFLOW_ID = 'otp:login.42';

export function sesEvent(
  eventType: string,
  object: Record<string, unknown> = {},
  tags: Record<string, string[]> | null = {
    [CONTEXT_WORKFLOW_ID]: [encodeTagValue(SES_WORKFLOW_ID)],
    [CONTEXT_ATTEMPT]: ['3'],
  },
): Record<string, unknown> {
  const key =
    {
      Delivery: 'delivery',
      Bounce: 'bounce',
      Complaint: 'complaint',
      Reject: 'reject',
      'Rendering Failure': 'failure',
      DeliveryDelay: 'deliveryDelay',
      Open: 'open',
      Click: 'click',
      Send: 'send',
    }[eventType] ?? 'other';
  return {
    eventType,
    mail: {
      timestamp: '2026-11-30T20:00:00.000Z',
      source: 'no-reply@example.com',
      sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.com',
      sendingAccountId: '123456789012',
      messageId: SES_MESSAGE_ID,
      destination: ['someone@example.org'],
      headersTruncated: false,
      ...(tags ? { tags: { 'ses:configuration-set': ['rsms-mail'], ...tags } } : {}),
    },
    [key]: { timestamp: '2026-11-30T20:00:02.000Z', ...object },
  };
}
