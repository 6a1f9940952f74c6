/**
 * Status webhooks (docs/integration.md#status-webhooks): what the plan carries and what a delivery is (the body's
 * shape is in ./webhook-event.ts). Pure types and functions, safe in workflow code (no zod, no Node built-ins).
 * No secret is ever here: a plan names the signing key by its id only; the worker looks the id up in its config and
 * reads the secret from the environment variable the config names (src/webhooks/keyring.ts).
 */

/** `final`: once, when the message ends. `every-escalation`: also each time the ladder starts another attempt. */
export const WEBHOOK_EVENTS = ['final', 'every-escalation'] as const;
export type WebhookEvents = (typeof WEBHOOK_EVENTS)[number];

/** The `type` of a notification. */
export type WebhookEventType = 'message.final' | 'message.escalated';

/** A message's webhook as its plan records it: where to, what for, which key signs, how long to try. */
export interface PlanWebhook {
  url: string;
  events: WebhookEvents;
  /** Id of the signing key (the config's `webhook.signingKeyId`); never the secret. */
  keyId: string;
  /** One HTTP request's timeout (ms). */
  timeoutMs: number;
  /** How long one notification is retried before it is given up (ms). */
  retryForMs: number;
}

/** The child workflow's input: one notification to deliver. */
export interface WebhookDeliveryInput {
  url: string;
  keyId: string;
  deliveryId: string;
  type: WebhookEventType;
  /** The exact body, built once by the message's workflow (`webhookBody`). */
  body: string;
  timeoutMs: number;
  retryForMs: number;
}

/** How the delivery ended (the child workflow's result; receivers never see it). */
export interface WebhookDeliveryResult {
  deliveryId: string;
  outcome: 'delivered' | 'rejected' | 'gave-up';
  /** The last HTTP status the receiver answered, if it answered at all. */
  httpStatus?: number;
  detail?: string;
}

/** The part of a webhook URL that may be logged: scheme, host and path (a query may carry the receiver's token). */
export function loggableUrl(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)([^?#]*)/i.exec(url);
  return match ? `${match[1]}${match[2]}` : '(unparsable URL)';
}
