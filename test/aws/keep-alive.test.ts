/**
 * The keep-alive race behind issue 18.5's unexplained ECONNRESET: a server closes an idle keep-alive connection
 * while the client's agent still has it in its pool; the client's next request goes out on it and gets a reset
 * before any response byte, and the server never sees that request. Node's agent keeps pooled sockets until the
 * server closes them (no idle timeout of its own), so our send handler gives its agents one, shorter than the
 * server's (src/aws/http-handler.ts).
 *
 * The server runs in a child process so that the client's event loop can be held (Atomics.wait) until the server
 * has closed the idle connection (it writes who closed each connection to a file the test reads synchronously):
 * the client, which has not yet processed the close, reuses the socket, exactly as a busy worker does. The servers' idle timeouts are at least 2 s: Node's server
 * announces `Keep-Alive: timeout=<whole seconds>`, and Node's agent does not pool a socket whose announced timeout is
 * under 2 s (it keeps a 1 s margin).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_IDLE_SOCKET_TIMEOUT_MS, sendRequestHandler } from '../../src/aws/http-handler';
import { SIMULATOR_KEEP_ALIVE_TIMEOUT_MS } from '../../src/simulator/server';
import { sleep } from '../../src/tools/service-process';

/**
 * A server with the given keep-alive timeout that counts the requests it received (`GET /count`) and appends to
 * the file in argv[2], for each connection that closes, who closed it: `client` (its FIN came first) or `server`.
 */
const SERVER = `
const fs = require('node:fs');
const http = require('node:http');
let count = 0;
const server = http.createServer((req, res) => {
  if (req.url === '/count') return res.end(String(count));
  count++;
  req.resume();
  req.on('end', () => res.end('ok'));
});
server.on('connection', (socket) => {
  let by = 'server';
  socket.on('end', () => (by = 'client'));
  socket.on('close', () => fs.appendFileSync(process.argv[2], by + '\\n'));
});
server.keepAliveTimeout = Number(process.argv[1]);
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

let child: ChildProcess | undefined;
let closesFile = '';

async function startServer(keepAliveTimeoutMs: number): Promise<number> {
  closesFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-keepalive-')), 'closes');
  fs.writeFileSync(closesFile, '');
  child = spawn(process.execPath, ['-e', SERVER, String(keepAliveTimeoutMs), closesFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stdout = child.stdout!;
  return new Promise((resolve, reject) => {
    stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child!.once('exit', (code) => reject(new Error(`test server exited (${code})`)));
  });
}

/** Who closed each connection so far, per the server. */
const closes = (): string[] => fs.readFileSync(closesFile, 'utf8').split('\n').filter(Boolean);

/** Requests the server counted, over a fresh connection. */
async function received(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/count`, { keepalive: false });
  return Number(await res.text());
}

/**
 * Holds this process's event loop (timers and socket events wait, as in a busy worker) until the server has
 * closed a connection: the server's file is read synchronously, in 50 ms steps, for at most 30 s.
 */
function holdEventLoopUntilServerClosed(): void {
  const deadline = Date.now() + 30_000;
  while (!closes().includes('server') && Date.now() < deadline) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}

function post(agent: Agent, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/send', agent }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end('x');
  });
}

async function sendThrough(handler: ReturnType<typeof sendRequestHandler>, port: number): Promise<string> {
  const { response } = await handler.handle({
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    method: 'POST',
    path: '/send',
    query: {},
    headers: { host: `127.0.0.1:${port}` },
    body: 'x',
  } as unknown as Parameters<typeof handler.handle>[0]);
  let body = '';
  for await (const chunk of response.body as AsyncIterable<Buffer>) body += chunk.toString();
  return body;
}

afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
  fs.rmSync(path.dirname(closesFile), { recursive: true, force: true });
});

it('root cause: an agent without idle timeout reuses a socket the server closed: ECONNRESET, and the server never saw the request', async () => {
  const port = await startServer(2_000);
  const agent = new Agent({ keepAlive: true }); // what sendRequestHandler used before: no idle timeout
  expect(await post(agent, port)).toBe('ok');

  holdEventLoopUntilServerClosed(); // the server closed the idle connection; this process has not noticed yet
  const second = post(agent, port);

  await expect(second).rejects.toMatchObject({ code: 'ECONNRESET' });
  expect(await received(port)).toBe(1);
  agent.destroy();
});

it("the send handler's agents close idle sockets before the server does; the next send opens a new connection", async () => {
  const port = await startServer(2_000);
  const handler = sendRequestHandler({ idleSocketTimeoutMs: 300 });
  expect(await sendThrough(handler, port)).toBe('ok');

  for (let i = 0; i < 300 && closes().length === 0; i++) await sleep(50); // the first close, whoever's
  expect(closes()).toEqual(['client']);
  expect(await sendThrough(handler, port)).toBe('ok');

  expect(await received(port)).toBe(2);
  handler.destroy();
});

it("the default idle timeout is shorter than Node's default server keep-alive timeout and the simulator's", () => {
  expect(DEFAULT_IDLE_SOCKET_TIMEOUT_MS).toBeLessThan(5_000);
  expect(DEFAULT_IDLE_SOCKET_TIMEOUT_MS).toBeLessThan(SIMULATOR_KEEP_ALIVE_TIMEOUT_MS);
});
