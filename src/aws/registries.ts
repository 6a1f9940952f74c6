/**
 * The clients the send activities get, built from the config by the worker: a resolver per channel that finds the
 * client of a route (SMS, voice) or channel target (WhatsApp, email, push), one client per (account, Region,
 * endpoint) with the account's credentials, built on first use and reused. A route or target the config does not
 * describe fails as a `config` SendFailure (./not-served.ts).
 */
import type { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import type { Config } from '../domain/config';
import { ownValue } from '../domain/own';
import type { ChannelTarget, RouteRef } from '../domain/sending';
import { ClientCache, type Destroyable } from './client-cache';
import {
  createEmailClient,
  createPushClient,
  createSmsClient,
  createWhatsAppClient,
  type SendClientOptions,
} from './clients';
import { credentialsFor } from './credentials';
import { channelNotServed, unknownRoute } from './not-served';

/** Resolves the client for a route: one client per (account, Region). Used by SMS and voice. */
export type SmsClientRegistry = (route: RouteRef) => PinpointSMSVoiceV2Client;

/** Resolves the client of a channel target (account x Region); one client each, built once. */
export type ChannelClientResolver<C> = (target: ChannelTarget) => C;

/** What the channel activities get injected; a channel the worker has no config for is absent. */
export interface ChannelClients {
  whatsapp?: ChannelClientResolver<SocialMessagingClient>;
  email?: ChannelClientResolver<SESv2Client>;
  push?: ChannelClientResolver<SNSClient>;
}

export interface RegistryOptions {
  /** Request timeout of every client (default: ./http-handler.ts). */
  requestTimeoutMs?: number;
}

/** Where a client sends: an account of the config, a Region, an optional endpoint override. */
interface ClientSpec {
  account: string;
  region: string;
  endpoint?: string;
}

/** The cached client of `spec`, built with the account's credentials on first use. */
function cachedClient<C extends Destroyable>(
  cache: ClientCache<C>,
  config: Config,
  spec: ClientSpec,
  options: RegistryOptions,
  build: (opts: SendClientOptions) => C,
): C {
  return cache.get(`${spec.account}|${spec.region}|${spec.endpoint ?? ''}`, () => {
    const account = ownValue(config.accounts, spec.account);
    if (!account) throw new Error(`account "${spec.account}" is not in the config (accounts)`);
    return build({
      region: spec.region,
      endpoint: spec.endpoint,
      credentials: credentialsFor(account, spec.region),
      requestTimeoutMs: options.requestTimeoutMs,
    });
  });
}

export function smsClientsFromConfig(
  config: Config,
  options: RegistryOptions = {},
): SmsClientRegistry & { destroyAll(): void } {
  const routes = new Map(config.routes.map((r) => [r.id, r]));
  const cache = new ClientCache<PinpointSMSVoiceV2Client>();
  const registry = (ref: RouteRef): PinpointSMSVoiceV2Client => {
    const route = routes.get(ref.id);
    // Planned with a config this worker does not have: loud, and not retried here.
    if (!route || route.account !== ref.account || route.region !== ref.region) throw unknownRoute(ref);
    return cachedClient(cache, config, route, options, createSmsClient);
  };
  return Object.assign(registry, { destroyAll: () => cache.destroyAll() });
}

/** The resolver of one channel, serving only the target its config section names; undefined when it has none. */
function channelResolver<C extends Destroyable>(
  channel: ChannelTarget['channel'],
  spec: ClientSpec | undefined,
  cache: ClientCache<C>,
  config: Config,
  options: RegistryOptions,
  build: (opts: SendClientOptions) => C,
): ChannelClientResolver<C> | undefined {
  if (!spec) return undefined;
  return (target) => {
    if (target.channel !== channel || target.account !== spec.account || target.region !== spec.region) {
      // Planned with a config this worker does not have: loud, and not retried here.
      throw channelNotServed(
        target,
        `is not in this worker's config (channels.${channel} is ${spec.account}/${spec.region})`,
      );
    }
    return cachedClient(cache, config, spec, options, build);
  };
}

export function channelClientsFromConfig(
  config: Config,
  options: RegistryOptions = {},
): ChannelClients & { destroyAll(): void } {
  const caches = {
    whatsapp: new ClientCache<SocialMessagingClient>(),
    email: new ClientCache<SESv2Client>(),
    push: new ClientCache<SNSClient>(),
  };
  const { whatsapp, email, push } = config.channels;
  const out: ChannelClients = {};
  const w = channelResolver('whatsapp', whatsapp, caches.whatsapp, config, options, createWhatsAppClient);
  if (w) out.whatsapp = w;
  const e = channelResolver('email', email, caches.email, config, options, createEmailClient);
  if (e) out.email = e;
  const p = channelResolver('push', push, caches.push, config, options, createPushClient);
  if (p) out.push = p;
  return Object.assign(out, {
    destroyAll(): void {
      for (const cache of Object.values(caches)) cache.destroyAll();
    },
  });
}
