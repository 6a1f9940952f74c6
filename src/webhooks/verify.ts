/**
 * For receivers of status webhooks: check a notification's signature before trusting it
 * (docs/integration.md#status-webhooks).
 *
 *   const { event } = verifyWebhookSignature({
 *     body: rawBody,                                    // the bytes received, before any JSON parsing
 *     signature: req.headers['resilient-sms-signature'],
 *     secrets: { k2: process.env.SMS_WEBHOOK_K2!, k1: process.env.SMS_WEBHOOK_K1! },
 *   });
 *   if (alreadySeen(event.id)) return; // a retry of a notification already handled: the delivery id is stable
 *
 * Throws `WebhookVerificationError` (its `code` says why) on anything else. Node's crypto only.
 */
import { timingSafeEqual } from 'node:crypto';
import type { WebhookEvent } from '../domain/webhook-event';
import { computeSignature, parseSignatureHeader, SIGNATURE_HEADER } from './signature';

export type { WebhookEvent } from '../domain/webhook-event';
export { DELIVERY_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER } from './signature';

/** How old (or how far in the future) a signature's timestamp may be by default: five minutes, as Stripe's. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type WebhookVerificationCode =
  | 'missing-header'
  | 'malformed-header'
  | 'unknown-key'
  | 'bad-signature'
  | 'timestamp-outside-tolerance'
  | 'malformed-body';

export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  constructor(
    readonly code: WebhookVerificationCode,
    message: string,
  ) {
    super(message);
  }
}

export interface VerifyWebhookOptions {
  /** The raw request body, exactly as received (a re-serialised JSON object will not verify). */
  body: string | Uint8Array;
  /** The `Resilient-Sms-Signature` header's value (Node gives `string | string[] | undefined`). */
  signature: string | readonly string[] | undefined;
  /**
   * The secrets accepted: key id -> secret (during a rotation, the old and the new key), or one secret for any key
   * id. A header naming a key id that is not listed is refused.
   */
  secrets: string | Readonly<Record<string, string>>;
  /** Largest accepted difference between the signature's timestamp and now, in seconds (default 300). */
  toleranceSeconds?: number;
  /** The current time in epoch milliseconds (default `Date.now()`). */
  now?: number;
}

export interface VerifiedWebhook {
  /** The key that signed, as the header names it. */
  keyId?: string;
  /** The signature's timestamp (Unix seconds). */
  timestamp: number;
  /** The parsed body; `event.id` is the delivery id, the same on every retry of one notification. */
  event: WebhookEvent;
}

function headerValue(signature: VerifyWebhookOptions['signature']): string {
  const value = typeof signature === 'string' ? signature : signature?.length === 1 ? signature[0] : undefined;
  if (value === undefined || value === '') {
    const why = Array.isArray(signature) && signature.length > 1 ? 'appears more than once' : 'is missing';
    throw new WebhookVerificationError('missing-header', `the ${SIGNATURE_HEADER} header ${why}`);
  }
  return value;
}

/** The secrets to try for a header naming `keyId`. */
function candidates(secrets: VerifyWebhookOptions['secrets'], keyId: string | undefined): string[] {
  if (typeof secrets === 'string') return [secrets];
  if (keyId === undefined) return Object.values(secrets);
  const secret = Object.prototype.hasOwnProperty.call(secrets, keyId) ? secrets[keyId] : undefined;
  if (typeof secret !== 'string') {
    throw new WebhookVerificationError(
      'unknown-key',
      `the notification is signed with key "${keyId.slice(0, 64)}", which is not among the accepted keys (${Object.keys(secrets).join(', ')})`,
    );
  }
  return [secret];
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Checks the signature and the timestamp, then parses the body. Throws `WebhookVerificationError`. */
export function verifyWebhookSignature(options: VerifyWebhookOptions): VerifiedWebhook {
  const parsed = parseSignatureHeader(headerValue(options.signature));
  if (typeof parsed === 'string') throw new WebhookVerificationError('malformed-header', parsed);
  const secrets = candidates(options.secrets, parsed.keyId);
  if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s === '')) {
    throw new TypeError('verifyWebhookSignature: secrets must be non-empty strings');
  }
  const matches = secrets.some((secret) => {
    const expected = computeSignature(secret, parsed.timestamp, options.body);
    return parsed.signatures.some((given) => sameHex(given, expected));
  });
  if (!matches) throw new WebhookVerificationError('bad-signature', 'the signature does not match the body');
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - parsed.timestamp) > tolerance) {
    throw new WebhookVerificationError(
      'timestamp-outside-tolerance',
      `the signature's timestamp is ${nowSeconds - parsed.timestamp} s from now, more than the ${tolerance} s accepted (a replay, or a clock out of sync)`,
    );
  }
  const text = typeof options.body === 'string' ? options.body : Buffer.from(options.body).toString('utf8');
  let event: WebhookEvent;
  try {
    event = JSON.parse(text) as WebhookEvent;
  } catch {
    throw new WebhookVerificationError('malformed-body', 'the body is signed but is not JSON');
  }
  if (typeof event !== 'object' || event === null || typeof event.id !== 'string') {
    throw new WebhookVerificationError('malformed-body', 'the body is signed but is not a notification (no "id")');
  }
  return { ...(parsed.keyId !== undefined ? { keyId: parsed.keyId } : {}), timestamp: parsed.timestamp, event };
}
