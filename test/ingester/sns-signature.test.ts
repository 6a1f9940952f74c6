/**
 * SNS signature verification without a server: the certificate URL allow-list, the string to sign, both
 * signature versions, the TopicArn check, bare events on enveloped queues, the modes, and the certificate cache.
 * Keys are generated here; the fetcher is injected (the moto path, with a real certificate, is in ingester.test.ts).
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { configSchema } from '../../src/domain/config';
import type { SnsEnvelope } from '../../src/domain/dlr-parse';
import type { DlrQueueConfig } from '../../src/ingester/options';
import {
  CertificateError,
  SnsSignatureVerifier,
  snsCertificateUrl,
  stringToSign,
  type CertificateFetcher,
} from '../../src/ingester/sns-signature';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:dlr';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

function queue(over: Partial<DlrQueueConfig> = {}): DlrQueueConfig {
  return {
    account: 'primary',
    region: 'us-east-1',
    queueUrl: 'https://sqs/1/q',
    topicArn: TOPIC,
    rawDelivery: false,
    ...over,
  };
}

function signed(over: Partial<SnsEnvelope> = {}, version = '2', key: KeyObject = privateKey): SnsEnvelope {
  const envelope: SnsEnvelope = {
    Type: 'Notification',
    MessageId: '0b7a0a8e-7a36-5c1f-a2b4-3b1c2e6f9d10',
    TopicArn: TOPIC,
    Message: '{"eventType":"TEXT_DELIVERED"}',
    Timestamp: '2026-01-01T00:00:00.000Z',
    SignatureVersion: version,
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem',
    ...over,
  };
  const alg = version === '1' ? 'RSA-SHA1' : 'RSA-SHA256';
  envelope.Signature ??= sign(alg, Buffer.from(stringToSign(envelope)), key).toString('base64');
  return envelope;
}

function verifier(mode: 'verify' | 'emulator' | 'off' = 'verify', key: KeyObject = publicKey) {
  const asked: { url: string; headers: Record<string, string> }[] = [];
  const fetcher: CertificateFetcher = (url, headers) => {
    asked.push({ url, headers });
    return Promise.resolve(key);
  };
  return { v: new SnsSignatureVerifier(mode, fetcher), asked };
}

describe('snsCertificateUrl: only https://sns.<region>.amazonaws.com/….pem', () => {
  it.each([
    'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem',
    'https://sns.us-gov-west-1.amazonaws.com/x.pem',
  ])('accepts %s', (url) => expect(snsCertificateUrl(url)?.href).toBe(url));

  it.each([
    'http://sns.us-east-1.amazonaws.com/x.pem',
    'https://sns.us-east-1.amazonaws.com.evil.example/x.pem',
    'https://evil.example/sns.us-east-1.amazonaws.com/x.pem',
    'https://sns.us-east-1.amazonaws.com:8443/x.pem',
    'https://user@sns.us-east-1.amazonaws.com/x.pem',
    'https://sns.us-east-1.amazonaws.com/x.pem?redirect=https://evil.example',
    'https://sns.us-east-1.amazonaws.com/x.txt',
    'https://sqs.us-east-1.amazonaws.com/x.pem',
    'https://sns.amazonaws.com/x.pem',
    'not a url',
  ])('refuses %s', (url) => expect(snsCertificateUrl(url)).toBeUndefined());
});

describe('SnsSignatureVerifier', () => {
  it('accepts a genuine signature, version 1 (SHA1) and 2 (SHA256), with or without a Subject', async () => {
    const { v } = verifier();
    await expect(v.check(signed({}, '1'), queue())).resolves.toEqual({ ok: true });
    await expect(v.check(signed({}, '2'), queue())).resolves.toEqual({ ok: true });
    await expect(v.check(signed({ Subject: 'hello' }), queue())).resolves.toEqual({ ok: true });
  });

  it('refuses a tampered message, another key, an unknown version or a missing signature', async () => {
    const { v } = verifier();
    const tampered = { ...signed(), Message: '{"eventType":"TEXT_DELIVERED","forged":true}' };
    await expect(v.check(tampered, queue())).resolves.toMatchObject({ ok: false, reason: 'signature' });
    await expect(v.check(signed({}, '2', other.privateKey), queue())).resolves.toMatchObject({ reason: 'signature' });
    await expect(v.check({ ...signed(), SignatureVersion: '3' }, queue())).resolves.toMatchObject({
      reason: 'unsigned',
      error: expect.stringMatching(/SignatureVersion is not 1 or 2/),
    });
    await expect(v.check({ ...signed(), Signature: undefined }, queue())).resolves.toMatchObject({
      reason: 'unsigned',
      error: expect.stringMatching(/no Signature/),
    });
  });

  it('refuses another topic than the queue’s, and a certificate URL off the SNS host without fetching it', async () => {
    const { v, asked } = verifier();
    await expect(v.check(signed({ TopicArn: `${TOPIC}-other` }), queue())).resolves.toMatchObject({ reason: 'topic' });
    const evil = signed({ SigningCertURL: 'https://evil.example/SimpleNotificationService-abc.pem' });
    await expect(v.check(evil, queue())).resolves.toMatchObject({ reason: 'certificate-url' });
    expect(asked).toEqual([]);
  });

  it('refuses a bare event on a queue without raw delivery, accepts it on a raw one', async () => {
    const { v } = verifier();
    await expect(v.check(undefined, queue())).resolves.toMatchObject({ ok: false, reason: 'unsigned' });
    await expect(v.check(undefined, queue({ rawDelivery: true }))).resolves.toEqual({ ok: true });
  });

  it('fetches each certificate once; in emulator mode from the queue’s endpoint with the Region in the scope', async () => {
    const { v, asked } = verifier();
    for (let i = 0; i < 3; i++) await v.check(signed(), queue());
    expect(asked).toEqual([
      { url: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem', headers: {} },
    ]);

    const emu = verifier('emulator');
    const q = queue({ endpoint: 'http://127.0.0.1:4566/' });
    await expect(emu.v.check(signed(), q)).resolves.toEqual({ ok: true });
    expect(emu.asked).toEqual([
      {
        url: 'http://127.0.0.1:4566/SimpleNotificationService-abc.pem',
        headers: { Authorization: expect.stringContaining('/us-east-1/sns/aws4_request') },
      },
    ]);
  });

  it('keeps a receipt whose certificate cannot be fetched now (transient), rejects one the host says is gone', async () => {
    const failing = (err: Error) => new SnsSignatureVerifier('verify', () => Promise.reject(err));
    await expect(failing(new Error('ECONNRESET')).check(signed(), queue())).resolves.toMatchObject({
      ok: false,
      reason: 'certificate-unavailable',
      transient: true,
    });
    await expect(failing(new CertificateError('HTTP 404', true)).check(signed(), queue())).resolves.toMatchObject({
      ok: false,
      reason: 'certificate-url',
    });
  });

  it('off: accepts anything, and the config knows the three modes', async () => {
    const { v } = verifier('off');
    await expect(v.check({ ...signed(), Signature: 'AAAA' }, queue())).resolves.toEqual({ ok: true });
    await expect(v.check(undefined, queue())).resolves.toEqual({ ok: true });
    const base = {
      accounts: { a: {} },
      routes: [{ id: 'r', account: 'a', region: 'us-east-1' }],
      originators: { US: [{ route: 'r', identity: 'p', type: 'short-code' }] },
      policies: { otp: {} },
    };
    for (const mode of ['verify', 'emulator', 'off']) {
      expect(configSchema.safeParse({ ...base, ingester: { snsSignatures: mode } }).success).toBe(true);
    }
    expect(configSchema.safeParse({ ...base, ingester: { snsSignatures: 'maybe' } }).success).toBe(false);
  });
});
