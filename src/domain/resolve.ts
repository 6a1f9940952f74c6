/**
 * Turns an application's request plus the config into what the workflow needs: the normalised
 * request and its routing plan. Runs in clients (never in workflow code). Every failure is an
 * InvalidInputError naming the field, raised before anything is sent.
 */
import type { Config, OriginatorConfig, Policy } from './config';
import { InvalidInputError, parseOrThrow } from './errors';
import { countryOf, messageRequestSchema, type MessageRequest, type MessageRequestInput } from './message';
import { levelBetween, type ResolvedPolicy, type RoutingPlan, type SmsRung } from './plan';

export interface ResolvedMessage {
  request: MessageRequest & { messageType: NonNullable<MessageRequest['messageType']> };
  plan: RoutingPlan;
}

export function resolvePolicy(useCase: string, policy: Policy): ResolvedPolicy {
  return {
    useCase,
    success: policy.success,
    messageType: policy.messageType,
    stepWaitMs: policy.stepWait,
    deadlineMs: policy.deadline,
    ttlSeconds: Math.round(policy.ttl / 1000),
    maxPrice: policy.maxPrice,
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
  };
}

/**
 * The SMS ladder for a country: its originators in the order written, grouped so that one route's
 * originators are tried together, the routes (accounts) of one Region together, and the first
 * Region first. That is the order of the source document: originator, then account, then Region.
 */
export function smsLadder(config: Config, originators: OriginatorConfig[]): SmsRung[] {
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
  const rungs: SmsRung[] = [];
  for (const o of sorted) {
    const route = routes.get(o.route)!;
    const rung: SmsRung = {
      channel: 'sms',
      routeId: route.id,
      account: route.account,
      region: route.region,
      configurationSet: route.configurationSet,
      originator: o.identity,
      originatorType: o.type,
      level: 'initial',
    };
    rung.level = levelBetween(rungs[rungs.length - 1], rung);
    rungs.push(rung);
  }
  return rungs;
}

export function resolveMessage(config: Config, input: MessageRequestInput): ResolvedMessage {
  const request = parseOrThrow(messageRequestSchema, input, 'message request');
  const policy = config.policies[request.useCase];
  if (!policy) {
    throw new InvalidInputError('message request', [
      {
        path: 'useCase',
        message: `unknown use case "${request.useCase}" (configured: ${Object.keys(config.policies).join(', ')})`,
      },
    ]);
  }
  const country = countryOf(request.destination);
  if (policy.allowedCountries && !policy.allowedCountries.includes(country)) {
    throw new InvalidInputError('message request', [
      { path: 'destination', message: `country ${country} is not allowed for use case "${request.useCase}"` },
    ]);
  }
  const originators = config.originators[country] ?? config.originators['*'];
  if (!originators) {
    throw new InvalidInputError('message request', [
      { path: 'destination', message: `no originators are configured for country ${country}` },
    ]);
  }
  const resolvedPolicy = resolvePolicy(request.useCase, policy);
  return {
    request: { ...request, messageType: request.messageType ?? resolvedPolicy.messageType },
    plan: { country, rungs: smsLadder(config, originators), policy: resolvedPolicy },
  };
}
