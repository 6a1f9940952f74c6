/**
 * From a failed first call to the field to fix (src/temporal/explain.ts): the gRPC status of the pure-JS client
 * (grpc-js), the text of Temporal Core's errors, and what a failed TLS handshake of tls-probe.ts reported. The
 * texts are the SDKs' own, as test/temporal/tls-endpoint.test.ts meets them through nginx.
 */
import { TemporalSettingsError, TemporalUnreachableError } from '../../src/temporal/errors';
import { explainConnectError, explainProbe } from '../../src/temporal/explain';
import type { TemporalSettings } from '../../src/temporal/settings';

const mtls: TemporalSettings = {
  address: 'ns.acct.tmprl.cloud:7233',
  namespace: 'ns.acct',
  tls: { clientCertPair: { crt: Buffer.from('c'), key: Buffer.from('k') }, serverNameOverride: 'temporal.test' },
  fields: {
    clientCert: 'temporal.tls.clientCertFile',
    clientKey: 'temporal.tls.clientKeyFile',
    serverCa: 'temporal.tls.serverCaEnv',
    serverName: 'temporal.tls.serverName',
  },
};
const apiKey: TemporalSettings = {
  address: 'us-east-1.aws.api.temporal.io:7233',
  namespace: 'ns.acct',
  tls: {},
  apiKey: 'k',
  fields: { apiKey: 'temporal.apiKeyEnv' },
};

/** What Connection.connect throws: a ServiceError whose cause carries the gRPC status. */
function serviceError(code: number, details: string): Error {
  const cause = Object.assign(new Error(`${code} ${details}`), { code, details });
  return Object.assign(new Error('Failed to connect to Temporal server'), { cause });
}

async function explained(s: TemporalSettings, err: unknown): Promise<Error> {
  return explainConnectError(s, err, 1000);
}

describe('explainConnectError', () => {
  it('UNAUTHENTICATED / PERMISSION_DENIED with an API key: the key was refused', async () => {
    for (const code of [16, 7]) {
      const e = await explained(apiKey, serviceError(code, 'Request unauthorized'));
      expect(e).toBeInstanceOf(TemporalSettingsError);
      expect(e.message).toMatch(/^temporal\.apiKeyEnv: us-east-1\.aws\.api\.temporal\.io:7233 rejected the API key/);
    }
  });

  it('the same from Temporal Core (text only)', async () => {
    const core = new Error('Failed to call GetSystemInfo: code: \'Unauthenticated\', message: "Request unauthorized"');
    expect((await explained(apiKey, core)).message).toMatch(/^temporal\.apiKeyEnv: .* rejected the API key/);
  });

  it('refused with a client certificate: the certificate was refused', async () => {
    expect((await explained(mtls, serviceError(7, 'Request unauthorized'))).message).toMatch(
      /^temporal\.tls\.clientCertFile: ns\.acct\.tmprl\.cloud:7233 rejected the client certificate/,
    );
  });

  it('refused with no credentials at all: name both ways to give some', async () => {
    const plain: TemporalSettings = { address: 'a:7233', namespace: 'n', fields: {} };
    expect((await explained(plain, serviceError(16, 'Request unauthorized'))).message).toMatch(
      /^temporal\.apiKeyEnv: a:7233 requires credentials and none are configured.*temporal\.tls/,
    );
  });

  it("HTTP 400 after a TLS handshake (nginx's answer without a valid client certificate) names the certificate", async () => {
    const noCert = { ...mtls, tls: {}, fields: {} };
    expect((await explained(noCert, serviceError(13, 'Received HTTP status code 400'))).message).toMatch(
      /^temporal\.tls\.clientCertFile: ns\.acct\.tmprl\.cloud:7233 requires a client certificate \(mutual TLS\) and none is configured/,
    );
    const core = new Error(
      'Failed to call GetSystemInfo: code: \'Internal error\', message: "… with status: 400 Bad Request"',
    );
    expect((await explained(mtls, core)).message).toMatch(
      /^temporal\.tls\.clientCertFile: .* rejected the client certificate/,
    );
  });

  it("Core's TLS words: unknown issuer, wrong name, key mismatch, a server without TLS", async () => {
    const cases: [string, RegExp][] = [
      ['InvalidCertificate(UnknownIssuer)', /^temporal\.tls\.serverCaEnv: this CA did not sign/],
      [
        'InvalidCertificate(NotValidForNameContext { expected: DnsName("x") })',
        /^temporal\.tls\.serverName: "temporal\.test" is not a name/,
      ],
      [
        'tonic::transport::Error(Transport, InconsistentKeys(KeyMismatch))',
        /^temporal\.tls\.clientKeyFile: is not the key/,
      ],
      [
        'ConnectError(Custom { kind: InvalidData, error: InvalidMessage(InvalidContentType) })',
        /^temporal\.tls: .* does not speak TLS/,
      ],
    ];
    for (const [text, message] of cases) expect((await explained(mtls, new Error(text))).message).toMatch(message);
  });

  it('a deadline or a refused connection is an outage, not a setting', async () => {
    const deadline = await explained(mtls, new Error('Failed to connect before the deadline'));
    expect(deadline).toBeInstanceOf(TemporalUnreachableError);
    expect(deadline.message).toBe(
      'no answer from Temporal at ns.acct.tmprl.cloud:7233 within 1000 ms (temporal.connectTimeout): is the address right and the server up?',
    );
    const refused = await explained(mtls, new Error('connect ECONNREFUSED 10.0.0.1:7233'));
    expect(refused).toBeInstanceOf(TemporalUnreachableError);
    expect(refused.message).toBe(
      'cannot reach Temporal at ns.acct.tmprl.cloud:7233: connect ECONNREFUSED 10.0.0.1:7233',
    );
  });
});

