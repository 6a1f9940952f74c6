/**
 * Turns an application's request plus the config into what the workflow needs: the normalised
 * request (with each channel's content) and its routing plan. Runs in clients (never in workflow
 * code). Every failure is an InvalidInputError naming the field, raised before anything is sent.
 */
import ct from 'countries-and-timezones';
import { isNumberChannel, type AlternateChannel, type Channel } from './channel';
import type { Config, OriginatorConfig, Policy } from './config';
import { InvalidInputError, parseOrThrow } from './errors';
import type { z } from 'zod';
import { countryOf, messageRequestSchema, type MessageRequest, type sendRequestSchema } from './message';
import { levelBetween, type ResolvedPolicy, type Rung, type RoutingPlan, type SkippedChannel } from './plan';
import { optOutTargets } from './opt-out-config';
import { ownValue } from './own';
import { pumpingSubject } from './pumping';
import { originatorMps, priorityOf, PRIORITY_KEYS } from './pacing';
import { countryParametersFor } from './send-parameters';
import { protectIdsForRungs } from './protect-config';
import { authenticationCode, MAX_OTP_CODE_CHARS } from './whatsapp-template';
import { minutesOfDay } from './time-zone';
import { planWebhook } from './webhook-config';

/** What each channel says; derived from the SMS body where the request gives nothing. */
export interface ChannelContent {
  voice: { text: string; textType: 'TEXT' | 'SSML' };
  email: { subject: string; text: string; html?: string };
  push: { title: string; body: string };
  whatsapp: { parameters: string[] };
}

export interface ResolvedMessage {
  request: Omit<MessageRequest, 'content'> & {
    messageType: NonNullable<MessageRequest['messageType']>;
    content: ChannelContent;
  };
  plan: RoutingPlan;
}

export function resolvePolicy(useCase: string, policy: Policy, voiceId?: string): ResolvedPolicy {
  return {
    useCase,
    success: policy.success,
    channelSuccess: { ...policy.channelSuccess },
    messageType: policy.messageType,
    stepWaitMs: policy.stepWait,
    deadlineMs: policy.deadline,
    ttlSeconds: Math.round(policy.ttl / 1000),
    maxPrice: policy.maxPrice,
    ...(policy.maxPricePerMinute !== undefined ? { maxPricePerMinute: policy.maxPricePerMinute } : {}),
    voicePriceCap: 'per-minute',
    ...(policy.protectConfigurationId !== undefined ? { protectConfigurationId: policy.protectConfigurationId } : {}),
    ...(policy.keyword !== undefined ? { keyword: policy.keyword } : {}),
    messageFeedback: policy.messageFeedback,
    feedbackGraceMs: policy.feedbackGrace,
    throttleRetries: policy.throttleRetries,
    throttleBackoffMs: policy.throttleBackoff,
    unreachableRetries: policy.unreachableRetries,
    unreachableBackoffMs: policy.unreachableBackoff,
    ambiguousWaitMs: policy.ambiguousWait,
    handsetRetries: policy.handsetRetries,
    handsetRetryDelayMs: policy.handsetRetryDelay,
    maxSends: policy.maxSends,
    channels: policy.channels,
    channelsAfterOptOut: policy.channelsAfterOptOut,
    quietHours: policy.quietHours.map((q) => ({
      channels: q.channels,
      start: minutesOfDay(q.start),
      end: minutesOfDay(q.end),
      action: q.action,
    })),
    maxTotalPrice: policy.maxTotalPrice === undefined ? undefined : Number(policy.maxTotalPrice),
    voiceId,
  };
}

/**
 * The End User Messaging ladder (SMS or voice) for a country: its originators in the order written,
 * grouped so that one route's originators are tried together, the routes (accounts) of one Region
 * together, and the first Region first: originator, then account, then Region.
 */
