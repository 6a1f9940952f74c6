/**
 * The launcher's children and their supervision: each child (`resilient-sms <command>`) and the Temporal dev
 * server is started again when it dies (at most 10 times), and every change of pid is reported through
 * `onChange` (the launcher rewrites stack.json). The chaos suite relies on the restarts.
 */
import path from 'node:path';
import type { Moto } from '../tools/moto';
import { sleep, startService, type ServiceProcess } from '../tools/service-process';
import { startDevServer, type DevServer, type DevServerOptions } from '../tools/temporal-cli';

const MAX_RESTARTS = 10;

export interface SupervisorOptions {
  /** The built CLI every child runs. */
  cli: string;
  cwd: string;
  logsDir: string;
  /** The effective config, passed to every child as --config. */
  configPath: string;
  /** The environment of a child. */
  envFor: (name: string) => NodeJS.ProcessEnv;
  print: (line: string) => void;
  /** A pid changed (a child started or restarted). */
  onChange: () => void;
}

export class StackSupervisor {
  private shuttingDown = false;
  private temporal?: DevServer;
  private moto?: Moto;
  private readonly children = new Map<string, ServiceProcess>();

  constructor(private readonly o: SupervisorOptions) {}

  get stopping(): boolean {
    return this.shuttingDown;
  }

  /** Every process of the stack by name, as stack.json lists them. */
  processes(): Record<string, number | undefined> {
    return {
      temporal: this.temporal?.process.pid,
      sqs: this.moto?.service.process.pid,
      ...Object.fromEntries([...this.children].map(([name, child]) => [name, child.process.pid])),
    };
  }

  pidOf(name: string): number | undefined {
    return this.children.get(name)?.process.pid;
  }

  /** The emulator is not restarted: its queues would be gone. Stopped last but one. */
  adoptMoto(moto: Moto): void {
    this.moto = moto;
  }

  /** Starts a child `resilient-sms <command>`, and starts it again if it dies. */
  async startChild(name: string, command: string[], ready: () => Promise<boolean>, restarts = 0): Promise<void> {
    const log = path.join(this.o.logsDir, `${name}.log`);
    const child = await startService({
      name,
      command: process.execPath,
      args: [this.o.cli, ...command, '--config', this.o.configPath],
      env: this.o.envFor(name),
      cwd: this.o.cwd,
      log,
      ready,
      startTimeoutMs: 60_000,
    });
    this.children.set(name, child);
    this.o.onChange();
    void child.exited.then(async ({ code, signal }) => {
      if (this.shuttingDown) return;
      this.o.print(`[dev] ${name} exited (code ${code}, signal ${signal}); see ${log}`);
      if (restarts >= MAX_RESTARTS) return this.o.print(`[dev] ${name} restarted too often; not restarting it again`);
      await sleep(500);
      if (this.shuttingDown) return;
      try {
        await this.startChild(name, command, ready, restarts + 1);
        this.o.print(`[dev] ${name} restarted (pid ${this.pidOf(name)})`);
      } catch (err) {
        this.o.print(`[dev] ${name} did not restart: ${(err as Error).message}`);
      }
    });
  }

  /**
   * Starts the Temporal dev server. One that dies is started again on the same port and database file (workflows
   * resume where they were; the children's connections reconnect).
   */
  async startTemporal(options: DevServerOptions): Promise<DevServer> {
    const server = await startDevServer(options);
    this.temporal = server;
    this.superviseTemporal(server, options, 0);
    return server;
  }

  private superviseTemporal(server: DevServer, options: DevServerOptions, restarts: number): void {
    const print = this.o.print;
    server.process.once('exit', (code, signal) => {
      void (async () => {
        if (this.shuttingDown) return;
        print(`[dev] Temporal dev server exited (code ${code}, signal ${signal}); see ${options.log}`);
        if (restarts >= MAX_RESTARTS)
          return print('[dev] Temporal dev server restarted too often; not restarting it again');
        await sleep(500);
        if (this.shuttingDown) return;
        try {
          const next = await startDevServer(options);
          if (this.shuttingDown) return void (await next.stop());
          this.temporal = next;
          this.o.onChange();
          this.superviseTemporal(next, options, restarts + 1);
          print(`[dev] Temporal dev server restarted (pid ${next.process.pid})`);
        } catch (err) {
          print(`[dev] Temporal dev server did not restart: ${(err as Error).message}`);
        }
      })();
    });
  }

  /** Stops everything, the clients of Temporal first; `beforeServers` runs before the emulator and Temporal stop. */
  async stopAll(beforeServers?: () => Promise<void>): Promise<void> {
    this.shuttingDown = true;
    for (const name of ['api', 'codec-server', 'ingester', 'worker', 'simulator'])
      await this.children.get(name)?.stop(10_000);
    await beforeServers?.();
    await this.moto?.stop();
    await this.temporal?.stop();
  }
}
