/**
 * Verifying the signature of an SNS notification, as AWS documents it
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html and
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html):
 * - the string to sign is, for a `Notification`, the lines `Message`, `MessageId`, `Subject` (only when present),
 *   `Timestamp`, `TopicArn` and `Type`, each name followed by its value, each on its own line;
 * - `SignatureVersion` 1 is RSA with SHA1, 2 is RSA with SHA256, over that string, base64 in `Signature`;
 * - the public key is that of the X.509 certificate at `SigningCertURL`, which must be Amazon SNS's: we fetch it only
 *   from `https://sns.<region>.amazonaws.com/...pem` (no other host, scheme, port or query), and cache it.
 * And the `TopicArn` must be the DLR queue's `topicArn` when the config names it: a message SNS signed for another
 * topic (anyone's) is refused.
 *
 * Modes (config `ingester.snsSignatures`): `verify` (default) as above; `emulator` the same, but the certificate
 * named by a well-formed `SigningCertURL` is read from the DLR queue's `endpoint` (the local SQS/SNS emulator, moto,
 * serves the certificates it signs with at `<endpoint>/<file>.pem`; queues without `endpoint` are verified against
 * AWS); `off` nothing is verified (logged once at start). With verification on, a queue whose subscription does not
 * use raw message delivery (`rawDelivery: false`) accepts only enveloped, signed bodies: a bare event there is refused.
 */
import { X509Certificate, verify as verifySignature, type KeyObject } from 'node:crypto';
import type { SnsEnvelope } from '../domain/dlr-parse';
import type { Config } from '../domain/config';

/** The DLR queue a receipt was received on (config `dlrQueues`). */
type DlrQueueConfig = Config['dlrQueues'][number];

export type SnsSignatureMode = 'verify' | 'emulator' | 'off';

/**
 * The public key of the X.509 certificate at a URL; throws on failure (`permanent` set on the error when the server
 * says the certificate does not exist). The default fetches the PEM with a timeout and a size cap.
 */
export type CertificateFetcher = (url: string, headers: Record<string, string>) => Promise<KeyObject>;

export type SignatureCheck =
  | { ok: true }
  /** `transient`: the certificate could not be fetched; the receipt is kept for redelivery, not rejected. */
  | { ok: false; reason: 'unsigned' | 'signature' | 'topic' | 'certificate-url'; error: string; transient?: false }
  | { ok: false; reason: 'certificate-unavailable'; error: string; transient: true };

const MAX_CERTIFICATE_BYTES = 16 * 1024;
const CERTIFICATE_CACHE_SIZE = 256;
const FETCH_TIMEOUT_MS = 5_000;
const SNS_HOST = /^sns\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com$/;

/** The certificate URL if it is Amazon SNS's (https, `sns.<region>.amazonaws.com`, a `.pem` path), else undefined. */
export function snsCertificateUrl(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const plain = url.protocol === 'https:' && url.port === '' && !url.username && !url.password;
  if (!plain || url.search || url.hash || !SNS_HOST.test(url.hostname)) return undefined;
  return /^\/[A-Za-z0-9._-]+\.pem$/.test(url.pathname) ? url : undefined;
}

/** The string SNS signs for a notification. */
export function stringToSign(e: SnsEnvelope): string {
  const fields: [string, string | undefined][] = [
    ['Message', e.Message],
    ['MessageId', e.MessageId],
    ['Subject', e.Subject],
    ['Timestamp', e.Timestamp],
    ['TopicArn', e.TopicArn],
    ['Type', e.Type],
  ];
  return fields
    .filter(([name, value]) => value !== undefined || name !== 'Subject')
    .map(([name, value]) => `${name}\n${value ?? ''}\n`)
    .join('');
}

class CertificateError extends Error {
  /** The server says the certificate does not exist, or it is not one: retrying will not help. */
  readonly permanent: boolean;

  constructor(message: string, permanent: boolean) {
    super(message);
    this.permanent = permanent;
  }
}

