/**
 * Sign-in with a one-time password, sent through resilient-sms: the page asks for a phone number, the server sends a
 * code and, when the user types it, tells the message's workflow what happened (message feedback):
 *
 *   right code  -> recordFeedback RECEIVED: the message ends CONFIRMED, AWS gets PutMessageFeedback RECEIVED;
 *   wrong code  -> recordFeedback FAILED, then cancel: the code is void, nothing more is sent, AWS gets FAILED.
 *
 * One code, one try: a wrong code ends the sign-in attempt and the user asks for a new code (a new message).
 * The code is generated here, kept only as its SHA-256, never logged, and compared in constant time.
 *
 * Run it beside the local stack (`npm start`): RESILIENT_SMS_CONFIG=.data/config.json node examples/sign-in/server.mjs
 */
import { Buffer } from 'node:buffer';
import { createHash, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { pathToFileURL, URL } from 'node:url';
import { connectResilientSms, InvalidInputError, loadConfig, MessageEndedError } from 'resilient-sms';

const PAGE = readFileSync(new URL('./public/index.html', import.meta.url));
const SCRIPT = readFileSync(new URL('./public/page.js', import.meta.url));
const MAX_BODY_BYTES = 4096;
const MAX_PENDING = 10_000;

/** Six random digits from the operating system's CSPRNG. */
export function randomCode() {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

const digest = (code) => createHash('sha256').update(String(code)).digest();

/**
 * The sign-in server.
 * @param {object} options
 * @param {import('resilient-sms').ResilientSmsClient} options.sms the typed client (connectResilientSms)
 * @param {string} [options.useCase] the policy to send with; it should have messageFeedback on. Default `otp`.
 * @param {() => string} [options.generateCode] how a code is made. Default randomCode. Only code that constructs
 *   the server can set it (there is no HTTP or environment switch for it): the tests pass one that also hands
 *   them the code, as the phone would.
 * @param {number} [options.ttlMs] how long a code may be used. Default 5 minutes.
 * @param {(event: string, fields: object) => void} [options.log] where events go (never a code or a number).
 */
export function signInHandler({ sms, useCase = 'otp', generateCode = randomCode, ttlMs = 300_000, log = logLine }) {
  /** attempt id -> the message that carries its code and the code's digest. */
  const pending = new Map();

  async function start(body) {
    if (typeof body.phone !== 'string' || body.phone.trim() === '') return [400, { error: 'phone: required' }];
    for (const [id, p] of pending) if (p.expiresAt <= Date.now()) pending.delete(id);
    if (pending.size >= MAX_PENDING) return [503, { error: 'too many sign-ins in progress; try again shortly' }];
    const attemptId = randomUUID();
    const code = generateCode();
    const expiresAt = Date.now() + ttlMs;
    const minutes = Math.round(ttlMs / 60_000);
    try {
      const sent = await sms.sendMessage({
        destination: body.phone.trim(),
        body: `Your sign-in code is ${code}. It expires in ${minutes} minutes.`,
        useCase,
        idempotencyKey: `sign-in-${attemptId}`,
      });
      pending.set(attemptId, { key: sent.idempotencyKey, digest: digest(code), expiresAt });
      log('code sent', { key: sent.idempotencyKey });
      return [200, { attemptId, expiresAt: new Date(expiresAt).toISOString() }];
    } catch (err) {
      // The client names the field (an invalid or disallowed number), never its value.
      if (err instanceof InvalidInputError) return [400, { error: err.message }];
      throw err;
    }
  }

  async function verify(body) {
    const attempt = typeof body.attemptId === 'string' ? pending.get(body.attemptId) : undefined;
    if (!attempt || attempt.expiresAt <= Date.now()) return [400, { error: 'no code is waiting: request a new one' }];
    pending.delete(body.attemptId); // one try per code
    const right = typeof body.code === 'string' && timingSafeEqual(digest(body.code.trim()), attempt.digest);
    if (right) {
      await feedback(() => sms.recordFeedback(attempt.key, 'RECEIVED'), attempt.key);
      log('signed in', { key: attempt.key });
      return [200, { signedIn: true }];
    }
    await feedback(() => sms.recordFeedback(attempt.key, 'FAILED'), attempt.key);
    await feedback(() => sms.cancel(attempt.key, 'wrong code: the sign-in attempt ended'), attempt.key);
    log('wrong code', { key: attempt.key });
    return [401, { signedIn: false, error: 'that code is not right: request a new one' }];
  }

  /** Feedback is for the delivery record: a message that has already ended takes none, and sign-in goes on. */
  async function feedback(call, key) {
    try {
      await call();
    } catch (err) {
      if (!(err instanceof MessageEndedError)) throw err;
      log('message already ended', { key, status: err.status });
    }
  }

  const routes = { '/api/sign-in/start': start, '/api/sign-in/verify': verify };
  return async function handle(req, res) {
    try {
      if (req.method === 'GET' && (req.url === '/' || req.url === '/index.html')) return send(res, 200, PAGE, 'html');
      if (req.method === 'GET' && req.url === '/page.js') return send(res, 200, SCRIPT, 'js');
      const route = routes[req.url];
      if (!route) return sendJson(res, 404, { error: `no ${req.method} ${req.url}` });
      if (req.method !== 'POST') return sendJson(res, 405, { error: `${req.url} takes POST` });
      if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
        return sendJson(res, 415, { error: 'send application/json' });
      }
      const body = await readJson(req);
      if (body === undefined) return sendJson(res, 400, { error: `a JSON object of at most ${MAX_BODY_BYTES} bytes` });
      const [status, answer] = await route(body);
      return sendJson(res, status, answer);
    } catch (err) {
      log('error', { error: err?.name ?? 'Error', message: err?.message });
      return sendJson(res, 502, { error: 'the code could not be handled just now; try again' });
    }
  };
}

async function readJson(req) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const TYPES = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', json: 'application/json' };

function send(res, status, body, type) {
  res.writeHead(status, {
    'content-type': TYPES[type],
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'self'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

function sendJson(res, status, value) {
  send(res, status, JSON.stringify(value), 'json');
}

function logLine(event, fields) {
  console.log(JSON.stringify({ time: new Date().toISOString(), event, ...fields }));
}

/** Starts the server; resolves with its URL and a close(). Port 0 picks a free port. */
export async function startSignInServer({ port = 3000, host = '127.0.0.1', ...options }) {
  const server = createServer(signInHandler(options));
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  const url = `http://${host}:${server.address().port}`;
  const close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { url, close };
}

async function main() {
  const configPath = process.env.RESILIENT_SMS_CONFIG;
  if (!configPath) throw new Error('RESILIENT_SMS_CONFIG: required (the config file the worker uses)');
  const { client, close } = await connectResilientSms(loadConfig(configPath));
  const server = await startSignInServer({
    sms: client,
    useCase: process.env.SIGN_IN_USE_CASE ?? 'otp',
    port: Number(process.env.PORT ?? 3000),
  });
  console.log(`sign-in example on ${server.url}`);
  const stop = async () => {
    await server.close();
    await close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

// Run directly (`node server.mjs`), not imported.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
