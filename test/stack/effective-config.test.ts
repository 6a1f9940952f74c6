/** The local stack's effective config points local endpoints at what the stack started. */
import path from 'node:path';
import { loadConfig } from '../../src/config/load';
import { effectiveConfig } from '../../src/stack/effective-config';

const local = loadConfig(path.join(__dirname, '..', '..', 'config', 'local.yaml'));
const at = { temporal: '127.0.0.1:17233', simulator: 'http://127.0.0.1:14599', sqs: 'http://127.0.0.1:14566' };

it('moves the AWS Health event queue of local.yaml to the emulator the stack started', () => {
  const healthEvents = effectiveConfig(local, at).routeHealth?.healthEvents;
  expect(healthEvents).toMatchObject({
    endpoint: 'http://127.0.0.1:14566',
    queueUrl: 'http://127.0.0.1:14566/123456789012/rsms-aws-health',
  });
});

it('leaves a queue in AWS, and a config without route health, as they are', () => {
  const inAws = {
    ...local,
    routeHealth: {
      ...local.routeHealth!,
      healthEvents: {
        ...local.routeHealth!.healthEvents!,
        endpoint: undefined,
        queueUrl: 'https://sqs.us-east-1.amazonaws.com/111111111111/rsms-aws-health',
      },
    },
  };
  expect(effectiveConfig(inAws, at).routeHealth).toEqual(inAws.routeHealth);
  expect(effectiveConfig({ ...local, routeHealth: undefined }, at).routeHealth).toBeUndefined();
});

it("drops the config's TLS and API key: the stack's own dev server speaks plain TCP", () => {
  const secured = {
    ...local,
    temporal: { ...local.temporal, apiKeyEnv: 'TEMPORAL_API_KEY', tls: { enabled: true, serverName: 'temporal.test' } },
  };
  const t = JSON.parse(JSON.stringify(effectiveConfig(secured, at).temporal)) as Record<string, unknown>;
  expect(t).toEqual({
    address: '127.0.0.1:17233',
    namespace: local.temporal.namespace,
    taskQueue: local.temporal.taskQueue,
  });
});

it('points email (SES v2 with its events) and WhatsApp at the simulator, push at the emulator', () => {
  const { channels } = effectiveConfig(local, at);
  expect(channels.email).toMatchObject({ endpoint: 'http://127.0.0.1:14599', configurationSet: 'rsms-mail' });
  expect(channels.whatsapp?.endpoint).toBe('http://127.0.0.1:14599');
  expect(channels.push?.endpoint).toBe('http://127.0.0.1:14566');
});