const defaultFetcher: CertificateFetcher = async (url, headers) => {
  const res = await fetch(url, { headers, redirect: 'error', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!res.ok) throw new CertificateError(`HTTP ${res.status}`, res.status >= 400 && res.status < 500);
  const text = await res.text();
  if (text.length > MAX_CERTIFICATE_BYTES) throw new CertificateError('the certificate is too large', true);
  try {
    return new X509Certificate(text).publicKey;
  } catch {
    throw new CertificateError('not an X.509 certificate', true);
  }
};

export { CertificateError };

export class SnsSignatureVerifier {
  /** Public keys by where they were fetched from; the oldest is dropped past CERTIFICATE_CACHE_SIZE. */
  private readonly keys = new Map<string, Promise<KeyObject>>();

  constructor(
    readonly mode: SnsSignatureMode,
    private readonly fetchCertificate: CertificateFetcher = defaultFetcher,
  ) {}

  /** Checks the body's envelope (undefined for a bare event) against the queue it was received on. */
  async check(envelope: SnsEnvelope | undefined, queue: DlrQueueConfig): Promise<SignatureCheck> {
    if (this.mode === 'off') return { ok: true };
    if (envelope === undefined) {
      return queue.rawDelivery
        ? { ok: true }
        : {
            ok: false,
            reason: 'unsigned',
            error: 'a bare event on a queue without raw message delivery: only signed SNS envelopes are accepted',
          };
    }
    if (queue.topicArn !== undefined && envelope.TopicArn !== queue.topicArn) {
      return { ok: false, reason: 'topic', error: "SNS envelope TopicArn is not the queue's topicArn" };
    }
    const algorithm = { '1': 'RSA-SHA1', '2': 'RSA-SHA256' }[envelope.SignatureVersion ?? ''];
    const missing = (['MessageId', 'Timestamp', 'TopicArn', 'Signature', 'SigningCertURL'] as const).filter(
      (f) => !envelope[f],
    );
    if (algorithm === undefined || missing.length > 0) {
      const what = algorithm === undefined ? 'SignatureVersion is not 1 or 2' : `it has no ${missing.join(', ')}`;
      return { ok: false, reason: 'unsigned', error: `SNS envelope cannot be verified: ${what}` };
    }
    const certUrl = snsCertificateUrl(envelope.SigningCertURL!);
    if (!certUrl) {
      return {
        ok: false,
        reason: 'certificate-url',
        error: 'SNS SigningCertURL is not https://sns.<region>.amazonaws.com/….pem',
      };
    }
    let key: KeyObject;
    try {
      key = await this.publicKey(certUrl, queue);
    } catch (err) {
      const error = `cannot get the SNS signing certificate: ${err instanceof Error ? err.message : String(err)}`;
      return err instanceof CertificateError && err.permanent
        ? { ok: false, reason: 'certificate-url', error }
        : { ok: false, reason: 'certificate-unavailable', transient: true, error };
    }
    const valid = verifySignature(
      algorithm,
      Buffer.from(stringToSign(envelope), 'utf8'),
      key,
      Buffer.from(envelope.Signature!, 'base64'),
    );
    return valid ? { ok: true } : { ok: false, reason: 'signature', error: 'SNS signature does not verify' };
  }

  private publicKey(certUrl: URL, queue: DlrQueueConfig): Promise<KeyObject> {
    const region = SNS_HOST.exec(certUrl.hostname)![1];
    const fromEmulator = this.mode === 'emulator' && queue.endpoint !== undefined;
    // The emulator serves the certificate at its own root; its SigV4-style scope tells it the Region.
    const source = fromEmulator ? `${queue.endpoint!.replace(/\/+$/, '')}${certUrl.pathname}` : certUrl.href;
    const headers: Record<string, string> = fromEmulator
      ? { Authorization: `AWS4-HMAC-SHA256 Credential=emulator/20000101/${region}/sns/aws4_request` }
      : {};
    let key = this.keys.get(source);
    if (!key) {
      key = this.fetchCertificate(source, headers);
      this.keys.set(source, key);
      // A failed fetch is not cached: the next receipt tries again.
      key.catch(() => this.keys.delete(source));
      if (this.keys.size > CERTIFICATE_CACHE_SIZE) this.keys.delete(this.keys.keys().next().value!);
    }
    return key;
  }
}
