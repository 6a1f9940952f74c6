/**
 * The credentials of an account of the config, for any of our AWS clients: the default chain, a named profile,
 * AssumeRole into a secondary account, or fixed keys (emulators).
 */
import type { PinpointSMSVoiceV2ClientConfig } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AccountConfig } from '../domain/config';

/** Static credentials or a provider; undefined means the SDK's default chain. Same type for every client. */
export type AwsCredentials = PinpointSMSVoiceV2ClientConfig['credentials'];

export function credentialsFor(account: AccountConfig, region: string): AwsCredentials {
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