export function smsLadder(config: Config, originators: OriginatorConfig[], channel: 'sms' | 'voice' = 'sms'): Rung[] {
  const routes = new Map(config.routes.map((r) => [r.id, r]));
  const regionOrder: string[] = [];
  const routeOrder: string[] = [];
  for (const o of originators) {
    const route = routes.get(o.route)!;
    if (!regionOrder.includes(route.region)) regionOrder.push(route.region);
    if (!routeOrder.includes(route.id)) routeOrder.push(route.id);
  }
  const sorted = [...originators].sort((a, b) => {
    const ra = routes.get(a.route)!;
    const rb = routes.get(b.route)!;
    return (
      regionOrder.indexOf(ra.region) - regionOrder.indexOf(rb.region) ||
      routeOrder.indexOf(ra.id) - routeOrder.indexOf(rb.id)
    );
  });
  const rungs: Rung[] = [];
  for (const o of sorted) {
    const route = routes.get(o.route)!;
    const rung: Rung = {
      channel,
      routeId: route.id,
      account: route.account,
      region: route.region,
      configurationSet: route.configurationSet,
      originator: o.identity,
      originatorType: o.type,
      level: 'initial',
      // Pacing on: the originator's MPS (SMS only; voice has its own, unpaced, limits).
      ...(channel === 'sms' && config.pacing?.enabled ? { mps: originatorMps(o) } : {}),
    };
    rung.level = levelBetween(rungs[rungs.length - 1], rung);
    rungs.push(rung);
  }
  return rungs;
}

/** Digits read one by one: "Your code is 123456" -> "Your code is 1 2 3 4 5 6". */
function speakable(body: string): string {
  return body.replace(/\d{3,}/g, (digits) => digits.split('').join(' '));
}

function deriveContent(request: MessageRequest, useCase: string): ChannelContent {
  const c = request.content ?? {};
  const firstLine = request.body.split('\n')[0];
  return {
    voice: c.voice?.ssml
      ? { text: c.voice.ssml, textType: 'SSML' }
      : { text: c.voice?.text ?? speakable(request.body), textType: 'TEXT' },
    email: {
      subject: c.email?.subject ?? (firstLine.length <= 78 ? firstLine : `${firstLine.slice(0, 75)}...`),
      text: c.email?.text ?? request.body,
      html: c.email?.html,
    },
    push: {
      title: c.push?.title ?? useCase.charAt(0).toUpperCase() + useCase.slice(1),
      body: c.push?.body ?? (request.body.length <= 240 ? request.body : `${request.body.slice(0, 237)}...`),
    },
    whatsapp: { parameters: c.whatsapp?.parameters ?? [request.body] },
  };
}

/**
 * Content derived from the SMS body must fit the channels it goes to, as given content must (the
 * limits of `messageRequestSchema.content`): `SendVoiceMessage` takes at most 3000 characters of TEXT
 * (SDK model of @aws-sdk/client-pinpoint-sms-voice-v2, `MessageBodyTextType`), and a WhatsApp template
 * parameter at most 1024. Email and push content is cut to fit when derived.
 */
function checkDerivedContent(content: ChannelContent, rungs: readonly Rung[], authentication: boolean): void {
  const on = (channel: Channel) => rungs.some((r) => r.channel === channel);
  const issues: { path: string; message: string }[] = [];
  if (on('voice') && content.voice.textType === 'TEXT' && content.voice.text.length > 3000) {
    issues.push({
      path: 'body',
      message: `read aloud it is ${content.voice.text.length} characters, over voice's 3000: give content.voice.text`,
    });
  }
  if (on('whatsapp') && authentication && authenticationCode(content.whatsapp.parameters) === undefined) {
    issues.push({
      path: 'content.whatsapp.parameters',
      message: `the WhatsApp authentication template needs a one-time password: give it as the first parameter (1-${MAX_OTP_CODE_CHARS} characters, no spaces) or put a code of 4-15 digits in the body`,
    });
  }
  if (on('whatsapp') && content.whatsapp.parameters.some((p) => p.length > 1024)) {
    issues.push({
      path: 'body',
      message:
        'is over 1024 characters, the most a WhatsApp template parameter takes: give content.whatsapp.parameters',
    });
  }
  if (issues.length > 0) throw new InvalidInputError('message request', issues);
}

