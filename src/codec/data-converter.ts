/**
 * The one data converter every client, worker, ingester, API and CLI in this project uses.
 *
 * With `security.encryption` configured: the AES-256-GCM payload codec (keys read from the
 * environment variables the config names) and a failure converter that moves messages and stack
 * traces into encrypted payloads. Without it: Temporal's default converter (plain JSON), which keeps
 * tests and configs without keys working.
 */
import type { DataConverter } from '@temporalio/common';
import type { Config } from '../domain/config';
import type { EncryptionConfig } from '../domain/config-security';
import { AesGcmPayloadCodec } from './aes-gcm-codec';
import { loadKeys, secretSourceFor, type SecretSource } from './secrets';

/** Path of the module exporting `failureConverter`, for `DataConverter.failureConverterPath` and bundlers. */
export function failureConverterPath(): string {
  return require.resolve('./failure-converter');
}

/** The codec for an encryption section; throws naming the variable when a key is missing or malformed. */
export function codecFor(encryption: EncryptionConfig, source: SecretSource): AesGcmPayloadCodec {
  const keys = loadKeys(encryption.keys, source, 'encryption key');
  return new AesGcmPayloadCodec(keys, encryption.currentKeyId);
}

/** Whether payloads are encrypted with this config. */
export function encryptionEnabled(config: Config): boolean {
  return config.security.encryption !== undefined;
}

/**
 * The data converter for `new Client({ dataConverter })` and `Worker.create({ dataConverter })`.
 * A worker given a prebuilt `workflowBundle` must have been bundled with
 * `failureConverterPath: failureConverterPath()` when encryption is on.
 */
export function dataConverterFor(
  config: Pick<Config, 'security'>,
  env: NodeJS.ProcessEnv = process.env,
): DataConverter {
  const encryption = config.security.encryption;
  if (!encryption) return {};
  return {
    payloadCodecs: [codecFor(encryption, secretSourceFor(config, env))],
    failureConverterPath: failureConverterPath(),
  };
}
