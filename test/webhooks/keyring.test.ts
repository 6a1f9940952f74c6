/**
 * The worker's webhook keys (src/webhooks/keyring.ts): read from the variables the config names, refused with the
 * variable's name (never its value) when missing or too short.
 */
import { configSchema } from '../../src/domain/config';
import { webhookKeyringFor } from '../../src/webhooks/keyring';
import { fixtureConfigInput } from '../helpers/fixtures';

const LONG = 'x'.repeat(32);

function config() {
  const webhook = {
    signingKeyId: 'k2',
    keys: [
      { id: 'k2', env: 'WH_K2' },
      { id: 'k1', env: 'WH_K1' },
    ],
  };
  return configSchema.parse({
    ...fixtureConfigInput(),
    policies: { otp: { webhook }, alerts: { webhook }, plain: {} },
  });
}

describe('webhookKeyringFor', () => {
  it('reads every listed key of every use case, by id', () => {
    const env: Record<string, string> = { WH_K2: `${LONG}2`, WH_K1: `${LONG}1` };
    const keys = webhookKeyringFor(config(), (name) => env[name]);
    expect([...keys.entries()]).toEqual([
      ['k2', `${LONG}2`],
      ['k1', `${LONG}1`],
    ]);
  });

  it('names the missing variable', () => {
    expect(() => webhookKeyringFor(config(), (name) => (name === 'WH_K2' ? LONG : undefined))).toThrow(
      'policies.otp.webhook key "k1": environment variable WH_K1 is not set',
    );
  });

  it('refuses a secret shorter than 32 characters without printing it', () => {
    expect(() => webhookKeyringFor(config(), () => 'short-secret')).toThrow(
      /WH_K2 is too short to be a secret \(at least 32/,
    );
    expect(() => webhookKeyringFor(config(), () => 'short-secret')).not.toThrow(/short-secret/);
  });

  it('is empty for a config without webhooks', () => {
    expect(webhookKeyringFor(configSchema.parse(fixtureConfigInput()), () => undefined).size).toBe(0);
  });
});
