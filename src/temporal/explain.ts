/**
 * From what went wrong to what to fix: a failed TLS handshake (./tls-probe.ts) or a failed first call of the SDK
 * (grpc-js for Connection, Temporal Core for NativeConnection) becomes a TemporalSettingsError naming the config
 * field, or a TemporalUnreachableError when nothing says the settings are wrong.
 */
import { TemporalSettingsError, TemporalUnreachableError } from './errors';
import { probeTls, type ProbeResult } from './tls-probe';
import type { TemporalSettings } from './settings';

/** node's certificate verification codes that mean: the CA the settings trust did not sign the server's chain. */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

function caField(s: TemporalSettings): string {
  return s.fields.serverCa ?? 'temporal.tls.serverCaFile';
}

function untrusted(s: TemporalSettings, detail: string): TemporalSettingsError {
  const why = s.fields.serverCa
    ? 'this CA did not sign the server certificate'
    : 'not set, and the system CAs do not trust the server certificate';
  return new TemporalSettingsError(caField(s), `${why} of ${s.address} (${detail})`);
}

function wrongName(s: TemporalSettings, detail: string): TemporalSettingsError {
  const name = s.tls?.serverNameOverride;
  const field = s.fields.serverName ?? 'temporal.tls.serverName';
  const what = name
    ? `"${name}" is not a name the server certificate of ${s.address} holds`
    : `the server certificate of ${s.address} is not for that host: set it to a name the certificate holds`;
  return new TemporalSettingsError(field, `${what} (${detail})`);
}

function clientCertRejected(s: TemporalSettings, detail: string): TemporalSettingsError {
  if (s.fields.clientCert) {
    return new TemporalSettingsError(
      s.fields.clientCert,
      `${s.address} rejected the client certificate (not signed by a CA it trusts, revoked or expired for it): ${detail}`,
    );
  }
  return new TemporalSettingsError(
    'temporal.tls.clientCertFile',
    `${s.address} requires a client certificate (mutual TLS) and none is configured: ${detail}`,
  );
}

/** A failed handshake of ./tls-probe.ts, as an error naming the field; undefined for a handshake that worked. */
export function explainProbe(s: TemporalSettings, r: ProbeResult, timeoutMs: number): Error | undefined {
  if (r.kind === 'ok') {
    if (r.alpn === 'h2') return undefined;
    return new TemporalSettingsError('temporal.address', `${s.address} speaks TLS but not HTTP/2, which gRPC needs`);
  }
  if (r.kind === 'unreachable') return unreachable(s, r.code === 'TIMEOUT' ? undefined : r.message, timeoutMs);
  // OpenSSL's text is a line of library internals; its reason ("wrong version number") is what a reader needs.
  const reason = /SSL routines:[^:]*:([^:\n]+)/.exec(r.message)?.[1] ?? r.message.split('\n')[0];
  const detail = `${r.code}: ${reason}`;
  if (UNTRUSTED.has(r.code)) return untrusted(s, detail);
  if (r.code === 'ERR_TLS_CERT_ALTNAME_INVALID') return wrongName(s, detail);
  if (r.code === 'CERT_HAS_EXPIRED' || r.code === 'CERT_NOT_YET_VALID') {
    return new TemporalSettingsError(
      'temporal.address',
      `the server certificate of ${s.address} is not valid now (${detail})`,
    );
  }
  if (
    /ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|ACCESS_DENIED)/.test(
      r.code,
    )
  ) {
    return clientCertRejected(s, detail);
  }
  if (/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|UNKNOWN_PROTOCOL|RECORD_LAYER/.test(r.code)) {
    return new TemporalSettingsError(
      'temporal.tls',
      `${s.address} does not speak TLS (a plain-TCP server?): remove the tls section or set tls.enabled: false (${detail})`,
    );
  }
  return new TemporalSettingsError('temporal.tls', `TLS handshake with ${s.address} failed (${detail})`);
}

