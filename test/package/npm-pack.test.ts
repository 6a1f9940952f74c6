/**
 * The package as an application installs it: `npm pack` of the project (lib/ built by the integration project's
 * global setup), the tarball installed into a scratch application outside the repository, a TypeScript file there
 * that imports exactly `from 'resilient-sms'`, type-checked by the repository's tsc against the installed
 * declarations (and proven not `any`), compiled, and run: it sends a message through the local stack
 * (test/e2e/stack.ts) and sees it delivered. The tarball holds the built code, its declarations, the prebuilt
 * workflow bundles and the example configs, and no tests or sources; the `resilient-sms` CLI (`bin`) runs from it and
 * the prebuilt bundles are current there; internal paths are not importable.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireBuiltLib } from '../helpers/build-lib';
import { installScratchApp, packProject, REPO_ROOT, type Packed, type ScratchApp } from '../helpers/scratch-app';
import { startStack, type Stack } from '../e2e/stack';

const TSC = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const TYPES_NODE = (
  JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  }
).devDependencies['@types/node'];

/** The scratch app's code: what the README's "Integrate your application" shows, trimmed to one message. */
const APP_TS = `
import {
  connectResilientSms,
  loadConfig,
  reachedUser,
  MessageNotFoundError,
  verifyWebhookSignature,
  WebhookVerificationError,
  type SendRequestInput,
  type StatusRecord,
} from 'resilient-sms';

async function main(): Promise<void> {
  const [configPath, destination, idempotencyKey] = process.argv.slice(2);
  // As the README connects: only the temporal and security sections (here the test stack's), no routing config.
  const { temporal, security } = loadConfig(configPath);
  const { client, close } = await connectResilientSms({ temporal, security });
  try {
    const request: SendRequestInput = { destination, body: 'Your code is 123456', useCase: 'e2e', idempotencyKey };
    const sent = await client.sendMessage(request);
    const { status, record } = await client.waitForDelivery(sent.idempotencyKey);
    const final: StatusRecord = record;
    const missing = await client.getStatus('no-such-key').catch((err: unknown) => err);
    process.stdout.write(
      JSON.stringify({
        sent,
        status,
        reached: reachedUser(final),
        messageIds: final.attempts.map((a) => a.messageId),
        missingIsNotFound: missing instanceof MessageNotFoundError,
        forgedWebhookRefused: forgedWebhookRefused(),
      }),
    );
  } finally {
    await close();
  }
}

// A receiver's check of a status webhook, from the package: a forged signature is refused.
function forgedWebhookRefused(): boolean {
  try {
    verifyWebhookSignature({ body: '{}', signature: 't=1,kid=k1,v1=00', secrets: { k1: 'k'.repeat(32) } });
    return false;
  } catch (err) {
    return err instanceof WebhookVerificationError;
  }
}

// The declarations are real types, not \`any\`: a number is no destination, and a typo is no method.
export function typeErrors(client: Awaited<ReturnType<typeof connectResilientSms>>['client']): void {
  // @ts-expect-error destination is a string
  void client.sendMessage({ destination: 14255550123, body: 'x' });
  // @ts-expect-error there is no sendMesage
  void client.sendMesage({ destination: '+14255550123', body: 'x' });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
`;

/**
 * An application's usual settings. skipLibCheck as in this repository's own tsconfig: @temporalio/common's
 * declarations import `ms` without types, which fails any Temporal application without it; `typeErrors` above shows
 * the package's types are checked all the same.
 */
const TSCONFIG = {
  compilerOptions: {
    skipLibCheck: true,
    target: 'ES2022',
    module: 'node16',
    moduleResolution: 'node16',
    strict: true,
    types: ['node'],
    outDir: 'dist',
  },
  files: ['app.ts'],
};

let stack: Stack;
let packed: Packed;
let app: ScratchApp;
let packDir: string;

beforeAll(async () => {
  requireBuiltLib();
  packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-pack-'));
  const install = async () => {
    packed = await packProject(packDir);
    app = await installScratchApp(packed.tarball, [`@types/node@${TYPES_NODE}`]);
  };
  // The install (npm's cache is warm) runs while the stack starts.
  const [started] = await Promise.all([startStack(path.join(__dirname, '..', 'e2e', 'config.yaml')), install()]);
  stack = started;
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  app?.remove();
  if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
});

