/**
 * The AES-256-GCM payload codec, the secrets it is built from, and the shared data converter.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import {
  decodeFailure,
  decodeOptionalFailureToOptionalError,
  encodeErrorToFailure,
  encodeFailure,
  loadDataConverter,
} from '@temporalio/common/lib/internal-non-workflow';
import {
  AesGcmPayloadCodec,
  ENCODING_ENCRYPTED,
  METADATA_ENCRYPTION_KEY_ID,
  PayloadDecryptionError,
} from '../../src/codec/aes-gcm-codec';
import { codecFor, dataConverterFor } from '../../src/codec/data-converter';
import { decodeKey, parseEnvFile, SecretMatcher, secretSourceFor } from '../../src/codec/secrets';
import { configSchema, type Config } from '../../src/domain/config';
import { fixtureConfigInput } from '../helpers/fixtures';

const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const key = () => randomBytes(32);

function payloadOf(value: unknown): Payload {
  return defaultPayloadConverter.toPayload(value);
}

const encryption = { currentKeyId: 'k1', keys: [{ id: 'k1', env: 'TEST_KEY_K1' }] };
const SECRET = { destination: '+14255550156', body: 'Your code is 123456' };

describe('AesGcmPayloadCodec', () => {
  it('round-trips payloads and stores neither the value nor its encoding in clear', async () => {
    const codec = new AesGcmPayloadCodec(new Map([['k1', key()]]), 'k1');
    const original = [payloadOf(SECRET), payloadOf('plain string'), payloadOf(undefined)];
    const encoded = await codec.encode(original);
    expect(encoded).toHaveLength(3);
    for (const p of encoded) {
      expect(text(p.metadata?.encoding)).toBe(ENCODING_ENCRYPTED);
      expect(text(p.metadata?.[METADATA_ENCRYPTION_KEY_ID])).toBe('k1');
      expect(Object.keys(p.metadata ?? {}).sort()).toEqual(['encoding', 'encryption-key-id']);
      const raw = Buffer.from(p.data!).toString('latin1');
      expect(raw).not.toContain('4255550156');
      expect(raw).not.toContain('123456');
      expect(raw).not.toContain('json/plain');
    }
    const decoded = await codec.decode(encoded);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([SECRET, 'plain string', undefined]);
  });

  it('uses a fresh IV for every payload', async () => {
    const codec = new AesGcmPayloadCodec(new Map([['k1', key()]]), 'k1');
    const [a, b] = await codec.encode([payloadOf(SECRET), payloadOf(SECRET)]);
    expect(Buffer.from(a.data!).equals(Buffer.from(b.data!))).toBe(false);
  });

  it('rotates: encodes with the current key, decodes old payloads with the key they name', async () => {
    const k1 = key();
    const k2 = key();
    const before = new AesGcmPayloadCodec(new Map([['k1', k1]]), 'k1');
    const [old] = await before.encode([payloadOf('written with k1')]);

    const after = new AesGcmPayloadCodec(
      new Map([
        ['k1', k1],
        ['k2', k2],
      ]),
      'k2',
    );
    const [fresh] = await after.encode([payloadOf('written with k2')]);
    expect(text(fresh.metadata?.[METADATA_ENCRYPTION_KEY_ID])).toBe('k2');

    const decoded = await after.decode([old, fresh]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual(['written with k1', 'written with k2']);

    // The old deployment, which never had k2, says exactly which key it lacks.
    await expect(before.decode([fresh])).rejects.toThrow(
      /encrypted with key "k2", which is not configured \(configured: k1\)/,
    );
  });

  it('refuses a payload whose ciphertext, IV or tag was altered', async () => {
    const codec = new AesGcmPayloadCodec(new Map([['k1', key()]]), 'k1');
    const [p] = await codec.encode([payloadOf(SECRET)]);
    const data = Buffer.from(p.data!);
    for (const index of [0, 12, Math.floor(data.length / 2), data.length - 1]) {
      const tampered = Buffer.from(data);
      tampered[index] ^= 0x01;
      await expect(codec.decode([{ ...p, data: tampered }])).rejects.toThrow(PayloadDecryptionError);
      await expect(codec.decode([{ ...p, data: tampered }])).rejects.toThrow(/failed authentication with key "k1"/);
    }
    await expect(codec.decode([{ ...p, data: data.subarray(0, 20) }])).rejects.toThrow(/truncated/);
  });

  it('refuses a payload relabelled with another configured key id (the id is authenticated)', async () => {
    const k = key();
    // Even when both ids map to the same key bytes, the id is part of the authenticated data.
    const codec = new AesGcmPayloadCodec(
      new Map([
        ['k1', k],
        ['k2', k],
      ]),
      'k1',
    );
    const [p] = await codec.encode([payloadOf(SECRET)]);
    const relabelled = { ...p, metadata: { ...p.metadata, [METADATA_ENCRYPTION_KEY_ID]: Buffer.from('k2') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(/failed authentication with key "k2"/);
  });

  it('names an unknown or missing key id', async () => {
    const codec = new AesGcmPayloadCodec(new Map([['k1', key()]]), 'k1');
    const other = new AesGcmPayloadCodec(new Map([['k9', key()]]), 'k9');
    const [p] = await other.encode([payloadOf(SECRET)]);
    await expect(codec.decode([p])).rejects.toThrow(/key "k9", which is not configured/);
    const noId = { ...p, metadata: { encoding: p.metadata!.encoding } };
    await expect(codec.decode([noId])).rejects.toThrow(/has no "encryption-key-id" metadata/);
  });

  it('passes payloads that were never encrypted through decode unchanged', async () => {
    const codec = new AesGcmPayloadCodec(new Map([['k1', key()]]), 'k1');
    const plain = payloadOf({ a: 1 });
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('rejects keys of the wrong size and a current key that is not configured', () => {
    expect(() => new AesGcmPayloadCodec(new Map([['k1', randomBytes(16)]]), 'k1')).toThrow(/must be 32 bytes/);
    expect(() => new AesGcmPayloadCodec(new Map([['k1', key()]]), 'k2')).toThrow(/"k2" is not among the keys/);
  });
});

function configWith(security: Record<string, unknown>): Config {
  return configSchema.parse({ ...fixtureConfigInput(), security });
}

describe('keys from configuration', () => {
  it('reads the key from the variable the config names', async () => {
    const config = configWith({ encryption });
    const dc = dataConverterFor(config, { TEST_KEY_K1: key().toString('base64') });
    expect(dc.payloadCodecs).toHaveLength(1);
    const [encoded] = await dc.payloadCodecs![0].encode([payloadOf('x')]);
    expect(text(encoded.metadata?.[METADATA_ENCRYPTION_KEY_ID])).toBe('k1');
  });

  it('fails clearly, naming the variable, when the key is missing or malformed', () => {
    const config = configWith({ encryption });
    expect(() => dataConverterFor(config, {})).toThrow(
      'encryption key "k1": environment variable TEST_KEY_K1 is not set',
    );
    expect(() => dataConverterFor(config, { TEST_KEY_K1: 'not base64!' })).toThrow(
      /encryption key "k1": environment variable TEST_KEY_K1 is not base64/,
    );
    expect(() => dataConverterFor(config, { TEST_KEY_K1: randomBytes(16).toString('base64') })).toThrow(
      /TEST_KEY_K1 holds 16 bytes, expected 32/,
    );
  });

  it('accepts URL-safe base64 without padding', () => {
    const k = key();
    expect(decodeKey(k.toString('base64url'), 'k', 'V').equals(k)).toBe(true);
  });

  it('is the default converter when no encryption is configured', () => {
    expect(dataConverterFor(configWith({}), {})).toEqual({});
  });

  it('validates the section: current key among the keys, unique ids, variable names, no secret values', () => {
    const bad = (security: unknown) => configSchema.safeParse({ ...fixtureConfigInput(), security });
    expect(bad({ encryption: { currentKeyId: 'k2', keys: [{ id: 'k1', env: 'A' }] } }).error?.issues[0]).toMatchObject({
      path: ['security', 'encryption', 'currentKeyId'],
    });
    const dup = bad({
      encryption: {
        currentKeyId: 'k1',
        keys: [
          { id: 'k1', env: 'A' },
          { id: 'k1', env: 'B' },
        ],
      },
    });
    expect(dup.error?.issues[0].message).toBe('duplicate id "k1"');
    expect(bad({ encryption: { currentKeyId: 'k1', keys: [{ id: 'k1', env: 'not a var' }] } }).success).toBe(false);
    // A key value where the variable name belongs is refused (strict objects, no `value` field).
    expect(
      bad({ encryption: { currentKeyId: 'k1', keys: [{ id: 'k1', env: 'A', value: key().toString('base64') }] } })
        .success,
    ).toBe(false);
    expect(bad({ codecServer: { tokenEnv: 'T', corsOrigins: ['http://localhost:8233/path'] } }).success).toBe(false);
  });

  it('reads missing variables from a private envFile, and refuses one others can read', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-env-'));
    try {
      const file = path.join(dir, 'keys.env');
      const k = key().toString('base64');
      fs.writeFileSync(file, `# comment\nexport TEST_KEY_K1="${k}"\n`, { mode: 0o600 });
      const config = configWith({ encryption, envFile: file });
      expect(secretSourceFor(config, {})('TEST_KEY_K1')).toBe(k);
      // The environment wins over the file.
      expect(secretSourceFor(config, { TEST_KEY_K1: 'from-env' })('TEST_KEY_K1')).toBe('from-env');
      expect(dataConverterFor(config, {}).payloadCodecs).toHaveLength(1);
      fs.chmodSync(file, 0o644);
      expect(() => dataConverterFor(config, {})).toThrow(/readable by other users \(mode 644\): chmod 600 it/);
      const missing = configWith({ encryption, envFile: path.join(dir, 'nope.env') });
      expect(() => dataConverterFor(missing, {})).toThrow(/cannot read security.envFile .*nope.env: ENOENT/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parses env files', () => {
    expect(parseEnvFile('A=1\n# x\n\nexport B=\'two words\'\nC = "3"\nnot a line\n')).toEqual({
      A: '1',
      B: 'two words',
      C: '3',
    });
  });
});

describe('SecretMatcher', () => {
  it('matches only the exact secret, whatever the length of the attempt', () => {
    const m = new SecretMatcher([
      { id: 'a', value: 'first-secret-value' },
      { id: 'b', value: 'second-secret-value' },
    ]);
    expect(m.match('first-secret-value')).toBe('a');
    expect(m.match('second-secret-value')).toBe('b');
    for (const attempt of [undefined, '', 'first', 'first-secret-valuex', 'FIRST-SECRET-VALUE', 'x'.repeat(10_000)]) {
      expect(m.match(attempt)).toBeUndefined();
    }
  });
});

describe('failure messages', () => {
  it('are encrypted with the payloads when encryption is on', async () => {
    const config = configWith({ encryption });
    const dc = loadDataConverter(dataConverterFor(config, { TEST_KEY_K1: key().toString('base64') }));
    const failure = await encodeErrorToFailure(dc, new Error('cannot text +14255550156'));
    expect(failure.message).toBe('Encoded failure');
    expect(failure.stackTrace).toBe('');
    const encoded = await encodeFailure(dc.payloadCodecs, failure);
    expect(text(encoded.encodedAttributes?.metadata?.encoding)).toBe(ENCODING_ENCRYPTED);
    expect(Buffer.from(encoded.encodedAttributes!.data!).toString('latin1')).not.toContain('4255550156');

    const decoded = await decodeFailure(dc.payloadCodecs, encoded);
    const error = await decodeOptionalFailureToOptionalError(dc, decoded);
    expect(error?.message).toBe('cannot text +14255550156');
  });

  it('stay plain text without encryption (the default converter)', async () => {
    const dc = loadDataConverter(dataConverterFor(configWith({}), {}));
    const failure = await encodeErrorToFailure(dc, new Error('plain'));
    expect(failure.message).toBe('plain');
  });

  it('codecFor builds the codec of a section on its own', async () => {
    const codec = codecFor(encryption, () => key().toString('base64'));
    expect(codec.currentKeyId).toBe('k1');
    expect(await codec.decode(await codec.encode([payloadOf(1)]))).toHaveLength(1);
  });
});
