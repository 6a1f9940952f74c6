/**
 * The config's `temporal` section: TLS inputs by file or variable, the API key only by variable (a key written in
 * the file is refused, saying how to do it right), and old configs unchanged.
 */
import { parseOrThrow } from '../../src/domain/errors';
import { configSchema } from '../../src/domain/config';

const base = {
  accounts: { primary: { credentials: { type: 'static', accessKeyId: 'AKID', secretAccessKey: 'x' } } },
  routes: [{ id: 'r', account: 'primary', region: 'us-east-1', endpoint: 'http://127.0.0.1:4599' }],
  originators: { US: [{ route: 'r', identity: 'pool-1', type: 'short-code' }] },
  policies: { otp: {} },
};
const parse = (temporal: unknown) => parseOrThrow(configSchema, { ...base, temporal }, 'config');

describe('temporal section', () => {
  it('keeps an old config as it was: address, namespace, task queue, no TLS, no API key', () => {
    const t = parse({ address: 'temporal:7233', namespace: 'prod', taskQueue: 'sms' }).temporal;
    expect(t).toEqual({ address: 'temporal:7233', namespace: 'prod', taskQueue: 'sms' });
    expect(parseOrThrow(configSchema, base, 'config').temporal.tls).toBeUndefined();
  });

  it('takes mutual TLS by files and by variables, a server name, an API key variable and a connect timeout', () => {
    const t = parse({
      address: 'ns.acct.tmprl.cloud:7233',
      tls: {
        serverCaEnv: 'CA_PEM',
        clientCertFile: '/etc/rsms/client.pem',
        clientKeyFile: 'client.key',
        serverName: 'temporal.internal',
      },
      apiKeyEnv: 'TEMPORAL_API_KEY',
      connectTimeout: '3s',
    }).temporal;
    expect(t.tls).toEqual({
      enabled: true,
      serverCaEnv: 'CA_PEM',
      clientCertFile: '/etc/rsms/client.pem',
      clientKeyFile: 'client.key',
      serverName: 'temporal.internal',
    });
    expect(t.apiKeyEnv).toBe('TEMPORAL_API_KEY');
    expect(t.connectTimeout).toBe(3000);
  });

  it('refuses an API key written in the file, naming the field and the way to do it', () => {
    expect(() => parse({ apiKey: 'eyJhbGciOi.secret' })).toThrow(
      /temporal\.apiKey: never write the API key in the config file.*temporal\.apiKeyEnv \(e\.g\. apiKeyEnv: TEMPORAL_API_KEY\)/,
    );
  });

  it('refuses an API key variable that is not a variable name', () => {
    expect(() => parse({ apiKeyEnv: 'tmprl_abc.def' })).toThrow(
      /temporal\.apiKeyEnv: must be an environment variable name/,
    );
  });

  it('refuses a PEM input given both ways, and a client certificate without its key (and the reverse)', () => {
    expect(() => parse({ tls: { serverCaFile: 'ca.pem', serverCaEnv: 'CA' } })).toThrow(
      /temporal\.tls\.serverCaEnv: give serverCaFile or serverCaEnv, not both/,
    );
    expect(() => parse({ tls: { clientCertFile: 'c.pem' } })).toThrow(
      /temporal\.tls\.clientKeyFile: mutual TLS needs both/,
    );
    expect(() => parse({ tls: { clientKeyEnv: 'KEY' } })).toThrow(
      /temporal\.tls\.clientCertFile: mutual TLS needs both/,
    );
  });

  it('refuses a PEM written in the file (no such field) and a server name that is not a host name', () => {
    expect(() => parse({ tls: { clientKey: '-----BEGIN PRIVATE KEY-----' } })).toThrow(/temporal\.tls.*clientKey/);
    expect(() => parse({ tls: { serverName: 'https://temporal.example.com' } })).toThrow(/temporal\.tls\.serverName/);
  });
});