export function unreachable(
  s: TemporalSettings,
  detail: string | undefined,
  timeoutMs: number,
): TemporalUnreachableError {
  return new TemporalUnreachableError(
    detail
      ? `cannot reach Temporal at ${s.address}: ${detail}`
      : `no answer from Temporal at ${s.address} within ${timeoutMs} ms (temporal.connectTimeout): is the address right and the server up?`,
  );
}

/** The text and the gRPC status code of an SDK error (the Connection wraps its cause; Core puts all in the text). */
function partsOf(err: unknown): { text: string; code?: number } {
  const e = err as { message?: string; code?: unknown; cause?: { message?: string; code?: unknown } };
  const text = [e?.message, e?.cause?.message].filter(Boolean).join(': ') || String(err);
  const code = typeof e?.cause?.code === 'number' ? e.cause.code : typeof e?.code === 'number' ? e.code : undefined;
  return { text, code };
}

function credentialsRejected(s: TemporalSettings, text: string): TemporalSettingsError {
  if (s.fields.apiKey) {
    return new TemporalSettingsError(
      s.fields.apiKey,
      `${s.address} rejected the API key (wrong, expired or revoked; or not for namespace ${s.namespace}): ${text}`,
    );
  }
  if (s.fields.clientCert) return clientCertRejected(s, text);
  return new TemporalSettingsError(
    'temporal.apiKeyEnv',
    `${s.address} requires credentials and none are configured: name an API key's variable in temporal.apiKeyEnv, or a client certificate in temporal.tls: ${text}`,
  );
}

/** Core's (rustls') words for what node's handshake would have said. */
function explainCoreTls(s: TemporalSettings, text: string): Error | undefined {
  if (/UnknownIssuer|BadSignature|UnknownCA/i.test(text)) return untrusted(s, text);
  if (/NotValidForName/i.test(text)) return wrongName(s, text);
  if (/KeyMismatch|InconsistentKeys/i.test(text)) {
    return new TemporalSettingsError(
      s.fields.clientKey ?? 'temporal.tls.clientKeyFile',
      `is not the key of the client certificate: ${text}`,
    );
  }
  if (/InvalidContentType|CorruptMessage/i.test(text) && s.tls) {
    return new TemporalSettingsError('temporal.tls', `${s.address} does not speak TLS (a plain-TCP server?): ${text}`);
  }
  return undefined;
}

/**
 * The first connection failed with `err`: why, naming the field to fix. Asks the server once more when that tells
 * settings from an outage (whether a server the settings talk plain TCP to speaks TLS).
 */
export async function explainConnectError(s: TemporalSettings, err: unknown, timeoutMs: number): Promise<Error> {
  if (err instanceof TemporalSettingsError || err instanceof TemporalUnreachableError) return err;
  const { text, code } = partsOf(err);
  const core = explainCoreTls(s, text);
  if (core) return core;
  if (
    code === 16 ||
    code === 7 ||
    /Unauthenticated|PermissionDenied|HTTP status code 40[13]|status: 40[13]/i.test(text)
  ) {
    return credentialsRejected(s, text);
  }
  if (s.tls && /HTTP status code 400|status: 400/.test(text)) {
    // What a TLS-terminating proxy (nginx's ssl_verify_client) answers for a missing or refused client certificate.
    return clientCertRejected(s, `answered HTTP 400 after the handshake (${text})`);
  }
  if (!s.tls && /deadline|GoAway|FRAME_SIZE_ERROR|http2 error|protocol error/i.test(text)) {
    const speaksTls = await probeTls(s, { timeoutMs, verify: false });
    if (speaksTls.kind === 'ok') {
      return new TemporalSettingsError(
        'temporal.tls',
        `${s.address} speaks TLS and the config connects in plain TCP: add a temporal.tls section (or temporal.apiKeyEnv)`,
      );
    }
  }
  if (/deadline/i.test(text)) return unreachable(s, undefined, timeoutMs);
  return unreachable(s, text, timeoutMs);
}
