/**
 * Builds the alternate channels' clients from the config's `channels` section: one client per (account, Region,
 * endpoint), built on first use and reused, with the account's credentials (`credentialsFor`). A send for a target
 * the config does not describe fails as a `config` SendFailure, like an unknown SMS route.
 */
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { ApplicationFailure } from '@temporalio/common';
import {
  channelNotConfigured,
  createEmailClient,
  createPushClient,
  createWhatsAppClient,
  type ChannelClientOptions,
  type ChannelClientResolver,
  type ChannelClients,
} from '../activities/channel-clients';
import type { Config } from '../domain/config';
import { SEND_FAILURE_TYPE, type ChannelTarget } from '../domain/sending';
import { credentialsFor } from './sms-client-registry';

interface Destroyable {
  destroy(): void;
}

function notServed(target: ChannelTarget, why: string): ApplicationFailure {
  const classified = channelNotConfigured(target, why);
  return ApplicationFailure.create({
    type: SEND_FAILURE_TYPE,
    nonRetryable: true,
    message: classified.message,
    details: [classified],
  });
}

export function channelClientsFromConfig(
  config: Config,
  options: { requestTimeoutMs?: number } = {},
): ChannelClients & { destroyAll(): void } {
  const clients = new Map<string, Destroyable>();

  function resolver<C extends Destroyable>(
    channel: ChannelTarget['channel'],
    spec: { account: string; region: string; endpoint?: string } | undefined,
    build: (opts: ChannelClientOptions) => C,
  ): ChannelClientResolver<C> | undefined {
    if (!spec) return undefined;
    return (target) => {
      if (target.channel !== channel || target.account !== spec.account || target.region !== spec.region) {
        // Planned with a config this worker does not have: loud, and not retried here.
        throw notServed(
          target,
          `is not in this worker's config (channels.${channel} is ${spec.account}/${spec.region})`,
        );
      }
      const key = `${channel}|${spec.account}|${spec.region}|${spec.endpoint ?? ''}`;
      let client = clients.get(key) as C | undefined;
      if (!client) {
        client = build({
          region: spec.region,
          endpoint: spec.endpoint,
          credentials: credentialsFor(config.accounts[spec.account], spec.region),
          requestTimeoutMs: options.requestTimeoutMs,
        });
        clients.set(key, client);
      }
      return client;
    };
  }

  const { whatsapp, email, push } = config.channels;
  const out: ChannelClients = {};
  const w = resolver<SocialMessagingClient>('whatsapp', whatsapp, createWhatsAppClient);
  if (w) out.whatsapp = w;
  const e = resolver<SESv2Client>('email', email, createEmailClient);
  if (e) out.email = e;
  const p = resolver<SNSClient>('push', push, createPushClient);
  if (p) out.push = p;
  return Object.assign(out, {
    destroyAll(): void {
      for (const client of clients.values()) client.destroy();
      clients.clear();
    },
  });
}