function countryTimeZones(country: string): string[] {
  const zones = ct.getCountry(country)?.timezones ?? [];
  return zones.length > 0 ? zones : ['UTC'];
}

/** A one-rung ladder of an alternate channel: its service's account and Region, and its sender. */
function alternateRung(
  channel: AlternateChannel,
  service: { account: string; region: string },
  originator: string,
  configurationSet?: string,
): Rung {
  return {
    channel,
    routeId: `${channel}:${service.account}/${service.region}`,
    account: service.account,
    region: service.region,
    configurationSet,
    originator,
    originatorType: channel,
    level: 'initial',
  };
}

/** The rungs of one channel for this request, or why the channel is left out. */
function channelLadder(config: Config, request: MessageRequest, country: string, channel: Channel): Rung[] | string {
  switch (channel) {
    case 'sms':
    case 'voice': {
      const table = channel === 'sms' ? config.originators : (config.channels.voice?.originators ?? {});
      const originators = ownValue(table, country) ?? ownValue(table, '*');
      if (!originators) return `no ${channel} originators are configured for ${country}`;
      return smsLadder(config, originators, channel);
    }
    case 'whatsapp': {
      const w = config.channels.whatsapp!;
      if (!request.contacts?.whatsapp) return 'the request has no WhatsApp number';
      return [alternateRung(channel, w, w.originationPhoneNumberId)];
    }
    case 'email': {
      const e = config.channels.email!;
      if (!request.contacts?.email) return 'the request has no email address';
      return [alternateRung(channel, e, e.fromAddress, e.configurationSet)];
    }
    case 'push': {
      const p = config.channels.push!;
      if (!request.contacts?.pushEndpointArn) return 'the request has no push endpoint';
      return [alternateRung(channel, p, 'sns')];
    }
  }
}

/** The ladder: every channel of the policy in order, each one's rungs after the previous channel's. */
function buildLadder(
  config: Config,
  request: MessageRequest,
  policy: Policy,
  country: string,
): { rungs: Rung[]; skipped: SkippedChannel[] } {
  const countryAllowed = !policy.allowedCountries || policy.allowedCountries.includes(country);
  const rungs: Rung[] = [];
  const skipped: SkippedChannel[] = [];
  for (const channel of policy.channels) {
    if (isNumberChannel(channel) && !countryAllowed) {
      skipped.push({ channel, reason: `country ${country} is not allowed for use case "${request.useCase}"` });
      continue;
    }
    const ladder = channelLadder(config, request, country, channel);
    if (typeof ladder === 'string') {
      skipped.push({ channel, reason: ladder });
      continue;
    }
    for (const rung of ladder) {
      rung.level = rungs.length === 0 ? 'initial' : levelBetween(rungs[rungs.length - 1], rung);
      rungs.push(rung);
    }
  }
  return { rungs, skipped };
}

function policyOf(config: Config, useCase: string): Policy {
  const policy = ownValue(config.policies, useCase);
  if (!policy) {
    throw new InvalidInputError('message request', [
      {
        path: 'useCase',
        message: `unknown use case "${useCase}" (configured: ${Object.keys(config.policies).join(', ')})`,
      },
    ]);
  }
  return policy;
}

/** A request as applications send it: without `useCase`, the config's default one (defaultUseCase). */
export type SendRequestInput = z.input<typeof sendRequestSchema>;

/**
 * The use case of a request that names none: the first policy in the config. One rule for the typed client,
 * the HTTP API and the CLI, so that the same request means the same message whichever way it comes in.
 */
export function defaultUseCase(config: Config): string {
  return Object.keys(config.policies)[0];
}

