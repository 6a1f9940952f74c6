/**
 * Certificates made for one test run with the `openssl` CLI (no key is committed): a CA, the server's certificate
 * (for `temporal.test` only, so a client must say that name), a client certificate the CA signed, one that has
 * expired, and for the failure cases a second CA and a key of no certificate. EC P-256 keys: fast to make.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const SERVER_NAME = 'temporal.test';

export interface TestCerts {
  dir: string;
  caPem: string;
  serverPem: string;
  serverKey: string;
  clientPem: string;
  clientKey: string;
  expiredPem: string;
  otherCaPem: string;
  otherKey: string;
  remove(): void;
}

export function haveOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function makeTestCerts(): TestCerts {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-tls-'));
  const f = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  fs.writeFileSync(
    f('ext.cnf'),
    `[server]\nsubjectAltName=DNS:${SERVER_NAME}\nextendedKeyUsage=serverAuth\n[client]\nextendedKeyUsage=clientAuth\n`,
  );
  const ca = (name: string) =>
    openssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.pem`),
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    );
  /** A certificate the CA signs, valid for `days` (-1: it expired yesterday). */
  const issue = (name: string, ext: string, days: number, keyOf = name) => {
    if (!fs.existsSync(f(`${keyOf}.key`)))
      openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', f(`${keyOf}.key`));
    openssl('req', '-new', '-key', f(`${keyOf}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${name}`);
    openssl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f(`${name}.pem`),
      '-days',
      String(days),
      '-extfile',
      f('ext.cnf'),
      '-extensions',
      ext,
    );
  };
  ca('ca');
  ca('other-ca');
  issue('server', 'server', 2);
  issue('client', 'client', 2);
  issue('expired', 'client', -1, 'client');
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', f('other.key'));
  const expired = new X509Certificate(fs.readFileSync(f('expired.pem')));
  if (new Date(expired.validTo).getTime() > Date.now())
    throw new Error(`openssl made no expired certificate: ${expired.validTo}`);
  for (const name of fs.readdirSync(dir)) fs.chmodSync(f(name), 0o600);
  return {
    dir,
    caPem: f('ca.pem'),
    serverPem: f('server.pem'),
    serverKey: f('server.key'),
    clientPem: f('client.pem'),
    clientKey: f('client.key'),
    expiredPem: f('expired.pem'),
    otherCaPem: f('other-ca.pem'),
    otherKey: f('other.key'),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