it('packs the built code, its declarations and what the CLI needs, and no tests or sources', () => {
  const files = packed.files.map((f) => f.path);
  expect(files).toEqual(
    expect.arrayContaining([
      'package.json',
      'README.md',
      'lib/src/index.js',
      'lib/src/index.d.ts',
      'lib/src/client/index.d.ts',
      'lib/src/cli/main.js',
      'lib/workflow-bundle.js',
      'lib/workflow-bundle.encrypted.js',
      'config/local.yaml',
    ]),
  );
  const unwanted = files.filter(
    (f) => /^(test|src|bench|scripts|examples|lib\/bench|lib\/test)\//.test(f) || /(\.map|(?<!\.d)\.ts)$/.test(f),
  );
  expect(unwanted).toEqual([]);
  const manifest = JSON.parse(
    fs.readFileSync(path.join(app.dir, 'node_modules', 'resilient-sms', 'package.json'), 'utf8'),
  ) as { exports: Record<string, unknown> };
  expect(Object.keys(manifest.exports)).toEqual(['.', './package.json']);
});

it('type-checks an application against the installed declarations, which are real types', async () => {
  fs.writeFileSync(path.join(app.dir, 'app.ts'), APP_TS);
  fs.writeFileSync(path.join(app.dir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  const { stdout } = await app.exec(process.execPath, [TSC, '-p', '.', '--listFiles']);
  // The types come from the installed package through its exports map, not from the repository.
  const ours = stdout.split('\n').filter((f) => f.includes('resilient-sms'));
  expect(ours).toContain(path.join(fs.realpathSync(app.dir), 'node_modules/resilient-sms/lib/src/index.d.ts'));
  expect(ours.filter((f) => f.startsWith(REPO_ROOT))).toEqual([]);
  expect(fs.existsSync(path.join(app.dir, 'dist', 'app.js'))).toBe(true);
}, 120_000);

it('sends a message through the installed package and sees it delivered', async () => {
  const key = `pkg-${randomUUID()}`;
  const destination = '+14255550177';
  const { stdout } = await app.exec(process.execPath, ['dist/app.js', stack.info.configPath, destination, key]);
  const out = JSON.parse(stdout) as {
    sent: { idempotencyKey: string; workflowId: string; started: boolean };
    status: string;
    reached: boolean;
    messageIds: string[];
    missingIsNotFound: boolean;
    forgedWebhookRefused: boolean;
  };
  expect(out.sent).toMatchObject({ idempotencyKey: key, workflowId: `sms:${key}`, started: true });
  expect(out.status).toBe('DELIVERED');
  expect(out.reached).toBe(true);
  expect(out.missingIsNotFound).toBe(true);
  expect(out.forgedWebhookRefused).toBe(true);
  // The same message, seen from the repository's client and from the simulator's send log.
  expect((await stack.client.getStatus(key)).attempts.map((a) => a.messageId)).toEqual(out.messageIds);
  const { messages } = await stack.sim<{ messages: { messageId: string; destination: string; outcome: string }[] }>(
    'GET',
    `/_sim/messages?messageId=${out.messageIds[0]}`,
  );
  expect(messages).toEqual([expect.objectContaining({ destination, outcome: 'accepted' })]);
}, 120_000);

it('keeps internal modules private; the CLI and the prebuilt workflow bundles work from the package', async () => {
  const resolve = (spec: string) =>
    app.exec(process.execPath, ['-e', `console.log(require.resolve(${JSON.stringify(spec)}))`]);
  await expect(resolve('resilient-sms')).resolves.toMatchObject({
    stdout: expect.stringContaining(path.join('node_modules', 'resilient-sms', 'lib', 'src', 'index.js')),
  });
  await expect(resolve('resilient-sms/lib/src/client/connect')).rejects.toThrow(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
  const cli = path.join(app.dir, 'node_modules', '.bin', 'resilient-sms');
  const { stdout } = await app.exec(cli, ['--help']);
  expect(stdout).toMatch(/\bsend\b/);
  expect(stdout).toMatch(/\bworker\b/);
  // A worker started from the package uses the prebuilt bundles (their manifests match the installed files).
  const bundles = path.join(app.dir, 'node_modules', 'resilient-sms', 'lib', 'src', 'workers', 'workflow-bundle.js');
  const stale = await app.exec(process.execPath, [
    '-e',
    `const b = require(${JSON.stringify(bundles)}); const lib = b.compiledRoot(require('path').dirname(${JSON.stringify(bundles)}));` +
      'console.log(JSON.stringify([lib, b.staleReason(lib, false) ?? null, b.staleReason(lib, true) ?? null]))',
  ]);
  expect(JSON.parse(stale.stdout)).toEqual([path.join(app.dir, 'node_modules', 'resilient-sms', 'lib'), null, null]);
}, 60_000);
