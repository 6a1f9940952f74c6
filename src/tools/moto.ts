/**
 * The local SQS/SNS emulator: moto's server mode (PyPI `moto[server]`), a real HTTP server the real
 * AWS SDK talks to. Resolution order: MOTO_SERVER_PATH, `moto_server` on PATH, the project's .tools venv.
 */
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './free-ports';
import { findRepoRoot } from './temporal-cli';
import { httpProbe, startService, type ServiceProcess } from './service-process';

export const MOTO_SERVER_ENV = 'MOTO_SERVER_PATH';

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function resolveMotoServer(): string | undefined {
  const explicit = process.env[MOTO_SERVER_ENV];
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`${MOTO_SERVER_ENV}=${explicit} is not an executable file`);
    return explicit;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, 'moto_server'))) return path.join(dir, 'moto_server');
  }
  const local = path.join(findRepoRoot(), '.tools', 'venv', 'bin', 'moto_server');
  return isExecutable(local) ? local : undefined;
}

export interface Moto {
  endpoint: string;
  port: number;
  service: ServiceProcess;
  stop(): Promise<void>;
}

export async function startMoto(opts: { port?: number; host?: string; log?: string } = {}): Promise<Moto> {
  const command = resolveMotoServer();
  if (!command) {
    throw new Error(
      `moto_server not found: run scripts/ensure-tools.sh, put moto_server on PATH, or set ${MOTO_SERVER_ENV}`,
    );
  }
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? (await freePort(host));
  const endpoint = `http://${host}:${port}`;
  const service = await startService({
    name: 'moto_server',
    command,
    args: ['-H', host, '-p', String(port)],
    log: opts.log,
    ready: () => httpProbe(`${endpoint}/moto-api/`),
  });
  return { endpoint, port, service, stop: () => service.stop() };
}
