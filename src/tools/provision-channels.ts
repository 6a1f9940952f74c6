/**
 * Creates, on the local emulators, what the alternate channels need in AWS:
 * - email: the sender identity (`CreateEmailIdentity`; the simulator and moto treat it as verified at once) and the
 *   configuration set, if the config names one — on the channel's `endpoint`: the simulator in the local stack
 *   (src/simulator/ses-setup.ts; it publishes the set's events), moto in test/activities/email.test.ts;
 * - push: an FCM platform application, plus helpers to create (and disable) platform endpoints for test devices.
 * Idempotent: existing resources are reused. Only channels with an `endpoint` (an emulator) are provisioned.
 */
import {
  AlreadyExistsException,
  CreateConfigurationSetCommand,
  CreateEmailIdentityCommand,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import {
  CreatePlatformApplicationCommand,
  CreatePlatformEndpointCommand,
  SetEndpointAttributesCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import type { AccountConfig, Config } from '../domain/config';
import { ownValue } from '../domain/own';
import { EMULATOR_CREDENTIALS } from './provision-emulator';

export const PUSH_PLATFORM_APPLICATION = 'resilient-sms';

export interface PushEndpoints {
  platformApplicationArn: string;
  region: string;
  /** Registers a device token; returns its endpoint ARN (the same ARN again for the same token). */
  create(token: string, opts?: { enabled?: boolean; customUserData?: string }): Promise<string>;
  /** What SNS does when the platform reports the token invalid: later publishes fail with EndpointDisabled. */
  disable(endpointArn: string): Promise<void>;
}

export interface ProvisionedChannels {
  email?: { region: string; identity: string; configurationSet?: string };
  push?: PushEndpoints;
}

/** The channel account's own keys when static (so the emulator sees the same caller as the sends), else any. */
function emulatorCredentials(account: AccountConfig | undefined) {
  const c = account?.credentials;
  return c?.type === 'static'
    ? { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey }
    : EMULATOR_CREDENTIALS;
}

/** SES answers AlreadyExistsException for an existing resource; moto names some `ConfigurationSetAlreadyExists…`. */
async function ignoreExisting(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof AlreadyExistsException) && !/AlreadyExists/.test((err as Error).name)) throw err;
  }
}

export async function provisionChannels(config: Config): Promise<ProvisionedChannels> {
  const out: ProvisionedChannels = {};
  const { email, push } = config.channels;

  if (email?.endpoint) {
    const ses = new SESv2Client({
      region: email.region,
      endpoint: email.endpoint,
      credentials: emulatorCredentials(ownValue(config.accounts, email.account)),
    });
    try {
      await ignoreExisting(ses.send(new CreateEmailIdentityCommand({ EmailIdentity: email.fromAddress })));
      if (email.configurationSet) {
        await ignoreExisting(
          ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: email.configurationSet })),
        );
      }
    } finally {
      ses.destroy();
    }
    out.email = {
      region: email.region,
      identity: email.fromAddress,
      ...(email.configurationSet ? { configurationSet: email.configurationSet } : {}),
    };
  }

  if (push?.endpoint) {
    const endpoint = push.endpoint;
    const credentials = emulatorCredentials(ownValue(config.accounts, push.account));
    const withSns = async <T>(fn: (sns: SNSClient) => Promise<T>): Promise<T> => {
      const sns = new SNSClient({ region: push.region, endpoint, credentials });
      try {
        return await fn(sns);
      } finally {
        sns.destroy();
      }
    };
    const app = await withSns((sns) =>
      sns.send(
        new CreatePlatformApplicationCommand({
          Name: PUSH_PLATFORM_APPLICATION,
          Platform: 'GCM',
          Attributes: { PlatformCredential: 'emulator-fcm-service-account' },
        }),
      ),
    );
    const platformApplicationArn = app.PlatformApplicationArn;
    if (!platformApplicationArn) throw new Error('CreatePlatformApplication returned no PlatformApplicationArn');
    out.push = {
      platformApplicationArn,
      region: push.region,
      async create(token, opts = {}) {
        const res = await withSns((sns) =>
          sns.send(
            new CreatePlatformEndpointCommand({
              PlatformApplicationArn: platformApplicationArn,
              Token: token,
              ...(opts.customUserData !== undefined ? { CustomUserData: opts.customUserData } : {}),
              Attributes: { Enabled: opts.enabled === false ? 'false' : 'true' },
            }),
          ),
        );
        if (!res.EndpointArn) throw new Error('CreatePlatformEndpoint returned no EndpointArn');
        return res.EndpointArn;
      },
      async disable(endpointArn) {
        await withSns((sns) =>
          sns.send(new SetEndpointAttributesCommand({ EndpointArn: endpointArn, Attributes: { Enabled: 'false' } })),
        );
      },
    };
  }
  return out;
}
