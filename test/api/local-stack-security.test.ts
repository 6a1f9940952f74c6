/**
 * The real local stack (`resilient-sms dev`, built from src/ into a private folder, with the Web UI)
 * with encryption on: generated secrets in <data>/keys.env (0600), named but not written in the
 * effective config; the HTTP API and the codec server started and written to stack.json; the Web UI
 * wired to the codec server; what Temporal stores is ciphertext; the CLI works from another shell
 * with nothing but the effective config; no log holds a phone number, a body or a secret.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { LOCAL_VARS } from '../../src/codec/local-secrets';
import { parseEnvFile } from '../../src/codec/secrets';
import { payloadFromJson, payloadToJson } from '../../src/codec/server';
import { waitForExit } from '../../src/tools/service-process';
import { findRepoRoot } from '../../src/tools/temporal-cli';
import type { StackInfo } from '../../src/stack/stack-info';
import { defaultPayloadConverter } from '@temporalio/common';

const root = findRepoRoot(__dirname);
// A private build (not lib/): the end-to-end suite may be compiling lib/ at the same time.
const buildDir = path.join(root, '.data', 'test-builds', `security-${process.pid}`);
const cli = path.join(buildDir, 'src', 'cli', 'main.js');
const DEST = '+14255550177';
const DEST_DIGITS = '4255550177';
const BODY = 'Your code is 606060';

let dataDir: string;
let launcher: ChildProcess;
let output = '';
let info: StackInfo;
let secrets: Record<string, string>;

async function api(method: string, route: string, body?: unknown, key = secrets[LOCAL_VARS.apiKey]) {
  const res = await fetch(`${info.apiUrl}${route}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  const build = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      buildDir,
      '--tsBuildInfoFile',
      path.join(buildDir, '.tsbuildinfo'),
    ],
    { cwd: root, encoding: 'utf8' },
  );
  // tsc emits even with type errors elsewhere in the tree; only a missing CLI is fatal here.
  if (!fs.existsSync(cli)) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);

  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-sec-'));
  launcher = spawn(
    process.execPath,
    [cli, '--config', path.join(root, 'test', 'e2e', 'config.yaml'), 'dev', '--data', dataDir, '--ports', 'auto'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  launcher.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  launcher.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 120_000;
  while (!output.includes('local stack is up')) {
    if (launcher.exitCode !== null) throw new Error(`local stack exited (${launcher.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`local stack not up after 120 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  info = JSON.parse(fs.readFileSync(path.join(dataDir, 'stack.json'), 'utf8')) as StackInfo;
  secrets = parseEnvFile(fs.readFileSync(path.join(dataDir, 'keys.env'), 'utf8'));
}, 240_000);

afterAll(async () => {
  if (launcher && launcher.exitCode === null) {
    launcher.kill('SIGTERM');
    if (!(await waitForExit(launcher, 45_000))) launcher.kill('SIGKILL');
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(buildDir, { recursive: true, force: true });
}, 60_000);

describe('local stack with encryption on', () => {
  it('keeps its secrets in keys.env (0600), names them in the config, and lists the API and codec server', () => {
    const keysFile = path.join(dataDir, 'keys.env');
    expect(info.keysFile).toBe(keysFile);
    expect(fs.statSync(keysFile).mode & 0o777).toBe(0o600);
    for (const name of Object.values(LOCAL_VARS)) expect(secrets[name]).toBeTruthy();
    expect(info.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.codecServerUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.processes.api).toEqual(expect.any(Number));
    expect(info.processes['codec-server']).toEqual(expect.any(Number));

    const configText = fs.readFileSync(info.configPath, 'utf8');
    for (const name of [LOCAL_VARS.key, LOCAL_VARS.codecToken, LOCAL_VARS.apiKey]) {
      expect(configText).toContain(name);
      expect(configText).not.toContain(secrets[name]);
    }
    const effective = JSON.parse(configText) as { security: { encryption: { currentKeyId: string }; envFile: string } };
    expect(effective.security.encryption.currentKeyId).toBe(secrets[LOCAL_VARS.keyId]);
    expect(effective.security.envFile).toBe(keysFile);
  });

  it('serves the HTTP API: 401 without the key, and a message sent through it is stored encrypted', async () => {
    expect((await api('POST', '/v1/messages', { destination: DEST, body: BODY, useCase: 'e2e' }, '')).status).toBe(401);
    const sent = await api('POST', '/v1/messages', {
      destination: DEST,
      body: BODY,
      useCase: 'e2e',
      idempotencyKey: 'sec-1',
    });
    expect(sent).toEqual({
      status: 202,
      json: { idempotencyKey: 'sec-1', workflowId: 'sms:sec-1', started: true, smsParts: expect.any(Object) },
    });
    let status: Record<string, unknown> = {};
    for (let i = 0; i < 300 && status.status !== 'DELIVERED'; i++) {
      status = (await api('GET', '/v1/messages/sec-1')).json;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toMatchObject({ status: 'DELIVERED', destination: '+1425*****77' });

    // The history as the server keeps it, read without the codec.
    const connection = await Connection.connect({ address: info.temporalAddress });
    try {
      const plain = new Client({ connection, namespace: info.namespace });
      const history = await plain.workflow.getHandle('sms:sec-1').fetchHistory();
      const raw = Buffer.from(proto.api.history.v1.History.encode(history).finish()).toString('latin1');
      expect(raw).toContain('binary/encrypted');
      expect(raw).not.toContain(DEST_DIGITS);
      expect(raw).not.toContain('606060');

      // The codec server decodes that input for whoever has the token, over the UI's path or a bearer token.
      const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
      expect(input.length).toBeGreaterThan(0);
      const body = JSON.stringify({ payloads: input.map((p) => payloadToJson(p)) });
      const token = secrets[LOCAL_VARS.codecToken];
      const denied = await fetch(`${info.codecServerUrl}/decode`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect(denied.status).toBe(401);
      for (const [url, headers] of [
        [`${info.codecServerUrl}/${token}/decode`, {}],
        [`${info.codecServerUrl}/decode`, { authorization: `Bearer ${token}` }],
      ] as const) {
        const res = await fetch(url, {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            'x-namespace': info.namespace,
            origin: info.uiUrl!,
            ...headers,
          },
        });
        expect(res.status).toBe(200);
        expect(res.headers.get('access-control-allow-origin')).toBe(info.uiUrl);
        const decoded = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
        const value = defaultPayloadConverter.fromPayload<{ request: { destination: string; body: string } }>(
          payloadFromJson(decoded.payloads[0]),
        );
        expect(value.request).toMatchObject({ destination: DEST, body: BODY });
      }
    } finally {
      await connection.close();
    }
  });

  it('wires the Web UI to the codec server', async () => {
    const res = await fetch(`${info.uiUrl}/api/v1/settings`);
    const settings = (await res.json()) as { Codec?: { Endpoint?: string } };
    expect(settings.Codec?.Endpoint).toBe(`${info.codecServerUrl}/${secrets[LOCAL_VARS.codecToken]}`);
    const preflight = await fetch(`${info.codecServerUrl}/x/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: info.uiUrl!,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/);
  });

  it('lets the CLI read encrypted messages from another shell with only the effective config', () => {
    const env = { ...process.env };
    for (const name of Object.values(LOCAL_VARS)) delete env[name];
    const res = spawnSync(process.execPath, [cli, '--config', info.configPath, 'status', 'sec-1', '--json'], {
      cwd: root,
      env,
      encoding: 'utf8',
    });
    expect(res.stderr).toBe('');
    expect(JSON.parse(res.stdout)).toMatchObject({ status: 'DELIVERED', destination: '+1425*****77' });
  });

  it('logs no phone number, body, key or token', () => {
    const secretValues = [LOCAL_VARS.key, LOCAL_VARS.codecToken, LOCAL_VARS.apiKey].map((n) => secrets[n]);
    for (const file of fs.readdirSync(info.logsDir)) {
      const text = fs.readFileSync(path.join(info.logsDir, file), 'utf8');
      expect({ file, phone: text.includes(DEST_DIGITS) }).toEqual({ file, phone: false });
      expect({ file, body: text.includes('606060') }).toEqual({ file, body: false });
      for (const value of secretValues) expect({ file, secret: text.includes(value) }).toEqual({ file, secret: false });
    }
    expect(output).not.toContain(secrets[LOCAL_VARS.apiKey]);
    expect(output).not.toContain(secrets[LOCAL_VARS.key]);
  });

  it('stops the API and the codec server with everything else', async () => {
    const pids = [info.processes.api, info.processes['codec-server']].filter((p): p is number => p !== undefined);
    launcher.kill('SIGTERM');
    expect(await waitForExit(launcher, 45_000)).toBe(true);
    for (const pid of pids) {
      expect(() => process.kill(pid, 0)).toThrow();
    }
  }, 60_000);
});