describe('explainProbe', () => {
  it('node verification codes: untrusted server, wrong name, expired server certificate', () => {
    const e = (code: string) => explainProbe(mtls, { kind: 'tls-error', code, message: 'm' }, 1000)!.message;
    expect(e('UNABLE_TO_VERIFY_LEAF_SIGNATURE')).toMatch(/^temporal\.tls\.serverCaEnv: this CA did not sign/);
    expect(e('SELF_SIGNED_CERT_IN_CHAIN')).toMatch(/^temporal\.tls\.serverCaEnv: /);
    expect(e('ERR_TLS_CERT_ALTNAME_INVALID')).toMatch(/^temporal\.tls\.serverName: /);
    expect(e('CERT_HAS_EXPIRED')).toMatch(/^temporal\.address: the server certificate .* is not valid now/);
    expect(e('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED')).toMatch(
      /^temporal\.tls\.clientCertFile: .* rejected the client certificate/,
    );
    expect(e('ERR_SSL_WRONG_VERSION_NUMBER')).toMatch(/^temporal\.tls: .* does not speak TLS/);
  });

  it("OpenSSL's reason, not its internals", () => {
    const message =
      '808C8B15EF7F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:\n';
    expect(
      explainProbe(mtls, { kind: 'tls-error', code: 'ERR_SSL_WRONG_VERSION_NUMBER', message }, 1000)!.message,
    ).toBe(
      'temporal.tls: ns.acct.tmprl.cloud:7233 does not speak TLS (a plain-TCP server?): remove the tls section or set tls.enabled: false (ERR_SSL_WRONG_VERSION_NUMBER: wrong version number)',
    );
  });

  it('without a CA configured, the system CAs are what did not trust the server', () => {
    const noCa = { ...mtls, fields: {} };
    expect(
      explainProbe(noCa, { kind: 'tls-error', code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', message: 'm' }, 1000)!.message,
    ).toMatch(/^temporal\.tls\.serverCaFile: not set, and the system CAs do not trust/);
  });

  it('a handshake without HTTP/2 cannot carry gRPC; a good one is no error', () => {
    expect(explainProbe(mtls, { kind: 'ok', alpn: false }, 1000)!.message).toMatch(/speaks TLS but not HTTP\/2/);
    expect(explainProbe(mtls, { kind: 'ok', alpn: 'h2' }, 1000)).toBeUndefined();
  });
});
