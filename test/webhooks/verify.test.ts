/**
 * The webhook signature scheme (src/webhooks/signature.ts) and the receivers' helper `verifyWebhookSignature`
 * (src/webhooks/verify.ts): what verifies, and the code of every refusal.
 */
import { createHmac } from 'node:crypto';
import { parseSignatureHeader, signatureHeader } from '../../src/webhooks/signature';
import { verifyWebhookSignature, WebhookVerificationError } from '../../src/webhooks/verify';

const K1 = 'k1-secret-0123456789abcdef0123456789abcdef';
const K2 = 'k2-secret-fedcba9876543210fedcba9876543210';
const NOW = 1_764_547_200_000; // 2025-12-01T00:00:00Z
const T = NOW / 1000;
const BODY = JSON.stringify({ id: 'run-1:final', type: 'message.final', status: { status: 'DELIVERED' } });

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof WebhookVerificationError) return err.code;
    throw err;
  }
  return 'verified';
}

describe('signatureHeader', () => {
  it('is t, kid and the hex HMAC-SHA256 of "<t>.<body>", as documented', () => {
    const expected = createHmac('sha256', K1).update(`${T}.${BODY}`).digest('hex');
    expect(signatureHeader({ id: 'k1', secret: K1 }, T, BODY)).toBe(`t=${T},kid=k1,v1=${expected}`);
  });

  it('signs bytes and the same text alike', () => {
    expect(signatureHeader({ id: 'k1', secret: K1 }, T, Buffer.from(BODY))).toBe(
      signatureHeader({ id: 'k1', secret: K1 }, T, BODY),
    );
  });
});

describe('verifyWebhookSignature', () => {
  const header = signatureHeader({ id: 'k1', secret: K1 }, T, BODY);

  it('returns the key id, the timestamp and the parsed event', () => {
    const verified = verifyWebhookSignature({ body: BODY, signature: header, secrets: { k1: K1 }, now: NOW });
    expect(verified).toEqual({ keyId: 'k1', timestamp: T, event: JSON.parse(BODY) });
  });

  it('accepts the raw body as bytes and the header as Node gives a single one', () => {
    const verified = verifyWebhookSignature({ body: Buffer.from(BODY), signature: [header], secrets: K1, now: NOW });
    expect(verified.event.id).toBe('run-1:final');
  });

  it('rotation: accepts any listed key by the id the header names, refuses an unlisted one', () => {
    const byK2 = signatureHeader({ id: 'k2', secret: K2 }, T, BODY);
    const both = { k1: K1, k2: K2 };
    expect(verifyWebhookSignature({ body: BODY, signature: header, secrets: both, now: NOW }).keyId).toBe('k1');
    expect(verifyWebhookSignature({ body: BODY, signature: byK2, secrets: both, now: NOW }).keyId).toBe('k2');
    expect(codeOf(() => verifyWebhookSignature({ body: BODY, signature: byK2, secrets: { k1: K1 }, now: NOW }))).toBe(
      'unknown-key',
    );
  });

  it('refuses a header whose key id names a listed key but whose signature was made with another secret', () => {
    const forged = signatureHeader({ id: 'k2', secret: K1 }, T, BODY);
    expect(
      codeOf(() => verifyWebhookSignature({ body: BODY, signature: forged, secrets: { k1: K1, k2: K2 }, now: NOW })),
    ).toBe('bad-signature');
  });

  it('refuses inherited names as key ids', () => {
    const proto = signatureHeader({ id: 'constructor', secret: K1 }, T, BODY);
    expect(codeOf(() => verifyWebhookSignature({ body: BODY, signature: proto, secrets: { k1: K1 }, now: NOW }))).toBe(
      'unknown-key',
    );
  });

  it.each([
    ['a body changed by one character', { body: BODY.replace('DELIVERED', 'DELIVERE D') }, 'bad-signature'],
    ['a re-serialised body', { body: JSON.stringify(JSON.parse(BODY), null, 1) }, 'bad-signature'],
    ['another secret', { secrets: K2 }, 'bad-signature'],
    ['a timestamp older than the tolerance', { now: NOW + 301_000 }, 'timestamp-outside-tolerance'],
    ['a timestamp too far in the future', { now: NOW - 301_000 }, 'timestamp-outside-tolerance'],
    ['no header', { signature: undefined }, 'missing-header'],
    ['an empty header', { signature: '' }, 'missing-header'],
    ['the header twice', { signature: [header, header] }, 'missing-header'],
    ['a header without t', { signature: header.replace(/^t=\d+,/, '') }, 'malformed-header'],
    ['a header without v1', { signature: `t=${T},kid=k1` }, 'malformed-header'],
    ['a header with a non-numeric t', { signature: header.replace(/^t=\d+/, 't=soon') }, 'malformed-header'],
    ['a header that is not name=value pairs', { signature: 'garbage' }, 'malformed-header'],
  ])('refuses %s', (_what, change, code) => {
    const options = { body: BODY, signature: header as string | string[] | undefined, secrets: K1 as string, now: NOW };
    expect(codeOf(() => verifyWebhookSignature({ ...options, ...change }))).toBe(code);
  });

  it('accepts a signature within a custom tolerance and says how far off one outside it is', () => {
    expect(
      verifyWebhookSignature({ body: BODY, signature: header, secrets: K1, now: NOW + 30_000, toleranceSeconds: 30 })
        .timestamp,
    ).toBe(T);
    expect(() =>
      verifyWebhookSignature({ body: BODY, signature: header, secrets: K1, now: NOW + 31_000, toleranceSeconds: 30 }),
    ).toThrow(/31 s from now, more than the 30 s accepted/);
  });

  it('accepts the header when one of several v1 signatures matches (a sender listing more than one)', () => {
    const other = signatureHeader({ id: 'k2', secret: K2 }, T, BODY).split('v1=')[1];
    const mixed = `t=${T},v1=${other},${header.split(',')[2]}`;
    expect(
      verifyWebhookSignature({ body: BODY, signature: mixed, secrets: { k1: K1 }, now: NOW }).keyId,
    ).toBeUndefined();
  });

  it('refuses a signed body that is not JSON or not a notification, after the signature matched', () => {
    const text = 'not json';
    const signed = signatureHeader({ id: 'k1', secret: K1 }, T, text);
    expect(codeOf(() => verifyWebhookSignature({ body: text, signature: signed, secrets: K1, now: NOW }))).toBe(
      'malformed-body',
    );
    const noId = '{"type":"message.final"}';
    const signedNoId = signatureHeader({ id: 'k1', secret: K1 }, T, noId);
    expect(codeOf(() => verifyWebhookSignature({ body: noId, signature: signedNoId, secrets: K1, now: NOW }))).toBe(
      'malformed-body',
    );
  });

  it('is a programming error to pass no secret', () => {
    expect(() =>
      verifyWebhookSignature({ body: BODY, signature: header.replace('kid=k1,', ''), secrets: {}, now: NOW }),
    ).toThrow(TypeError);
  });
});

describe('parseSignatureHeader', () => {
  it('ignores schemes it does not know and tolerates spaces', () => {
    const sig = 'a'.repeat(64);
    expect(parseSignatureHeader(`t=5, kid=k1, v0=zzz, v1=${sig}`)).toEqual({
      timestamp: 5,
      keyId: 'k1',
      signatures: [sig],
    });
  });

  it('refuses an over-long header before looking at it', () => {
    expect(parseSignatureHeader(`t=1,v1=${'a'.repeat(5000)}`)).toMatch(/longer than 4096/);
  });
});
