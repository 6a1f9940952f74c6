/**
 * Builds the SMS clients the activities use, from the config: one client per (account, Region,
 * endpoint), built on first use and reused. Credentials per account: the default chain, a profile,
 * AssumeRole into a secondary account, or fixed keys for emulators.
 */
import type { PinpointSMSVoiceV2ClientConfig } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { ApplicationFailure } from '@temporalio/common';
import { createSmsClient, type SmsClientRegistry } from '../activities/sms-clients';
import type { AccountConfig, Config } from '../domain/config';
import { SEND_FAILURE_TYPE, type RouteRef } from '../domain/sending';

export function credentialsFor(account: AccountConfig, region: string): PinpointSMSVoiceV2ClientConfig['credentials'] {
  const c = account.credentials;
  switch (c.type) {
    case 'default':
      return undefined;
    case 'profile':
      return fromIni({ profile: c.profile });
    case 'assume-role':
      return fromTemporaryCredentials({
        params: { RoleArn: c.roleArn, ExternalId: c.externalId, RoleSessionName: c.sessionName ?? 'resilient-sms' },
        clientConfig: { region },
      });
    case 'static':
      return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey };
  }
}

export function smsClientsFromConfig(
  config: Config,
  options: { requestTimeoutMs?: number } = {},
): SmsClientRegistry & { destroyAll(): void } {
  const routes = new Map(config.routes.map((r) => [r.id, r]));
  const clients = new Map<string, PinpointSMSVoiceV2Client>();
  const registry = (ref: RouteRef): PinpointSMSVoiceV2Client => {
    const route = routes.get(ref.id);
    if (!route || route.account !== ref.account || route.region !== ref.region) {
      // The message was planned with a config this worker does not have: loud, and not retried here.
      throw ApplicationFailure.create({
        type: SEND_FAILURE_TYPE,
        nonRetryable: true,
        message: `route ${ref.id} (${ref.account}/${ref.region}) is not in this worker's config`,
        details: [
          {
            scope: 'config',
            reason: 'UNKNOWN_ROUTE',
            message: `route ${ref.id} is not configured on this worker`,
            retryable: false,
            ambiguous: false,
          },
        ],
      });
    }
    const key = `${route.account}|${route.region}|${route.endpoint ?? ''}`;
    let client = clients.get(key);
    if (!client) {
      client = createSmsClient({
        region: route.region,
        endpoint: route.endpoint,
        credentials: credentialsFor(config.accounts[route.account], route.region),
        requestTimeoutMs: options.requestTimeoutMs,
      });
      clients.set(key, client);
    }
    return client;
  };
  return Object.assign(registry, {
    destroyAll(): void {
      for (const client of clients.values()) client.destroy();
      clients.clear();
    },
  });
}
