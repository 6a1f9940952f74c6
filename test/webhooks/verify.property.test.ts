/**
 * Properties of the webhook signature: whatever the body, secret and time, a signed notification verifies; any
 * change to its body, timestamp, key id or signature makes it fail; and rotation works (the old and the new key
 * both verify while both are listed, a key no longer listed does not).
 */
import fc from 'fast-check';
import { signatureHeader } from '../../src/webhooks/signature';
import { verifyWebhookSignature, WebhookVerificationError } from '../../src/webhooks/verify';

const secretArb = fc.string({ minLength: 32, maxLength: 64 });
const keyIdArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/);
const bodyArb = fc.jsonValue().map((status) => JSON.stringify({ id: 'run:final', type: 'message.final', status }));
const nowArb = fc.integer({ min: 1_600_000_000, max: 2_000_000_000 });

function fails(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (err) {
    if (err instanceof WebhookVerificationError) return true;
    throw err;
  }
}

describe('webhook signatures (property)', () => {
  it('a signed body verifies within the tolerance', () => {
    fc.assert(
      fc.property(
        bodyArb,
        secretArb,
        keyIdArb,
        nowArb,
        fc.integer({ min: -300, max: 300 }),
        (body, secret, kid, t, skew) => {
          const header = signatureHeader({ id: kid, secret }, t, body);
          const verified = verifyWebhookSignature({
            body,
            signature: header,
            secrets: { [kid]: secret },
            now: (t + skew) * 1000,
          });
          return verified.keyId === kid && verified.timestamp === t;
        },
      ),
    );
  });

  it('any change to one byte of the body fails', () => {
    fc.assert(
      fc.property(
        bodyArb,
        secretArb,
        nowArb,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (body, secret, t, at, delta) => {
          const bytes = Buffer.from(body);
          const header = signatureHeader({ id: 'k', secret }, t, bytes);
          const tampered = Buffer.from(bytes);
          const i = at % tampered.length;
          tampered[i] = (tampered[i] + delta) % 256;
          return fails(() =>
            verifyWebhookSignature({ body: tampered, signature: header, secrets: { k: secret }, now: t * 1000 }),
          );
        },
      ),
    );
  });

  it('a changed timestamp, key id or signature fails', () => {
    fc.assert(
      fc.property(
        bodyArb,
        secretArb,
        nowArb,
        fc.integer({ min: 1, max: 1000 }),
        fc.nat({ max: 63 }),
        (body, secret, t, dt, digit) => {
          const header = signatureHeader({ id: 'k', secret }, t, body);
          const secrets = { k: secret, other: secret.split('').reverse().join('') + 'x' };
          const shifted = header.replace(`t=${t}`, `t=${t + dt}`);
          const renamed = header.replace('kid=k,', 'kid=other,');
          const sig = header.split('v1=')[1];
          const flipped =
            sig.slice(0, digit) + ((parseInt(sig[digit], 16) + 1) % 16).toString(16) + sig.slice(digit + 1);
          const reSigned = header.replace(sig, flipped);
          const now = (t + dt) * 1000;
          return [shifted, renamed, reSigned].every((h) =>
            fails(() => verifyWebhookSignature({ body, signature: h, secrets, now })),
          );
        },
      ),
    );
  });

  it('rotation: both keys verify while both are listed; after the old one is dropped only the new one does', () => {
    fc.assert(
      fc.property(bodyArb, secretArb, secretArb, nowArb, (body, oldSecret, newSecret, t) => {
        fc.pre(oldSecret !== newSecret);
        const byOld = signatureHeader({ id: 'k1', secret: oldSecret }, t, body);
        const byNew = signatureHeader({ id: 'k2', secret: newSecret }, t, body);
        const during = { k1: oldSecret, k2: newSecret };
        const after = { k2: newSecret };
        const now = t * 1000;
        return (
          verifyWebhookSignature({ body, signature: byOld, secrets: during, now }).keyId === 'k1' &&
          verifyWebhookSignature({ body, signature: byNew, secrets: during, now }).keyId === 'k2' &&
          verifyWebhookSignature({ body, signature: byNew, secrets: after, now }).keyId === 'k2' &&
          fails(() => verifyWebhookSignature({ body, signature: byOld, secrets: after, now }))
        );
      }),
    );
  });
});
