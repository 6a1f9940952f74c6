/**
 * Every process through a real TLS endpoint: Debian's nginx terminates TLS (HTTP/2, `grpc_pass`) in front of the
 * integration dev server with certificates made for the run (test/helpers/nginx-grpc.ts, tls-certs.ts).
 * - mutual TLS: the worker, the ingester, the API and the CLI (built lib/, spawned as in production) deliver one
 *   message end to end: the CLI sends and waits, the worker sends it, the ingester signals its receipt from SQS
 *   (moto), the API reads the status;
 * - an API key: the CLI reads through an endpoint that checks it, and a wrong one is refused naming apiKeyEnv;
 * - each bad setting fails fast with its message: wrong CA, expired certificate, mismatched key, wrong server name,
 *   missing client certificate (CLI, worker, ingester, API), and a server that never answers (the connect timeout).
 * Skipped with a warning without nginx or openssl (scripts/ensure-tools.sh installs nginx where it may), failed under CI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startMoto, type Moto } from '../../src/tools/moto';
import { EMULATOR_CREDENTIALS, provisionDlrQueues } from '../../src/tools/provision-emulator';
import { configSchema } from '../../src/domain/config';
import { builtCli } from '../../src/stack/handle';
import { httpProbe, sleep } from '../../src/tools/service-process';
import { freePort } from '../../src/tools/free-ports';
import { findRepoRoot } from '../../src/tools/temporal-cli';
import { requireBuiltLib } from '../helpers/build-lib';
import { DEST, dlrEvent } from '../helpers/dlr-fixtures';
import { haveNginx, NGINX, startGrpcTlsProxy, type GrpcTlsProxy } from '../helpers/nginx-grpc';
import { startSmsV2Endpoint, type SmsV2Endpoint } from '../helpers/sms-v2-endpoint';
import { uniqueTaskQueue, testServerAddress } from '../helpers/temporal-env';
import { haveOpenssl, makeTestCerts, SERVER_NAME, type TestCerts } from '../helpers/tls-certs';

const available = haveNginx() && haveOpenssl();
if (!available && process.env.CI) {
  throw new Error(`${NGINX} or openssl not found: CI must test TLS to Temporal (run scripts/ensure-tools.sh)`);
}
if (!available) console.warn(`[tls] ${NGINX} or openssl not found: skipping (apt-get install nginx openssl)`);
const describeIfNginx = available ? describe : describe.skip;

const API_KEY = 'tls-test-api-key-0123456789';
const TEMPORAL_KEY = 'temporal-cloud-key-abc';
const ACCOUNT = '123456789012';

let certs: TestCerts;
let proxy: GrpcTlsProxy;
let moto: Moto;
let sms: SmsV2Endpoint;
let dir: string;
let base: Record<string, unknown>;
let queueUrl: string;
const taskQueue = uniqueTaskQueue('tls');
const children = new Set<ChildProcess>();

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `resilient-sms <args>` from lib/, with the variables the configs name and no $TEMPORAL_ADDRESS. */
function run(configFile: string, args: string[]): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, TEST_API_KEY: API_KEY, LOG_LEVEL: 'warn' };
  delete env.TEMPORAL_ADDRESS;
  delete env.RESILIENT_SMS_CONFIG;
  const child = spawn(process.execPath, [builtCli(), '--config', configFile, ...args], {
    cwd: findRepoRoot(__dirname),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return { child, output: () => output, exited };
}

/** A config file: the shared part, the temporal section given. */
function configFile(name: string, temporal: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const file = path.join(dir, `${name}.json`);
  const config = { ...base, ...extra, temporal: { taskQueue, ...temporal } };
  configSchema.parse(config); // a typo here should fail here, not as a process that will not start
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

const mtls = (over: Record<string, unknown> = {}) => ({
  address: proxy.mtlsAddress,
  connectTimeout: '10s',
  tls: {
    serverCaFile: certs.caPem,
    clientCertFile: certs.clientPem,
    clientKeyFile: certs.clientKey,
    serverName: SERVER_NAME,
    ...over,
  },
});

async function until<T>(what: string, fn: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(r: Run): Promise<number | null> {
  r.child.kill('SIGTERM');
  return r.exited;
}

describeIfNginx('Temporal through a TLS-terminating proxy (nginx)', () => {
  beforeAll(async () => {
    requireBuiltLib();
    certs = makeTestCerts();
    dir = fs.mkdtempSync(path.join(certs.dir, 'configs-'));
    [proxy, moto, sms] = await Promise.all([
      startGrpcTlsProxy({ certs, upstream: testServerAddress(), apiKey: TEMPORAL_KEY }),
      startMoto(),
      startSmsV2Endpoint(),
    ]);
    const id = taskQueue.slice(-8);
    base = {
      accounts: { primary: { credentials: { type: 'static', accessKeyId: 'emulator', secretAccessKey: 'emulator' } } },
      routes: [{ id: 'use1', account: 'primary', region: 'us-east-1', endpoint: sms.url }],
      originators: { US: [{ route: 'use1', identity: 'pool-us', kind: 'pool', type: 'short-code' }] },
      policies: { otp: { stepWait: '2m', deadline: '5m' } },
      dlrQueues: [
        {
          account: 'primary',
          region: 'us-east-1',
          endpoint: moto.endpoint,
          queueUrl: `${moto.endpoint}/${ACCOUNT}/dlr-tls-${id}`,
          rawDelivery: true,
        },
      ],
      security: { api: { keys: [{ id: 'tls-test', env: 'TEST_API_KEY' }] } },
    };
    const [queue] = await provisionDlrQueues(configSchema.parse(base));
    queueUrl = queue.queueUrl;
    (base.dlrQueues as { queueUrl: string }[])[0].queueUrl = queueUrl;
  }, 120_000);

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all([proxy?.stop(), moto?.stop(), sms?.close()]);
    certs?.remove();
  });

  it('worker, ingester, API and CLI over mutual TLS: one message delivered end to end', async () => {
    const config = configFile('mtls', mtls());
    const worker = run(config, ['worker']);
    const ingester = run(config, ['ingest']);
    const apiPort = await freePort();
    const api = run(config, ['api', '--port', String(apiPort)]);
    const send = run(config, [
      'send',
      '--to',
      DEST,
      '--body',
      'Your code is 314159',
      '--key',
      `tls-${taskQueue}`,
      '--wait',
      '--json',
    ]);
    // The worker took the workflow task and the activity through TLS: the SMS reached the endpoint.
    const sent = await until('the worker to send', () => sms.requestsFor('SendTextMessage')[0]);
    const context = sent.body!.Context as Record<string, string>;
    const receipt = dlrEvent(context['rsms-workflow-id'], context['rsms-attempt'], {
      messageId: sent.acceptedMessageId,
    });
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: EMULATOR_CREDENTIALS });
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(receipt) }));
    sqs.destroy();
    // The ingester signalled it through TLS, and the CLI, waiting through TLS, saw the delivery.
    expect(await send.exited).toBe(0);
    expect(JSON.parse(send.output().slice(send.output().indexOf('{'))) as { status: string }).toMatchObject({
      status: 'DELIVERED',
    });
    // The API reads the status through TLS.
    const up = Date.now() + 60_000;
    while (!(await httpProbe(`http://127.0.0.1:${apiPort}/health`))) {
      if (Date.now() > up) throw new Error(`the API did not start:\n${api.output()}`);
      await sleep(200);
    }
    const res = await fetch(`http://127.0.0.1:${apiPort}/v1/messages/tls-${taskQueue}`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('DELIVERED');
    for (const p of [worker, ingester, api]) expect(await stop(p)).toBe(0);
  }, 180_000);

  it('an API key: the CLI reads through the endpoint that checks it; a wrong key is refused naming apiKeyEnv', async () => {
    const temporal = (env: string) => ({
      address: proxy.apiKeyAddress,
      apiKeyEnv: env,
      tls: { serverCaFile: certs.caPem, serverName: SERVER_NAME },
    });
    process.env.TLS_TEST_TEMPORAL_KEY = TEMPORAL_KEY;
    process.env.TLS_TEST_WRONG_KEY = 'not-the-key';
    const good = run(configFile('apikey', temporal('TLS_TEST_TEMPORAL_KEY')), ['status', 'no-such-message']);
    expect(await good.exited).toBe(1);
    // A real call answered by the server behind the proxy: the message is not found.
    expect(good.output()).toMatch(/no message|not found/i);
    const bad = run(configFile('apikey-wrong', temporal('TLS_TEST_WRONG_KEY')), ['status', 'no-such-message']);
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toContain(`temporal.apiKeyEnv: ${proxy.apiKeyAddress} rejected the API key`);
  }, 60_000);

  const cases: [string, () => Record<string, unknown>, string | RegExp][] = [
    [
      'a CA that did not sign the server certificate',
      () => mtls({ serverCaFile: certs.otherCaPem }),
      'temporal.tls.serverCaFile: this CA did not sign the server certificate',
    ],
    [
      'an expired client certificate',
      () => mtls({ clientCertFile: certs.expiredPem }),
      /temporal\.tls\.clientCertFile: the client certificate \(CN=expired\) expired on/,
    ],
    [
      'a key that is not the certificate’s',
      () => mtls({ clientKeyFile: certs.otherKey }),
      'temporal.tls.clientKeyFile: is not the private key of the certificate in temporal.tls.clientCertFile',
    ],
    [
      'a server name the certificate does not hold',
      () => mtls({ serverName: 'wrong.test' }),
      'temporal.tls.serverName: "wrong.test" is not a name the server certificate',
    ],
    [
      'no client certificate for a server that requires one',
      () => mtls({ clientCertFile: undefined, clientKeyFile: undefined }),
      'temporal.tls.clientCertFile: ',
    ],
  ];

  it.each(cases)(
    'the CLI fails at once on %s, naming the field',
    async (_what, temporal, message) => {
      const r = run(configFile('bad-cli', temporal()), ['status', 'any-key']);
      expect(await r.exited).toBe(1);
      expect(r.output()).toMatch(message);
    },
    30_000,
  );

  it('the worker, the ingester and the API stop at start on settings the server refuses, naming the field', async () => {
    const wrongCa = configFile('bad-ca', mtls({ serverCaFile: certs.otherCaPem }));
    const noCert = configFile('no-cert', mtls({ clientCertFile: undefined, clientKeyFile: undefined }));
    const wrongName = configFile('bad-name', mtls({ serverName: 'wrong.test' }));
    const [worker, ingester, api] = [
      run(wrongCa, ['worker']),
      run(wrongName, ['ingest']),
      run(noCert, ['api', '--port', String(await freePort())]),
    ];
    expect(await worker.exited).toBe(1);
    expect(worker.output()).toContain('temporal.tls.serverCaFile: this CA did not sign the server certificate');
    expect(await ingester.exited).toBe(1);
    expect(ingester.output()).toContain('temporal.tls.serverName: "wrong.test" is not a name the server certificate');
    expect(await api.exited).toBe(1);
    expect(api.output()).toContain(`temporal.tls.clientCertFile: ${proxy.mtlsAddress} requires a client certificate`);
    const noCertWorker = run(noCert, ['worker']);
    expect(await noCertWorker.exited).toBe(1);
    expect(noCertWorker.output()).toContain('temporal.tls.clientCertFile: ');
  }, 60_000);

  it('a server that accepts and never answers: the connect timeout, not a hang', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const config = configFile('silent', { ...mtls(), address: `127.0.0.1:${port}`, connectTimeout: '1s' });
      const cli = run(config, ['status', 'any-key']);
      const worker = run(config, ['worker']);
      expect(await cli.exited).toBe(1);
      expect(cli.output()).toContain(
        `no answer from Temporal at 127.0.0.1:${port} within 1000 ms (temporal.connectTimeout)`,
      );
      expect(await worker.exited).toBe(1);
      expect(worker.output()).toContain('(temporal.connectTimeout)');
      // Plain TCP too: the worker tries the settings before its Runtime exists, so it exits at once with the reason
      // (behind a pending native connect it lingered about 30 s, past this test's timeout).
      const plain = run(configFile('silent-plain', { address: `127.0.0.1:${port}`, connectTimeout: '1s' }), ['worker']);
      expect(await plain.exited).toBe(1);
      expect(plain.output()).toContain(`no answer from Temporal at 127.0.0.1:${port} within 1000 ms`);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  }, 30_000);
});
