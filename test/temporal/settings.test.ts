/**
 * Reading the `temporal` section into connection settings (src/temporal/settings.ts, pem.ts): every PEM read and
 * checked at start, each failure naming the field to fix: unreadable, not PEM, swapped, expired, a key that is
 * not the certificate's, a missing variable. Certificates are made for the run with openssl (test/helpers/tls-certs.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { configSchema, type Config } from '../../src/domain/config';
import { TemporalSettingsError } from '../../src/temporal/errors';
import { describeSettings, temporalSettings } from '../../src/temporal/settings';
import { makeTestCerts, type TestCerts } from '../helpers/tls-certs';

let certs: TestCerts;
beforeAll(() => {
  certs = makeTestCerts();
});
afterAll(() => certs.remove());

function config(temporal: Record<string, unknown>): Config {
  return configSchema.parse({
    temporal: { address: '127.0.0.1:7233', ...temporal },
    accounts: { primary: { credentials: { type: 'static', accessKeyId: 'AKID', secretAccessKey: 'x' } } },
    routes: [{ id: 'r', account: 'primary', region: 'us-east-1', endpoint: 'http://127.0.0.1:4599' }],
    originators: { US: [{ route: 'r', identity: 'pool-1', type: 'short-code' }] },
    policies: { otp: {} },
  });
}

const mtls = () => ({ serverCaFile: certs.caPem, clientCertFile: certs.clientPem, clientKeyFile: certs.clientKey });

function failure(fn: () => unknown): TemporalSettingsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TemporalSettingsError) return err;
    throw err;
  }
  throw new Error('expected a TemporalSettingsError');
}

describe('temporalSettings', () => {
  it('a config without TLS connects in plain TCP, as before', () => {
    const s = temporalSettings(config({}), { env: {} });
    expect(s).toMatchObject({ address: '127.0.0.1:7233', namespace: 'default' });
    expect(s.tls).toBeUndefined();
    expect(s.apiKey).toBeUndefined();
  });

  it('the flag or $TEMPORAL_ADDRESS the caller read wins over the config', () => {
    expect(temporalSettings(config({}), { env: {}, address: 'other:7233', namespace: 'ns' })).toMatchObject({
      address: 'other:7233',
      namespace: 'ns',
    });
  });

  it('mutual TLS from files: CA, certificate, key and server name as the SDK takes them', () => {
    const s = temporalSettings(config({ tls: { ...mtls(), serverName: 'temporal.test' } }), { env: {} });
    expect(Buffer.from(s.tls!.serverRootCACertificate!).toString()).toBe(fs.readFileSync(certs.caPem, 'utf8'));
    expect(Buffer.from(s.tls!.clientCertPair!.crt).toString()).toBe(fs.readFileSync(certs.clientPem, 'utf8'));
    expect(Buffer.from(s.tls!.clientCertPair!.key).toString()).toBe(fs.readFileSync(certs.clientKey, 'utf8'));
    expect(s.tls!.serverNameOverride).toBe('temporal.test');
    expect(describeSettings(s)).toBe(
      '127.0.0.1:7233 (namespace default; TLS, client certificate, server name temporal.test)',
    );
  });

  it('PEMs from variables, newlines written as \\n (one-line env files) or real ones', () => {
    const env = {
      CA: fs.readFileSync(certs.caPem, 'utf8'),
      CRT: fs.readFileSync(certs.clientPem, 'utf8').replace(/\n/g, '\\n'),
      KEY: fs.readFileSync(certs.clientKey, 'utf8'),
    };
    const s = temporalSettings(config({ tls: { serverCaEnv: 'CA', clientCertEnv: 'CRT', clientKeyEnv: 'KEY' } }), {
      env,
    });
    expect(Buffer.from(s.tls!.clientCertPair!.crt).toString()).toBe(fs.readFileSync(certs.clientPem, 'utf8'));
    expect(s.fields).toMatchObject({
      clientCert: 'temporal.tls.clientCertEnv',
      clientKey: 'temporal.tls.clientKeyEnv',
    });
  });

  it('tls.enabled: false keeps the section and connects in plain TCP', () => {
    expect(temporalSettings(config({ tls: { ...mtls(), enabled: false } }), { env: {} }).tls).toBeUndefined();
  });

  it('an API key from its variable, with TLS (the key travels in a header)', () => {
    const s = temporalSettings(config({ apiKeyEnv: 'TEMPORAL_API_KEY' }), { env: { TEMPORAL_API_KEY: ' key-1\n' } });
    expect(s.apiKey).toBe('key-1');
    expect(s.tls).toEqual({});
    expect(describeSettings(s)).not.toContain('key-1');
  });

  it('a missing variable names the field and the variable', () => {
    expect(failure(() => temporalSettings(config({ apiKeyEnv: 'TEMPORAL_API_KEY' }), { env: {} })).message).toBe(
      'temporal.apiKeyEnv: environment variable TEMPORAL_API_KEY is not set',
    );
    const err = failure(() => temporalSettings(config({ tls: { serverCaEnv: 'NO_SUCH_CA' } }), { env: {} }));
    expect(err.field).toBe('temporal.tls.serverCaEnv');
    expect(err.message).toContain('environment variable NO_SUCH_CA is not set');
  });

  it('an unreadable file names the field, the path and why', () => {
    const missing = path.join(certs.dir, 'nope.pem');
    const err = failure(() => temporalSettings(config({ tls: { ...mtls(), clientCertFile: missing } }), { env: {} }));
    expect(err.field).toBe('temporal.tls.clientCertFile');
    expect(err.message).toBe(`temporal.tls.clientCertFile: cannot read ${missing} (ENOENT)`);
  });

  it('a file that is not PEM, or a certificate and key swapped, says so', () => {
    const junk = path.join(certs.dir, 'junk.pem');
    fs.writeFileSync(junk, 'not a certificate\n');
    expect(failure(() => temporalSettings(config({ tls: { serverCaFile: junk } }), { env: {} })).message).toMatch(
      /^temporal\.tls\.serverCaFile: is not a PEM CA certificate/,
    );
    const swapped = { ...mtls(), clientCertFile: certs.clientKey, clientKeyFile: certs.clientPem };
    expect(failure(() => temporalSettings(config({ tls: swapped }), { env: {} })).message).toMatch(
      /^temporal\.tls\.clientCertFile: is not a PEM client certificate .*swapped with the key\?/,
    );
    const broken = path.join(certs.dir, 'broken.pem');
    fs.writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    expect(failure(() => temporalSettings(config({ tls: { serverCaFile: broken } }), { env: {} })).message).toMatch(
      /^temporal\.tls\.serverCaFile: certificate #1 is not a valid PEM CA certificate/,
    );
  });

  it('an expired client certificate fails at start, naming the field and the date', () => {
    const err = failure(() =>
      temporalSettings(config({ tls: { ...mtls(), clientCertFile: certs.expiredPem } }), { env: {} }),
    );
    expect(err.field).toBe('temporal.tls.clientCertFile');
    expect(err.message).toMatch(/the client certificate \(CN=expired\) expired on \d{4}-\d\d-\d\dT.*: renew it$/);
  });

  it('a client certificate not yet valid fails too (the clock given)', () => {
    const err = failure(() => temporalSettings(config({ tls: mtls() }), { env: {}, now: new Date('2000-01-01') }));
    expect(err.message).toMatch(
      /^temporal\.tls\.clientCertFile: the client certificate \(CN=client\) is not valid before/,
    );
  });

  it('a key that is not the certificate’s names the key field and the certificate field', () => {
    const err = failure(() =>
      temporalSettings(config({ tls: { ...mtls(), clientKeyFile: certs.otherKey } }), { env: {} }),
    );
    expect(err.message).toBe(
      'temporal.tls.clientKeyFile: is not the private key of the certificate in temporal.tls.clientCertFile',
    );
  });
});
