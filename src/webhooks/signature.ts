/**
 * The signature scheme of status webhooks, modelled on Stripe's: HMAC-SHA256, keyed with the shared secret, over
 * `<timestamp>.<raw body>`, sent in one header with the timestamp and the key's id:
 *
 *   Resilient-Sms-Signature: t=1764547200,kid=k2,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd
 *
 * `t` is Unix seconds at the moment the request is sent (every retry has its own), `kid` the id of the key that
 * signed, `v1` the lowercase hex digest. Used by the sender (src/activities/webhook.ts) and by `verify.ts`, which
 * receivers import; Node's crypto only, nothing of Temporal or AWS.
 */
import { createHmac } from 'node:crypto';

/** Header names (HTTP header names are case-insensitive; Node lowercases them). */
export const SIGNATURE_HEADER = 'Resilient-Sms-Signature';
export const DELIVERY_ID_HEADER = 'Resilient-Sms-Delivery-Id';
export const EVENT_TYPE_HEADER = 'Resilient-Sms-Event';

/** The signature scheme's version: the `v1` of the header. */
export const SCHEME = 'v1';

/** Hex HMAC-SHA256 of `<timestamp>.<body>` with `secret`. */
export function computeSignature(secret: string, timestamp: number, body: string | Uint8Array): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${timestamp}.`, 'utf8');
  hmac.update(body);
  return hmac.digest('hex');
}

/** The header value for `body` signed at `timestamp` (Unix seconds) with key `keyId`. */
export function signatureHeader(
  key: { id: string; secret: string },
  timestamp: number,
  body: string | Uint8Array,
): string {
  return `t=${timestamp},kid=${key.id},${SCHEME}=${computeSignature(key.secret, timestamp, body)}`;
}

export interface ParsedSignatureHeader {
  timestamp: number;
  keyId?: string;
  /** Every `v1` value (a sender may list more than one). */
  signatures: string[];
}

/** The parts of a header value, or a sentence saying what is wrong with it. */
export function parseSignatureHeader(value: string): ParsedSignatureHeader | string {
  if (value.length > 4096) return 'the signature header is longer than 4096 characters';
  let timestamp: number | undefined;
  let keyId: string | undefined;
  const signatures: string[] = [];
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return `the signature header has a part without "name=value": ${JSON.stringify(part.slice(0, 40))}`;
    const name = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (name === 't') {
      if (!/^\d{1,12}$/.test(v)) return 'the signature header\'s "t" is not a Unix time in seconds';
      timestamp = Number(v);
    } else if (name === 'kid') {
      keyId = v;
    } else if (name === SCHEME) {
      if (/^[0-9a-f]{64}$/.test(v)) signatures.push(v);
    }
    // Other names (a future scheme) are ignored, as Stripe's receivers ignore schemes they do not know.
  }
  if (timestamp === undefined) return 'the signature header has no "t="';
  if (signatures.length === 0) return `the signature header has no ${SCHEME}= signature of 64 hex digits`;
  return { timestamp, ...(keyId !== undefined ? { keyId } : {}), signatures };
}
