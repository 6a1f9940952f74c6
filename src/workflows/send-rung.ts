/**
 * One send on one rung: the channel decides which activity runs and with which arguments. Also turns a
 * failed send activity back into the classified failure the planner reads.
 */
import {
  type ActivityOptions,
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  TimeoutFailure,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { failure, type ClassifiedFailure } from '../domain/outcome';
import type { Channel } from '../domain/channel';
import { protectConfigurationIdOf, type ResolvedPolicy, type RoutingPlan, type Rung } from '../domain/plan';
import { SEND_FAILURE_TYPE, type AttemptRef, type SendResult, type SendSmsInput } from '../domain/sending';
import type { AttemptRecord } from '../domain/status';
import type { DeliverMessageInput } from './definitions';
import { pacedSendOptions, pacingFailureOf } from './pacing';

type Activities = ReturnType<typeof createActivities>;

// The send is not idempotent: one try per activity; the planner decides about any retry.
const SEND_OPTIONS: ActivityOptions = { startToCloseTimeout: '30s', retry: { maximumAttempts: 1 } };
const { sendSms, sendVoice, sendWhatsApp, sendEmail, sendPush } = proxyActivities<Activities>(SEND_OPTIONS);

/** What a send needs besides the rung: the message and its plan. */
export interface SendContext extends Pick<DeliverMessageInput, 'request' | 'plan'> {
  workflowId: string;
  /** What is left of the step: how long a paced send may wait for its slot (./pacing.ts). */
  stepLeftMs?: number;
}

/** Starts one channel's send activity: its own arguments, built from the rung and the message. */
type ChannelSender = (
  rung: Rung,
  message: SendContext,
  common: AttemptRef,
  options: ActivityOptions,
) => Promise<SendResult>;

/** End User Messaging's route of a rung (SMS and voice). */
const routeOf = (rung: Rung) => ({
  id: rung.routeId,
  account: rung.account,
  region: rung.region,
  configurationSet: rung.configurationSet,
});

/** The account and Region an alternate channel's client is chosen by. */
const targetOf = <C extends Channel>(channel: C, rung: Rung) => ({
  channel,
  account: rung.account,
  region: rung.region,
});

/**
 * The use case's send parameters of an SMS rung (absent from older plans, so their sends stay as they were):
 * `Keyword` only from a US short code, as the SendTextMessage reference asks ("If you don't have a US short code, omit
 * this attribute"); the plan's `DestinationCountryParameters` are already those of the destination's country.
 */
export function smsParameters(
  rung: Rung,
  { policy, country }: RoutingPlan,
): Pick<SendSmsInput, 'protectConfigurationId' | 'keyword' | 'destinationCountryParameters'> {
  const usShortCode = rung.originatorType === 'short-code' && country === 'US' && policy.keyword !== undefined;
  const protectConfigurationId = protectConfigurationIdOf(policy, rung);
  return {
    ...(protectConfigurationId ? { protectConfigurationId } : {}),
    ...(usShortCode ? { keyword: policy.keyword } : {}),
    ...(policy.destinationCountryParameters
      ? { destinationCountryParameters: policy.destinationCountryParameters }
      : {}),
  };
}

/** Voice's `MaxPricePerMinute`: its own cap; a plan recorded before it existed sends `maxPrice`, as it did then. */
export function voiceMaxPrice(policy: ResolvedPolicy): string | undefined {
  return policy.voicePriceCap === 'per-minute' ? policy.maxPricePerMinute : policy.maxPrice;
}

/** Voice's `ProtectConfigurationId`: as for SMS, the policy's one id or the one of the rung's account × Region. */
function voiceProtect(rung: Rung, policy: ResolvedPolicy): Pick<SendSmsInput, 'protectConfigurationId'> {
  const protectConfigurationId = protectConfigurationIdOf(policy, rung);
  return protectConfigurationId ? { protectConfigurationId } : {};
}

const SENDERS: Record<Channel, ChannelSender> = {
  sms: (rung, { request, plan }, common, options) =>
    sendSms.executeWithOptions(options, [
      {
        ...common,
        route: routeOf(rung),
        originationIdentity: rung.originator,
        destination: request.destination,
        body: request.body,
        messageType: request.messageType,
        ttlSeconds: plan.policy.ttlSeconds,
        maxPrice: plan.policy.maxPrice,
        feedbackEnabled: plan.policy.messageFeedback,
        ...smsParameters(rung, plan),
      },
    ]),
  voice: (rung, { request, plan }, common, options) =>
    sendVoice.executeWithOptions(options, [
      {
        ...common,
        route: routeOf(rung),
        originationIdentity: rung.originator,
        destination: request.destination,
        text: request.content.voice.text,
        textType: request.content.voice.textType,
        voiceId: plan.policy.voiceId,
        ttlSeconds: plan.policy.ttlSeconds,
        maxPrice: voiceMaxPrice(plan.policy),
        feedbackEnabled: plan.policy.messageFeedback,
        ...voiceProtect(rung, plan.policy),
      },
    ]),
  whatsapp: (rung, { request, plan }, common, options) =>
    sendWhatsApp.executeWithOptions(options, [
      {
        ...common,
        target: targetOf('whatsapp', rung),
        originationPhoneNumberId: rung.originator,
        destination: request.contacts!.whatsapp!,
        templateName: plan.whatsapp!.templateName,
        templateLanguage: plan.whatsapp!.templateLanguage,
        metaApiVersion: plan.whatsapp!.metaApiVersion,
        ...(plan.whatsapp!.templateKind ? { templateKind: plan.whatsapp!.templateKind } : {}),
        parameters: request.content.whatsapp.parameters,
      },
    ]),
  email: (rung, { request }, common, options) =>
    sendEmail.executeWithOptions(options, [
      {
        ...common,
        target: targetOf('email', rung),
        from: rung.originator,
        to: request.contacts!.email!,
        subject: request.content.email.subject,
        text: request.content.email.text,
        html: request.content.email.html,
        configurationSet: rung.configurationSet,
      },
    ]),
  push: (rung, { request }, common, options) =>
    sendPush.executeWithOptions(options, [
      {
        ...common,
        target: targetOf('push', rung),
        endpointArn: request.contacts!.pushEndpointArn!,
        title: request.content.push.title,
        body: request.content.push.body,
      },
    ]),
};

/** Runs the send activity of the rung's channel for this attempt. */
export function sendOnRung(rung: Rung, attempt: AttemptRecord, message: SendContext): Promise<SendResult> {
  const options: ActivityOptions = {
    ...SEND_OPTIONS,
    // Shown on the activity in the Web UI's timeline; never personal data (not encrypted).
    summary: `attempt ${attempt.attempt} · ${attempt.level} · ${rung.channel} ${rung.account}/${rung.region} · ${rung.originatorType} ${rung.originator}`,
  };
  const common = { workflowId: message.workflowId, attempt: attempt.attempt, level: attempt.level };
  return SENDERS[rung.channel](
    rung,
    message,
    common,
    pacedSendOptions(rung, message.plan, options, message.stepLeftMs),
  );
}

/**
 * The classified failure of a send activity that threw: the activity's own classification when it sent
 * one; a paced send that got no slot in time (nothing sent, ./pacing.ts); otherwise (activity timeout, anything
 * unexpected) an ambiguous Region failure, since the request may have left before the worker died.
 */
export function sendFailureOf(err: unknown, rung?: Rung): ClassifiedFailure {
  if (err instanceof ActivityFailure) {
    const cause = err.cause;
    const unpaced = pacingFailureOf(cause, rung);
    if (unpaced) return unpaced;
    if (cause instanceof ApplicationFailure && cause.type === SEND_FAILURE_TYPE && cause.details?.[0]) {
      return cause.details[0] as ClassifiedFailure;
    }
    if (cause instanceof TimeoutFailure) {
      return failure('region', 'ACTIVITY_TIMEOUT', 'send activity timed out, outcome unknown', { ambiguous: true });
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  return failure('region', 'SEND_ERROR', message, { ambiguous: true });
}
