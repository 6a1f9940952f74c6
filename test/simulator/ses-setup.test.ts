/**
 * The simulator's SES v2 set-up operations on the wire, as the local stack's provisioning calls them: the REAL
 * `@aws-sdk/client-sesv2` client creates the email identity and the configuration set (per account × Region), a
 * second create answers `AlreadyExistsException` (so `provisionChannels` stays idempotent), a missing name
 * `BadRequestException`.
 */
import '../helpers/cross-realm-errors';
import {
  AlreadyExistsException,
  BadRequestException,
  CreateConfigurationSetCommand,
  CreateEmailIdentityCommand,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import type { Config } from '../../src/domain/config';
import { startSimulator, type Simulator } from '../../src/simulator/server';
import { provisionChannels } from '../../src/tools/provision-channels';
import { KEYS, rejection, simConfig } from './harness';

let sim: Simulator;
let config: Config;
const clients: SESv2Client[] = [];

beforeAll(async () => {
  // No SNS publish happens here: the DLR endpoint is never reached.
  config = simConfig('http://127.0.0.1:9');
  sim = await startSimulator({ config, deliveryDelayMs: 100 });
  config = {
    ...config,
    channels: {
      ...config.channels,
      email: {
        account: 'primary',
        region: 'us-east-1',
        endpoint: sim.url,
        fromAddress: 'no-reply@example.com',
        configurationSet: 'rsms-mail',
      },
    },
  };
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await sim?.stop();
});

function ses(account: 'primary' | 'secondary', region = 'us-east-1'): SESv2Client {
  const client = new SESv2Client({ region, endpoint: sim.url, credentials: KEYS[account], maxAttempts: 1 });
  clients.push(client);
  return client;
}

it('provisionChannels creates the identity and configuration set on the simulator, and reruns cleanly', async () => {
  await expect(provisionChannels(config)).resolves.toEqual({
    email: { region: 'us-east-1', identity: 'no-reply@example.com', configurationSet: 'rsms-mail' },
  });
  await expect(provisionChannels(config)).resolves.toMatchObject({ email: { identity: 'no-reply@example.com' } });
  // They exist now: creating them again is refused as SES does.
  const again = await rejection(
    ses('primary').send(new CreateEmailIdentityCommand({ EmailIdentity: 'no-reply@example.com' })),
  );
  expect(again).toBeInstanceOf(AlreadyExistsException);
  const set = await rejection(
    ses('primary').send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'rsms-mail' })),
  );
  expect(set).toBeInstanceOf(AlreadyExistsException);
});

it('keeps identities per account × Region and answers what SES answers', async () => {
  const out = await ses('secondary').send(new CreateEmailIdentityCommand({ EmailIdentity: 'no-reply@example.com' }));
  expect(out).toMatchObject({ IdentityType: 'EMAIL_ADDRESS', VerifiedForSendingStatus: true });
  const west = await ses('primary', 'us-west-2').send(new CreateEmailIdentityCommand({ EmailIdentity: 'example.com' }));
  expect(west).toMatchObject({ IdentityType: 'DOMAIN' });
  await expect(
    ses('primary', 'us-west-2').send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'rsms-mail' })),
  ).resolves.toBeDefined();
});

it('refuses a missing name with BadRequestException naming the field', async () => {
  const err = await rejection(ses('primary').send(new CreateConfigurationSetCommand({ ConfigurationSetName: '' })));
  expect(err).toBeInstanceOf(BadRequestException);
  expect(err.message).toMatch(/ConfigurationSetName/);
});

it('lists the set-up operations on its index page', async () => {
  const index = (await (await fetch(`${sim.url}/`)).json()) as { operations: string[] };
  expect(index.operations).toEqual(
    expect.arrayContaining(['SendEmail', 'CreateEmailIdentity', 'CreateConfigurationSet']),
  );
});
