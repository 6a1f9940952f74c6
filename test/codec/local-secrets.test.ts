/**
 * The local stack's generated secrets (`<data>/keys.env`) and the effective config that names them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ensureLocalSecrets,
  LOCAL_VARS,
  uiCodecEndpoint,
  uiOrigins,
  withLocalSecurity,
} from '../../src/codec/local-secrets';
import { dataConverterFor } from '../../src/codec/data-converter';
import { parseEnvFile } from '../../src/codec/secrets';
import { configSchema } from '../../src/domain/config';
import { fixtureConfigInput } from '../helpers/fixtures';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-keys-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('ensureLocalSecrets', () => {
  it('generates the key, token and API key once, mode 0600, and reuses them', () => {
    const first = ensureLocalSecrets(dir);
    expect(first.file).toBe(path.join(dir, 'keys.env'));
    expect(fs.statSync(first.file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(first.vars[LOCAL_VARS.key], 'base64')).toHaveLength(32);
    expect(first.keyId).toMatch(/^local-[0-9a-f]{8}$/);
    expect(first.vars[LOCAL_VARS.codecToken]).toMatch(/^[0-9a-f]{48}$/);
    expect(first.vars[LOCAL_VARS.apiKey]).toMatch(/^[0-9a-f]{48}$/);
    expect(parseEnvFile(fs.readFileSync(first.file, 'utf8'))).toMatchObject(first.vars);

    const second = ensureLocalSecrets(dir);
    expect(second).toEqual(first);
  });

  it('adds what an older file lacks, keeps the rest, and tightens a loose mode', () => {
    const file = path.join(dir, 'keys.env');
    fs.writeFileSync(
      file,
      `${LOCAL_VARS.keyId}=local-old\n${LOCAL_VARS.key}=${Buffer.alloc(32, 7).toString('base64')}\nMINE=1\n`,
      {
        mode: 0o644,
      },
    );
    fs.chmodSync(file, 0o644);
    const secrets = ensureLocalSecrets(dir);
    expect(secrets.keyId).toBe('local-old');
    expect(secrets.vars[LOCAL_VARS.key]).toBe(Buffer.alloc(32, 7).toString('base64'));
    expect(secrets.vars[LOCAL_VARS.apiKey]).toBeTruthy();
    expect(parseEnvFile(fs.readFileSync(file, 'utf8')).MINE).toBe('1');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('withLocalSecurity', () => {
  it('turns encryption on and names the variables, never their values', () => {
    const secrets = ensureLocalSecrets(dir);
    const config = configSchema.parse(fixtureConfigInput());
    const effective = withLocalSecurity(config, secrets, {
      codecPort: 9001,
      apiPort: 9002,
      uiUrl: 'http://127.0.0.1:8233',
    });
    expect(effective.security).toEqual({
      encryption: { currentKeyId: secrets.keyId, keys: [{ id: secrets.keyId, env: LOCAL_VARS.key }] },
      codecServer: {
        host: '127.0.0.1',
        port: 9001,
        corsOrigins: ['http://127.0.0.1:8233', 'http://localhost:8233'],
        tokenEnv: LOCAL_VARS.codecToken,
        allowTokenInPath: true,
      },
      api: { host: '127.0.0.1', port: 9002, keys: [{ id: 'local', env: LOCAL_VARS.apiKey }] },
      envFile: secrets.file,
    });
    const text = JSON.stringify(effective);
    for (const value of Object.values(secrets.vars).filter((v) => !v.startsWith('local-'))) {
      expect(text).not.toContain(value);
    }
    // The written config is valid as it stands, and works from another shell through envFile alone.
    const reparsed = configSchema.parse(JSON.parse(text));
    expect(dataConverterFor(reparsed, {}).payloadCodecs).toHaveLength(1);
    expect(uiCodecEndpoint(secrets, 9001)).toBe(`http://127.0.0.1:9001/${secrets.vars[LOCAL_VARS.codecToken]}`);
  });

  it("keeps a config's own encryption keys and API keys", () => {
    const secrets = ensureLocalSecrets(dir);
    const config = configSchema.parse({
      ...fixtureConfigInput(),
      security: {
        encryption: { currentKeyId: 'prod', keys: [{ id: 'prod', env: 'PROD_KEY' }] },
        api: { keys: [{ id: 'app', env: 'APP_KEY' }] },
        codecServer: { tokenEnv: 'X', corsOrigins: ['https://temporal.example.com'] },
      },
    });
    const effective = withLocalSecurity(config, secrets, { codecPort: 1, apiPort: 2 });
    expect(effective.security.encryption?.currentKeyId).toBe('prod');
    expect(effective.security.api?.keys.map((k) => k.id)).toEqual(['app', 'local']);
    expect(effective.security.codecServer?.corsOrigins).toEqual(['https://temporal.example.com']);
  });

  it('derives both loopback origins of the UI', () => {
    expect(uiOrigins('http://localhost:8233')).toEqual(['http://localhost:8233', 'http://127.0.0.1:8233']);
    expect(uiOrigins('https://ui.example.com')).toEqual(['https://ui.example.com']);
    expect(uiOrigins(undefined)).toEqual([]);
  });
});
