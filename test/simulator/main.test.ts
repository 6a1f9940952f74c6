/**
 * The simulator's process entry point: config from a file, port choice, and a graceful stop on SIGTERM / SIGINT.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configSchema } from '../../src/domain/config';
import { buildProgram } from '../../src/cli/main';
import { portFromConfig, runSimulator } from '../../src/simulator/main';
import { KEYS } from './harness';

let dir: string;
let configFile: string;

const rawConfig = {
  accounts: { primary: { credentials: { type: 'static', ...KEYS.primary } } },
  routes: [{ id: 'r', account: 'primary', region: 'us-east-1', endpoint: 'http://127.0.0.1:4599' }],
  originators: { US: [{ route: 'r', identity: 'pool-1', type: 'toll-free' }] },
  policies: { otp: {} },
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsms-sim-'));
  configFile = path.join(dir, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify(rawConfig));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/_sim/health`)).status === 200;
  } catch {
    return false;
  }
}

it('takes its default port from the route endpoints when they agree', () => {
  const config = configSchema.parse(rawConfig);
  expect(portFromConfig(config)).toBe(4599);
  const mixed = configSchema.parse({
    ...rawConfig,
    routes: [
      ...rawConfig.routes,
      { id: 'r2', account: 'primary', region: 'us-west-2', endpoint: 'http://127.0.0.1:5000' },
    ],
  });
  expect(portFromConfig(mixed)).toBeUndefined();
});

it.each(['SIGTERM', 'SIGINT'] as const)('runs from a config file and stops on %s', async (signal) => {
  const lines: Record<string, unknown>[] = [];
  const sim = await runSimulator({
    configPath: configFile,
    port: 0,
    deliveryDelayMs: '50ms',
    log: (l) => lines.push(l),
  });
  expect(await healthy(sim.url)).toBe(true);
  expect(lines[0]).toMatchObject({
    msg: 'listening',
    deliveryDelayMs: 50,
    accounts: { primary: KEYS.primary.accessKeyId },
  });
  process.emit(signal, signal);
  await sim.stopped;
  expect(await healthy(sim.url)).toBe(false);
  expect(lines.map((l) => l.msg)).toContain('stopped');
  expect(process.listenerCount(signal)).toBe(0);
});

it('fails fast on a bad config or delivery delay', async () => {
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, JSON.stringify({ ...rawConfig, routes: [] }));
  await expect(runSimulator({ configPath: bad, port: 0, handleSignals: false })).rejects.toThrow(/routes/);
  await expect(
    runSimulator({ configPath: configFile, port: 0, deliveryDelayMs: 'soon', handleSignals: false }),
  ).rejects.toThrow(/delivery delay/);
});

it('`resilient-sms --config F simulator` parses --port / --delivery-delay', async () => {
  const cmd = buildProgram().exitOverride();
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    const done = cmd.parseAsync(['--config', configFile, 'simulator', '--port', '0', '--delivery-delay', '1s'], {
      from: 'user',
    });
    let listening: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && !listening; i++) {
      await new Promise((r) => setTimeout(r, 20));
      listening = stdout.mock.calls
        .flatMap((c) => {
          try {
            return [JSON.parse(String(c[0])) as Record<string, unknown>];
          } catch {
            return [];
          }
        })
        .find((l) => l.msg === 'listening');
    }
    expect(listening).toMatchObject({ deliveryDelayMs: 1_000 });
    expect(await healthy(String(listening!.url))).toBe(true);
    process.emit('SIGTERM', 'SIGTERM');
    await done;
    expect(await healthy(String(listening!.url))).toBe(false);
  } finally {
    stdout.mockRestore();
  }
  // Subcommands keep the output settings they were built with, so commander's error and help go to stderr: hush it.
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(() => buildProgram().exitOverride().parse(['simulator', '--port', 'x'], { from: 'user' })).toThrow(/port/);
  } finally {
    stderr.mockRestore();
  }
});