/** The request with the default use case filled in when it names none (anything else is left to validation). */
export function withDefaultUseCase(config: Config, input: unknown): unknown {
  const isObject = typeof input === 'object' && input !== null && !Array.isArray(input);
  if (!isObject || (input as { useCase?: unknown }).useCase !== undefined) return input;
  return { ...input, useCase: defaultUseCase(config) };
}

export function resolveMessage(config: Config, input: SendRequestInput): ResolvedMessage {
  const request = parseOrThrow(messageRequestSchema, withDefaultUseCase(config, input), 'message request');
  const policy = policyOf(config, request.useCase);
  const country = countryOf(request.destination);
  const { rungs, skipped } = buildLadder(config, request, policy, country);
  if (rungs.length === 0) {
    if (policy.allowedCountries && !policy.allowedCountries.includes(country)) {
      // One sentence: the country is the reason for every SMS/voice channel; other channels lacked a contact.
      const others = skipped.filter((s) => !isNumberChannel(s.channel)).map((s) => s.channel);
      throw new InvalidInputError('message request', [
        {
          path: 'destination',
          message:
            `country ${country} is not allowed for use case "${request.useCase}" (allowed: ${policy.allowedCountries.join(', ')})` +
            (others.length > 0
              ? `, and the request has no contact for its other channel${others.length > 1 ? 's' : ''}: ${others.join(', ')}`
              : ''),
        },
      ]);
    }
    throw new InvalidInputError(
      'message request',
      skipped.map((s) => ({
        path: isNumberChannel(s.channel) ? 'destination' : 'contacts',
        message: `${s.channel}: ${s.reason}`,
      })),
    );
  }
  const resolvedPolicy = resolvePolicy(request.useCase, policy, config.channels.voice?.voiceId);
  // Only with route health on: the flag decides, from the input alone, whether the workflow reads health
  // (so messages started without it replay unchanged).
  if (config.routeHealth?.enabled) resolvedPolicy.routeHealth = { unhealthyRungs: config.routeHealth.unhealthyRungs };
  // A protect configuration by name: its id in each account × Region of the ladder (only when it has one).
  const protectIds = protectIdsForRungs(config, policy.protectConfiguration, rungs);
  if (protectIds) resolvedPolicy.protectConfigurationIds = protectIds;
  if (config.pacing?.enabled) resolvedPolicy.priorityKey = PRIORITY_KEYS[priorityOf(request.useCase, policy.priority)];
  const countryParameters = countryParametersFor(policy.destinationCountryParameters, country);
  if (countryParameters) resolvedPolicy.destinationCountryParameters = countryParameters;
  const webhook = planWebhook(request.useCase, policy.webhook, request.webhook);
  const { content: _content, ...rest } = request;
  const content = deriveContent(request, request.useCase);
  checkDerivedContent(content, rungs, config.channels.whatsapp?.templateKind === 'authentication');
  return {
    request: {
      ...rest,
      messageType: request.messageType ?? resolvedPolicy.messageType,
      content,
    },
    plan: {
      country,
      // Only quiet hours need them; leaving them out keeps every other history small.
      timeZones:
        policy.quietHours.length === 0 ? [] : request.timeZone ? [request.timeZone] : countryTimeZones(country),
      rungs,
      skipped,
      policy: resolvedPolicy,
      ...(webhook ? { webhook } : {}),
      ...(config.pumping?.enabled ? { pumping: { subject: pumpingSubject(request, country, config.pumping) } } : {}),
      ...(config.optOuts
        ? { optOuts: { lists: optOutTargets(config), checkBeforeSend: config.optOuts.checkBeforeSend } }
        : {}),
      whatsapp:
        config.channels.whatsapp && rungs.some((r) => r.channel === 'whatsapp')
          ? {
              templateName: config.channels.whatsapp.templateName,
              templateLanguage: config.channels.whatsapp.templateLanguage,
              metaApiVersion: config.channels.whatsapp.metaApiVersion,
              ...(config.channels.whatsapp.templateKind === 'authentication'
                ? { templateKind: 'authentication' as const }
                : {}),
            }
          : undefined,
    },
  };
}
