/**
 * The HTTP API against its own contract, checked by schemathesis (PyPI, pinned in scripts/ensure-tools.sh) on the
 * real local stack (`resilient-sms dev` from lib/: Temporal dev server, worker, carrier simulator, the API): it reads
 * GET /openapi.json and sends generated requests (the document's examples, its coverage cases, fuzzed valid and
 * invalid data, and stateful sequences following the Location header) with the stack's API key. Every check runs
 * but positive_data_acceptance: a string the document allows is not always a phone number or an SMS body AWS takes
 * (libphonenumber's metadata and the body's encoding limits have no JSON Schema form), and the API rightly answers
 * 400 naming the rule. So: no 5xx, every status code, content type, header and body as documented, data the
 * document forbids refused, 405 for methods a path does not take, and no operation that answers without the key
 * (ignored_auth); then an explicit pass sends every operation without a key, and with wrong ones: 401 each time.
 * Generated phone numbers reach only the simulator: every route of the stack's config points at it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { JsonObject } from '../../src/api/openapi';
import { LOCAL_VARS } from '../../src/codec/local-secrets';
import { parseEnvFile } from '../../src/codec/secrets';
import { findRepoRoot } from '../../src/tools/temporal-cli';
import { requireBuiltLib } from '../helpers/build-lib';
import { Contract } from '../helpers/openapi-contract';
import { startStack, type Stack } from '../e2e/stack';

const root = findRepoRoot(__dirname);
const SCHEMATHESIS = path.join(root, '.tools', 'venv', 'bin', 'schemathesis');
/** Test cases per operation and phase: enough to reach every documented answer, within the time budget. */
const MAX_EXAMPLES = Number(process.env.RSMS_SCHEMATHESIS_EXAMPLES ?? 25);
/** A fixed seed: the same requests every run (RSMS_SCHEMATHESIS_SEED to try others). */
const SEED = process.env.RSMS_SCHEMATHESIS_SEED ?? '20261201';
const RUN_TIMEOUT_MS = 150_000;

let stack: Stack;
let apiUrl: string;
let apiKey: string;
let reportDir: string;

beforeAll(async () => {
  requireBuiltLib();
  stack = await startStack(path.join(root, 'test', 'e2e', 'config.yaml'));
  if (!stack.info.apiUrl || !stack.info.keysFile) throw new Error('the local stack started no HTTP API');
  apiUrl = stack.info.apiUrl;
  apiKey = parseEnvFile(fs.readFileSync(stack.info.keysFile, 'utf8'))[LOCAL_VARS.apiKey];
  reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-schemathesis-'));
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  if (reportDir) fs.rmSync(reportDir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  output: string;
}

/** Runs schemathesis to the end (or kills it at the timeout: a hung run fails the test, it does not hang it). */
function schemathesis(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(SCHEMATHESIS, args, {
      cwd: reportDir,
      env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

it('passes every schemathesis check against the running API (no 5xx, responses as documented, auth enforced)', async () => {
  const junit = path.join(reportDir, 'junit.xml');
  const run = await schemathesis([
    '--config-file',
    path.join(__dirname, 'schemathesis.toml'),
    'run',
    `${apiUrl}/openapi.json`,
    '--checks',
    'all',
    '--exclude-checks',
    'positive_data_acceptance',
    '--header',
    `Authorization: Bearer ${apiKey}`,
    '--max-examples',
    String(MAX_EXAMPLES),
    '--seed',
    SEED,
    '--workers',
    '2',
    '--request-timeout',
    '20',
    '--wait-for-schema',
    '30',
    '--report',
    'junit',
    '--report-junit-path',
    junit,
  ]);
  // The output names each failure with the request that reproduces it (schemathesis masks the key).
  if (run.code !== 0) throw new Error(`schemathesis exited ${run.code}:\n${run.output.slice(-12_000)}`);
  const report = fs.readFileSync(junit, 'utf8');
  // Every documented operation was exercised (schemathesis leaves out GET /openapi.json, the document it loads; the
  // unit test covers that one), none failed or errored.
  const operations = [...report.matchAll(/<testcase [^>]*name="([^"]+)"/g)].map((m) => m[1]);
  expect(operations.sort()).toEqual([
    'GET /health',
    'GET /pumping',
    'GET /routes',
    'GET /v1/messages/{key}',
    'POST /pumping/unblock',
    'POST /routes/drain',
    'POST /routes/undrain',
    'POST /v1/messages',
    'POST /v1/messages/{key}/cancel',
    'POST /v1/messages/{key}/feedback',
    'Stateful tests',
  ]);
  expect(report).not.toMatch(/<(failure|error)\b/);
}, 200_000);

it('answers 401 to every operation without the key, or with a wrong one, in the documented shape', async () => {
  const document = (await (await fetch(`${apiUrl}/openapi.json`)).json()) as JsonObject;
  const contract = new Contract(document);
  const paths = document.paths as Record<string, Record<string, JsonObject>>;
  const credentials: Record<string, string>[] = [
    {},
    { authorization: `Bearer ${apiKey}x` },
    { authorization: `Basic ${apiKey}` },
    { 'x-api-key': apiKey.slice(1) },
  ];
  let checked = 0;
  for (const [template, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (Array.isArray(op.security) && op.security.length === 0) continue;
      const url = `${apiUrl}${template.replace('{key}', 'login-42')}`;
      for (const headers of credentials) {
        const res = await fetch(url, {
          method: method.toUpperCase(),
          headers: { ...headers, ...(method === 'post' ? { 'content-type': 'application/json' } : {}) },
          body:
            method === 'post'
              ? JSON.stringify({ destination: '+14255550123', body: 'x', status: 'RECEIVED' })
              : undefined,
        });
        const answer = {
          statusCode: res.status,
          headers: { 'content-type': res.headers.get('content-type') },
          body: await res.text(),
        };
        expect({ method, template, status: res.status }).toEqual({ method, template, status: 401 });
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="resilient-sms"');
        expect(contract.problems(method, template, answer)).toEqual([]);
        checked++;
      }
    }
  }
  expect(checked).toBe(9 * credentials.length);
});
