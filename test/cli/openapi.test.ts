/**
 * `resilient-sms openapi`: prints the HTTP API's OpenAPI document, or writes it (folders created) with `--out`,
 * without a config; what it writes is what the API serves.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openApiJson } from '../../src/api/openapi';
import { buildProgram } from '../../src/cli/main';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-openapi-'));
});
afterEach(() => {
  jest.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('writes the document to --out, creating the folder, and says what it wrote', async () => {
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const out = path.join(dir, 'schemas', 'openapi.json');
  await buildProgram({}).parseAsync(['node', 'resilient-sms', 'openapi', '--out', out]);
  expect(fs.readFileSync(out, 'utf8')).toBe(openApiJson());
  expect(log).toHaveBeenCalledWith(expect.stringMatching(/openapi\.json: OpenAPI 3\.1, 11 operations$/));
});

it('prints the document without --out', async () => {
  let printed = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed += String(chunk);
    return true;
  });
  await buildProgram({}).parseAsync(['node', 'resilient-sms', 'openapi']);
  expect(printed).toBe(openApiJson());
});
