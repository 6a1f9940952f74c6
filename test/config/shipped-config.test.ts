/** The configs we ship and test with must parse, and describe what the README promises. */
import path from 'node:path';
import { loadConfig } from '../../src/config/load';
import { resolveMessage } from '../../src/domain/resolve';

const root = path.join(__dirname, '..', '..');

it.each(['config/local.yaml', 'test/e2e/config.yaml'])('%s is a valid config', (file) => {
  const config = loadConfig(path.join(root, file));
  expect(Object.keys(config.accounts)).toEqual(['primary', 'secondary']);
  expect(new Set(config.routes.map((r) => r.region))).toEqual(new Set(['us-east-1', 'us-west-2']));
});

it('local.yaml: two accounts in one Region and a second Region, for the US and GB, two originator types each', () => {
  const config = loadConfig(path.join(root, 'config/local.yaml'));
  for (const country of ['US', 'GB']) {
    const { plan } = resolveMessage(config, {
      destination: country === 'US' ? '+14255550123' : '+447400123456',
      body: 'x',
      useCase: 'alert',
    });
    const sms = plan.rungs.filter((r) => r.channel === 'sms');
    expect(new Set(sms.map((r) => r.account))).toEqual(new Set(['primary', 'secondary']));
    expect(new Set(sms.map((r) => r.region))).toEqual(new Set(['us-east-1', 'us-west-2']));
    expect(new Set(sms.map((r) => r.originatorType)).size).toBeGreaterThanOrEqual(2);
  }
});
