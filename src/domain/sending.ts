/**
 * The contract between the workflow and the send activities. Pure types, no I/O.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { AlternateChannel } from './channel';
import type { ClassifiedFailure } from './outcome';
import type { EscalationLevel } from './plan';
import type { WhatsAppTemplateKind } from './whatsapp-template';

/** Where a send goes: one account in one Region, as named in the config. */
export interface RouteRef {
  /** Route id from the config (`routes[].id`). */
  id: string;
  /** Account name from the config (`accounts` key), also what the status record shows. */
  account: string;
  region: string;
  configurationSet?: string;
}

/** Keys we put into `Context` of every send; End User Messaging copies them into each delivery event. */
export const CONTEXT_WORKFLOW_ID = 'rsms-workflow-id';
export const CONTEXT_ATTEMPT = 'rsms-attempt';

/** What every send input starts with: which attempt of which workflow it is. */
export interface AttemptRef {
  workflowId: string;
  /** 1-based attempt number within the workflow; goes into `Context` so a DLR finds its attempt. */
  attempt: number;
  /** How this rung was reached (for metrics: failovers by level). */
  level?: EscalationLevel;
}

/** The `Context` a send carries so that its receipt finds the workflow and the attempt (every channel). */
export function attemptContext(ref: AttemptRef): Record<string, string> {
  return { [CONTEXT_WORKFLOW_ID]: ref.workflowId, [CONTEXT_ATTEMPT]: String(ref.attempt) };
}

export interface SendSmsInput extends AttemptRef {
  route: RouteRef;
  /** Origination identity: pool / phone number / sender id, by id or full ARN (a RAM-shared one by ARN). */
  originationIdentity: string;
  destination: string;
  body: string;
  messageType: 'TRANSACTIONAL' | 'PROMOTIONAL';
  /** `TimeToLive` in seconds (5..259200). */
  ttlSeconds: number;
  /** `MaxPrice` per message part, in USD, as a decimal string. */
  maxPrice?: string;
  feedbackEnabled: boolean;
  protectConfigurationId?: string;
  /** `Keyword`: the program keyword of a registered US short code (only sent from one). */
  keyword?: string;
  /** `DestinationCountryParameters`, e.g. India's `IN_ENTITY_ID` and `IN_TEMPLATE_ID`. */
  destinationCountryParameters?: Record<string, string>;
  dryRun?: boolean;
}

export interface SendResult {
  messageId: string;
  /** Epoch ms when the service accepted the message. */
  acceptedAt: number;
}

export interface PutFeedbackInput {
  route: RouteRef;
  messageId: string;
  status: 'RECEIVED' | 'FAILED';
}

/** Application failure type names thrown by send activities; the classification travels in `details[0]`. */
export const SEND_FAILURE_TYPE = 'SendFailure';

/**
 * The failure a send activity throws: never retried by Temporal (the planner decides), the classification in
 * `details[0]`. `message` defaults to the classification's own.
 */
export function sendFailure(classified: ClassifiedFailure, message = classified.message): ApplicationFailure {
  return ApplicationFailure.create({ type: SEND_FAILURE_TYPE, message, nonRetryable: true, details: [classified] });
}

/** Voice through End User Messaging `SendVoiceMessage`: same routes and receipts path as SMS. */
export interface SendVoiceInput extends AttemptRef {
  route: RouteRef;
  originationIdentity: string;
  destination: string;
  /** What is spoken: plain text or SSML. */
  text: string;
  textType: 'TEXT' | 'SSML';
  voiceId?: string;
  ttlSeconds: number;
  /** `MaxPricePerMinute` in USD, as a decimal string. */
  maxPrice?: string;
  feedbackEnabled: boolean;
  protectConfigurationId?: string;
}

/** An account and Region of a non-SMS channel, as named in the config's `channels` section. */
export interface ChannelTarget {
  channel: AlternateChannel;
  account: string;
  region: string;
}

/** WhatsApp through AWS End User Messaging Social `SendWhatsAppMessage` (a template message). */
export interface SendWhatsAppInput extends AttemptRef {
  target: ChannelTarget;
  originationPhoneNumberId: string;
  /** Recipient's WhatsApp number, E.164. */
  destination: string;
  templateName: string;
  templateLanguage: string;
  /** `authentication`: Meta's copy-code one-time-password template (absent: a standard template). */
  templateKind?: WhatsAppTemplateKind;
  /** Body parameters of the template, in order. */
  parameters: string[];
  metaApiVersion: string;
}

/** Email through SES v2 `SendEmail`. */
export interface SendEmailInput extends AttemptRef {
  target: ChannelTarget;
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  configurationSet?: string;
}

/** Push through SNS mobile push: `Publish` to a platform endpoint. */
export interface SendPushInput extends AttemptRef {
  target: ChannelTarget;
  endpointArn: string;
  title: string;
  body: string;
}
