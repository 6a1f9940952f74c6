/**
 * The one reading of the config's `temporal` section into what a connection needs: the address, the namespace, TLS
 * (CA, client certificate and key, server name) and the API key, every file and variable read and checked here, at
 * start (./pem.ts). src/temporal/connect.ts and ./native.ts build every connection from the result.
 */
import type { TLSConfig } from '@temporalio/client';
import { secretSourceFor } from '../codec/secrets';
import type { Config } from '../domain/config';
import type { TemporalTlsConfig } from '../domain/config-process';
import { TemporalSettingsError } from './errors';
import {
  checkKeyMatches,
  checkValidity,
  parseCertificates,
  parsePrivateKey,
  readPemInput,
  type PemSource,
} from './pem';

/** Where each setting came from, for the messages that ask to fix one. */
export interface SettingFields {
  serverCa?: string;
  clientCert?: string;
  clientKey?: string;
  serverName?: string;
  apiKey?: string;
}

export interface TemporalSettings {
  address: string;
  namespace: string;
  /** Absent: plain TCP. */
  tls?: TLSConfig;
  apiKey?: string;
  /** How long the first connection may take; absent: the caller's default. */
  connectTimeoutMs?: number;
  fields: SettingFields;
}

export interface SettingsOptions {
  /** --address, else $TEMPORAL_ADDRESS (the caller reads both); default temporal.address. */
  address?: string;
  /** --namespace; default temporal.namespace. */
  namespace?: string;
  /** Where the variables the section names are read (then security.envFile). Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The time the client certificate must be valid at. Default now. */
  now?: Date;
}

function tlsOf(tls: TemporalTlsConfig, source: PemSource, now: Date): { tls: TLSConfig; fields: SettingFields } {
  const fields: SettingFields = {};
  const out: TLSConfig = {};
  const ca = readPemInput(tls, 'serverCa', source);
  if (ca) {
    parseCertificates(ca.text, ca.field, 'CA certificate');
    out.serverRootCACertificate = Buffer.from(ca.text);
    fields.serverCa = ca.field;
  }
  const cert = readPemInput(tls, 'clientCert', source);
  const key = readPemInput(tls, 'clientKey', source);
  if (cert && key) {
    const [leaf] = parseCertificates(cert.text, cert.field, 'client certificate');
    checkValidity(leaf, cert.field, now);
    checkKeyMatches(leaf, parsePrivateKey(key.text, key.field), cert.field, key.field);
    out.clientCertPair = { crt: Buffer.from(cert.text), key: Buffer.from(key.text) };
    fields.clientCert = cert.field;
    fields.clientKey = key.field;
  }
  if (tls.serverName !== undefined) {
    out.serverNameOverride = tls.serverName;
    fields.serverName = 'temporal.tls.serverName';
  }
  return { tls: out, fields };
}

/** The settings of every connection this process makes; throws a TemporalSettingsError naming the field to fix. */
export function temporalSettings(
  config: Pick<Config, 'temporal' | 'security'>,
  opts: SettingsOptions = {},
): TemporalSettings {
  const env = opts.env ?? process.env;
  const t = config.temporal;
  const source = secretSourceFor(config, env);
  const settings: TemporalSettings = {
    address: opts.address ?? t.address,
    namespace: opts.namespace ?? t.namespace,
    connectTimeoutMs: t.connectTimeout,
    fields: {},
  };
  if (t.tls?.enabled !== false && t.tls !== undefined) {
    const { tls, fields } = tlsOf(t.tls, source, opts.now ?? new Date());
    settings.tls = tls;
    settings.fields = fields;
  }
  if (t.apiKeyEnv !== undefined) {
    const field = 'temporal.apiKeyEnv';
    const key = source(t.apiKeyEnv)?.trim();
    if (!key) throw new TemporalSettingsError(field, `environment variable ${t.apiKeyEnv} is not set`);
    settings.apiKey = key;
    settings.fields.apiKey = field;
    // An API key travels in a header: TLS unless the section turns it off explicitly (a local TLS-terminating proxy).
    if (t.tls === undefined) settings.tls = {};
  }
  return settings;
}

/** Plain settings for a server this process started itself (the local stack's dev server). */
export function plainSettings(address: string, namespace = 'default', connectTimeoutMs?: number): TemporalSettings {
  return { address, namespace, connectTimeoutMs, fields: {} };
}

/** What the settings ask of the server, for log lines: never a secret. */
export function describeSettings(s: TemporalSettings): string {
  const parts = [s.tls ? 'TLS' : 'plain TCP'];
  if (s.tls?.clientCertPair) parts.push('client certificate');
  if (s.apiKey) parts.push('API key');
  if (s.tls?.serverNameOverride) parts.push(`server name ${s.tls.serverNameOverride}`);
  return `${s.address} (namespace ${s.namespace}; ${parts.join(', ')})`;
}
