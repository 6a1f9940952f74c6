/**
 * The PEM inputs of `temporal.tls`, read and checked before any connection: readable, PEM, a certificate or a key
 * as the field says, the client certificate valid now (node's X509Certificate: validFrom / validTo) and its key the
 * certificate's (X509Certificate.checkPrivateKey). A bad one fails at start with the field's name, not as a TLS
 * handshake the server refuses with a less helpful word.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { TemporalTlsConfig, TlsPemInput } from '../domain/config-process';
import { TemporalSettingsError } from './errors';

/** Where the PEM inputs' variables are read from (the environment, then security.envFile). */
export type PemSource = (name: string) => string | undefined;

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** The text of one input and the config field it came from, or undefined when the config names none. */
export function readPemInput(
  tls: TemporalTlsConfig,
  input: TlsPemInput,
  source: PemSource,
): { text: string; field: string } | undefined {
  const file = tls[`${input}File`];
  const env = tls[`${input}Env`];
  if (file !== undefined) {
    const field = `temporal.tls.${input}File`;
    const abs = path.resolve(file);
    try {
      return { text: fs.readFileSync(abs, 'utf8'), field };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new TemporalSettingsError(field, `cannot read ${abs} (${code})`);
    }
  }
  if (env !== undefined) {
    const field = `temporal.tls.${input}Env`;
    const value = source(env);
    if (value === undefined) throw new TemporalSettingsError(field, `environment variable ${env} is not set`);
    // Env files hold one line per variable: a PEM may come with its newlines written as \n.
    return { text: value.includes('\n') ? value : value.replace(/\\n/g, '\n'), field };
  }
  return undefined;
}

/** The PEM blocks of `text` of one kind (`CERTIFICATE`, or any `… PRIVATE KEY`). */
function blocks(text: string, kind: (label: string) => boolean): string[] {
  return [...text.matchAll(BLOCK)].filter((m) => kind(m[1])).map((m) => m[0]);
}

/** Every certificate in a PEM bundle (a CA file may hold several), parsed. */
export function parseCertificates(text: string, field: string, what: string): X509Certificate[] {
  const pems = blocks(text, (label) => label === 'CERTIFICATE');
  if (pems.length === 0) {
    const hint = /PRIVATE KEY-----/.test(text) ? ' (it holds a private key: swapped with the key?)' : '';
    throw new TemporalSettingsError(field, `is not a PEM ${what} (no -----BEGIN CERTIFICATE----- block)${hint}`);
  }
  return pems.map((pem, i) => {
    try {
      return new X509Certificate(pem);
    } catch (err) {
      throw new TemporalSettingsError(
        field,
        `certificate #${i + 1} is not a valid PEM ${what}: ${(err as Error).message}`,
      );
    }
  });
}

export function parsePrivateKey(text: string, field: string): KeyObject {
  const pems = blocks(text, (label) => label.endsWith('PRIVATE KEY'));
  if (pems.length === 0) {
    const hint = /BEGIN CERTIFICATE/.test(text) ? ' (it holds a certificate: swapped with the certificate?)' : '';
    throw new TemporalSettingsError(field, `is not a PEM private key (no -----BEGIN … PRIVATE KEY----- block)${hint}`);
  }
  if (pems[0].includes('ENCRYPTED')) {
    throw new TemporalSettingsError(field, 'is an encrypted private key: give the key unencrypted (file mode 0600)');
  }
  try {
    return createPrivateKey(pems[0]);
  } catch (err) {
    throw new TemporalSettingsError(field, `is not a valid PEM private key: ${(err as Error).message}`);
  }
}

/** The client certificate (the first of its file: the leaf) must be valid at `now`. */
export function checkValidity(cert: X509Certificate, field: string, now: Date): void {
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  if (to.getTime() <= now.getTime()) {
    throw new TemporalSettingsError(
      field,
      `the client certificate (${cert.subject.replace(/\n/g, ', ')}) expired on ${to.toISOString()}: renew it`,
    );
  }
  if (from.getTime() > now.getTime()) {
    throw new TemporalSettingsError(
      field,
      `the client certificate (${cert.subject.replace(/\n/g, ', ')}) is not valid before ${from.toISOString()}`,
    );
  }
}

/** The key must be the certificate's: a pair from two different issues fails every handshake. */
export function checkKeyMatches(cert: X509Certificate, key: KeyObject, certField: string, keyField: string): void {
  let matches: boolean;
  try {
    matches = cert.checkPrivateKey(key);
  } catch {
    matches = false; // a key of another type (RSA vs EC) throws instead of answering false
  }
  if (!matches) {
    throw new TemporalSettingsError(keyField, `is not the private key of the certificate in ${certField}`);
  }
}
