/**
 * AES-256-GCM payload codec. Every payload Temporal stores (workflow input, signal and query
 * arguments, results, failure messages) is replaced by
 *
 *   metadata: { encoding: "binary/encrypted", "encryption-key-id": "<id>" }
 *   data:     12-byte IV | ciphertext of the whole original Payload protobuf | 16-byte GCM tag
 *
 * Encoding uses the current key; decoding uses whichever key the payload names, so keys rotate by
 * adding a new one and making it current while the old ones stay configured for old histories. The
 * key id and the encoding are bound to the ciphertext as additional authenticated data: a payload
 * whose metadata was altered fails to decrypt. Payloads that are not encrypted pass through decode
 * unchanged (histories written before encryption was turned on stay readable).
 *
 * Runs outside the workflow sandbox (clients, worker main thread, codec server); uses node:crypto.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCODING_ENCRYPTED = 'binary/encrypted';
export const METADATA_ENCRYPTION_KEY_ID = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** A payload that cannot be decrypted: unknown key id, missing metadata, or data that fails authentication. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

function additionalData(keyId: string): Buffer {
  return utf8(`${ENCODING_ENCRYPTED}\u0000${keyId}`);
}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(
    keys: ReadonlyMap<string, Uint8Array>,
    readonly currentKeyId: string,
  ) {
    const copy = new Map<string, Buffer>();
    for (const [id, key] of keys) {
      if (key.length !== KEY_BYTES) throw new Error(`encryption key "${id}" must be ${KEY_BYTES} bytes`);
      copy.set(id, Buffer.from(key));
    }
    if (!copy.has(currentKeyId)) throw new Error(`current encryption key "${currentKeyId}" is not among the keys`);
    this.keys = copy;
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.currentKeyId;
    const key = this.keys.get(keyId)!;
    return Promise.resolve(
      payloads.map((payload) => {
        const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
        const iv = randomBytes(IV_BYTES);
        const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        cipher.setAAD(additionalData(keyId));
        const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
        return {
          metadata: {
            [METADATA_ENCODING_KEY]: utf8(ENCODING_ENCRYPTED),
            [METADATA_ENCRYPTION_KEY_ID]: utf8(keyId),
          },
          data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
        };
      }),
    );
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    // A payload that cannot be decrypted rejects the whole call (the executor's throw becomes the rejection).
    return new Promise((resolve) => resolve(payloads.map((p) => this.decodeOne(p))));
  }

  private decodeOne(payload: Payload): Payload {
    if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCODING_ENCRYPTED) return payload;
    const keyId = text(payload.metadata?.[METADATA_ENCRYPTION_KEY_ID]);
    if (!keyId) {
      throw new PayloadDecryptionError(`encrypted payload has no "${METADATA_ENCRYPTION_KEY_ID}" metadata`);
    }
    const key = this.keys.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(
        `payload was encrypted with key "${keyId}", which is not configured (configured: ${this.keyIds.join(', ')}); ` +
          'add it to security.encryption.keys to read this history',
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(`encrypted payload (key "${keyId}") is truncated`);
    }
    const iv = data.subarray(0, IV_BYTES);
    const tag = data.subarray(data.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(keyId));
    decipher.setAuthTag(tag);
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `encrypted payload failed authentication with key "${keyId}": it was altered, or the key's value is not the one it was written with`,
      );
    }
    try {
      return temporal.api.common.v1.Payload.decode(plaintext);
    } catch (err) {
      throw new PayloadDecryptionError(
        `decrypted payload (key "${keyId}") is not a Payload: ${(err as Error).message}`,
      );
    }
  }
}
