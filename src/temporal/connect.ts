/**
 * The one place every Temporal client connection is built (the worker's native one: ./native.ts), from the settings
 * of ./settings.ts: TLS, client certificate, server name and API key as the SDK's ConnectionOptions take them
 * (`tls`: serverRootCACertificate, clientCertPair, serverNameOverride; `apiKey`; `connectTimeout`).
 *
 * - `connectClient`: connects now; a bad setting or an unreachable server fails within the connect timeout with
 *   the reason (./explain.ts), never as a hang.
 * - `lazyClient` + `watchSettings`: for the processes that start while Temporal is down (ingester, API); the watch
 *   tries the settings in the background and reports a setting that can never work, so the process stops with
 *   the reason instead of retrying for ever.
 */
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { TemporalSettingsError } from './errors';
import { explainConnectError, explainProbe } from './explain';
import type { TemporalSettings } from './settings';
import { probeTls } from './tls-probe';

/** The SDK's own default. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export function connectTimeoutOf(s: TemporalSettings, fallbackMs = DEFAULT_CONNECT_TIMEOUT_MS): number {
  return s.connectTimeoutMs ?? fallbackMs;
}

export function clientConnectionOptions(s: TemporalSettings, timeoutMs: number): ConnectionOptions {
  return {
    address: s.address,
    tls: s.tls ?? null,
    ...(s.apiKey !== undefined ? { apiKey: s.apiKey } : {}),
    connectTimeout: timeoutMs,
  };
}

/** With TLS: one handshake with the settings first; throws the reason it fails. */
export async function checkTls(s: TemporalSettings, timeoutMs: number): Promise<void> {
  if (!s.tls) return;
  const problem = explainProbe(s, await probeTls(s, { timeoutMs }), timeoutMs);
  if (problem) throw problem;
}

export interface ConnectOptions {
  /** When the settings give no connectTimeout. Default 10 s. */
  defaultTimeoutMs?: number;
}

/** A connected Connection, or the reason there is none (TemporalSettingsError / TemporalUnreachableError). */
export async function connectClient(s: TemporalSettings, opts: ConnectOptions = {}): Promise<Connection> {
  const timeoutMs = connectTimeoutOf(s, opts.defaultTimeoutMs);
  await checkTls(s, timeoutMs);
  const connection = Connection.lazy(clientConnectionOptions(s, timeoutMs));
  try {
    await connection.ensureConnected();
    return connection;
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw await explainConnectError(s, err, timeoutMs);
  }
}

/**
 * The settings tried with one pure-JS connection, then closed: for the worker, before its Runtime exists (a Runtime
 * forwarding Core's logs keeps a process alive while a native connect is pending, so a failure found later leaves a
 * process that lingers instead of exiting with the reason).
 */
export async function preflight(s: TemporalSettings, opts: ConnectOptions = {}): Promise<void> {
  const connection = await connectClient(s, opts);
  await connection.close();
}

/** A Connection that connects on its first call. */
export function lazyClient(s: TemporalSettings, opts: ConnectOptions = {}): Connection {
  return Connection.lazy(clientConnectionOptions(s, connectTimeoutOf(s, opts.defaultTimeoutMs)));
}

/** Tries the settings once: 'ok', 'unreachable' (try again later), or throws the TemporalSettingsError. */
export async function trySettings(
  s: TemporalSettings,
  connection: Connection,
  timeoutMs: number,
): Promise<'ok' | 'unreachable'> {
  if (s.tls) {
    const problem = explainProbe(s, await probeTls(s, { timeoutMs }), timeoutMs);
    if (problem instanceof TemporalSettingsError) throw problem;
    if (problem) return 'unreachable';
  }
  try {
    await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.getSystemInfo({}));
    return 'ok';
  } catch (err) {
    const why = await explainConnectError(s, err, timeoutMs);
    if (why instanceof TemporalSettingsError) throw why;
    return 'unreachable';
  }
}

export interface SettingsWatch {
  /** Resolves with the first verdict: ok, or the settings error (also given to onSettingsError). */
  readonly settled: Promise<'ok' | TemporalSettingsError>;
  stop(): void;
}

/**
 * For a lazy connection with TLS or an API key: tries the settings now and, while Temporal is unreachable, every
 * `retryMs`, until they work once or `onSettingsError` hears why they never will. Nothing to try for a plain
 * connection (settles 'ok' at once).
 */
export function watchSettings(
  s: TemporalSettings,
  connection: Connection,
  onSettingsError: (err: TemporalSettingsError) => void,
  opts: { retryMs?: number; timeoutMs?: number } = {},
): SettingsWatch {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const timeoutMs = opts.timeoutMs ?? connectTimeoutOf(s);
  const settled = new Promise<'ok' | TemporalSettingsError>((resolve) => {
    if (!s.tls && s.apiKey === undefined) return resolve('ok');
    const attempt = () => {
      if (stopped) return;
      trySettings(s, connection, timeoutMs).then(
        (r) => {
          if (r === 'ok') resolve('ok');
          else if (!stopped) timer = setTimeout(attempt, opts.retryMs ?? 5_000).unref();
        },
        (err: TemporalSettingsError) => {
          resolve(err);
          if (!stopped) onSettingsError(err);
        },
      );
    };
    attempt();
  });
  return {
    settled,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
