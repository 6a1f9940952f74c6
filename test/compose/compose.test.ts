/**
 * docker-compose.yml, validated the way CI can without a Docker engine: Debian's `docker-compose` parses and
 * resolves it (`config -q`, with and without the demo profile), and the resolved YAML is checked: the services
 * exist, the demo ones only in the demo profile, every resilient-sms command is one the CLI has and the
 * Dockerfile builds, the demo config is a valid config.
 *
 * Needs `docker-compose` (scripts/ensure-tools.sh installs Debian's package where it may; COMPOSE_BIN
 * overrides). Without it the test is skipped with a warning - except under CI, where it fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { buildProgram } from '../../src/cli/main';
import { loadConfig } from '../../src/config/load';
import { findRepoRoot } from '../../src/tools/temporal-cli';

const root = findRepoRoot(__dirname);
const COMPOSE = process.env.COMPOSE_BIN ?? 'docker-compose';
const available = spawnSync(COMPOSE, ['version'], { encoding: 'utf8' }).status === 0;
if (!available && process.env.CI) {
  throw new Error(`${COMPOSE} not found: CI must validate docker-compose.yml (run scripts/ensure-tools.sh)`);
}
if (!available) console.warn(`[compose] ${COMPOSE} not found: skipping (apt-get install docker-compose)`);
const describeIfCompose = available ? describe : describe.skip;

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  profiles?: string[];
  environment?: Record<string, string | null>;
  volumes?: (string | { source: string; target: string })[];
  depends_on?: Record<string, { condition: string }>;
  ports?: unknown[];
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

function compose(args: string[], env: Record<string, string> = {}): string {
  return execFileSync(COMPOSE, ['-f', path.join(root, 'docker-compose.yml'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, RSMS_CONFIG_DIR: '', RSMS_CONFIG_FILE: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function resolved(args: string[] = [], env: Record<string, string> = {}): ComposeFile {
  return parseYaml(compose([...args, 'config'], env)) as ComposeFile;
}

const APP_SERVICES = ['worker', 'ingester', 'api', 'temporal-setup'];
const DEMO_SERVICES = ['simulator', 'sqs', 'demo-provision'];

describeIfCompose('docker-compose.yml', () => {
  it('is valid, with and without the demo profile', () => {
    expect(() => compose(['config', '-q'])).not.toThrow();
    expect(() => compose(['--profile', 'demo', 'config', '-q'])).not.toThrow();
  });

  it('runs Temporal on PostgreSQL, the Web UI, the worker, the ingester and the HTTP API', () => {
    const { services, volumes } = resolved();
    for (const name of ['postgresql', 'temporal', 'temporal-ui', ...APP_SERVICES]) expect(services[name]).toBeDefined();
    expect(services.postgresql.image).toMatch(/^postgres:/);
    expect(services.temporal.image).toMatch(/^temporalio\/auto-setup:/);
    expect(services.temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(services.temporal.depends_on?.postgresql.condition).toBe('service_healthy');
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:/);
    expect(services['temporal-ui'].environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(volumes).toHaveProperty('postgresql-data');

    expect(services.worker.command).toEqual(['node', 'lib/src/cli/main.js', 'worker', '--metrics-port', '9464']);
    expect(services.ingester.command).toEqual(['node', 'lib/src/cli/main.js', 'ingest', '--metrics-port', '9465']);
    expect(services.api.command).toEqual(['node', 'lib/src/cli/main.js', 'api', '--host', '0.0.0.0', '--port', '8088']);
    expect(services.api.ports).toEqual([expect.objectContaining({ published: 8088, target: 8088 })]);
    for (const name of ['worker', 'ingester', 'api']) {
      expect(services[name].image).toBe('resilient-sms:latest');
      expect(services[name].build).toBeDefined();
      expect(services[name].profiles).toBeUndefined();
      expect(services[name].depends_on?.['temporal-setup'].condition).toBe('service_completed_successfully');
      expect(services[name].environment).toMatchObject({
        RESILIENT_SMS_CONFIG: '/config/config.yaml',
        TEMPORAL_ADDRESS: 'temporal:7233',
      });
    }
    // The search attributes are registered by our own `setup` command before any app process starts.
    expect(services['temporal-setup'].command).toEqual(expect.arrayContaining(['lib/src/cli/main.js', 'setup']));
    expect(services['temporal-setup'].depends_on?.temporal.condition).toBe('service_healthy');
  });

  it('puts the simulator and the SQS emulator in the demo profile only', () => {
    const { services } = resolved(['--profile', 'demo']);
    for (const name of DEMO_SERVICES) expect(services[name]?.profiles).toEqual(['demo']);
    expect(services.sqs.image).toMatch(/^motoserver\/moto:/);
    expect(services.simulator.command).toEqual(
      expect.arrayContaining([
        'lib/src/cli/main.js',
        'simulator',
        '--host',
        '0.0.0.0',
        '--sns-endpoint',
        'http://sqs:5000',
      ]),
    );
    const profiled = Object.entries(services).filter(([, s]) => s.profiles?.length);
    expect(profiled.map(([n]) => n).sort()).toEqual([...DEMO_SERVICES].sort());
  });

  it('reads another config with RSMS_CONFIG_DIR / RSMS_CONFIG_FILE, and the demo config is valid', () => {
    const { services } = resolved(['--profile', 'demo'], {
      RSMS_CONFIG_DIR: './docs/compose',
      RSMS_CONFIG_FILE: 'demo.yaml',
    });
    expect(services.worker.environment?.RESILIENT_SMS_CONFIG).toBe('/config/demo.yaml');
    const mount = services.worker.volumes?.[0];
    const source = typeof mount === 'string' ? mount.split(':')[0] : mount?.source;
    expect(source).toBe(path.join(root, 'docs', 'compose'));

    const demo = loadConfig(path.join(root, 'docs', 'compose', 'demo.yaml'));
    expect(demo.temporal.address).toBe('temporal:7233');
    expect(new Set(demo.routes.map((r) => r.endpoint))).toEqual(new Set(['http://simulator:4599']));
    expect(new Set(demo.dlrQueues.map((q) => q.endpoint))).toEqual(new Set(['http://sqs:5000']));
    expect(demo.security.api?.port).toBe(8088);
    expect(demo.security.api?.keys.map((k) => k.env)).toEqual(['RSMS_DEMO_API_KEY']);
  });

  it('only runs commands the CLI has, from files the Dockerfile builds', () => {
    const { services } = resolved(['--profile', 'demo']);
    const program = buildProgram();
    const commands = new Map(program.commands.map((c) => [c.name(), c]));
    const globalFlags = program.options.map((o) => o.long);
    for (const [name, service] of Object.entries(services)) {
      const cmd = service.command;
      if (!cmd || cmd[0] !== 'node') continue;
      const script = cmd[1];
      // lib/src/x.js is compiled from src/x.ts by `npm run build` (tsconfig.build.json) in the Dockerfile.
      expect([name, fs.existsSync(path.join(root, script.replace(/^lib\//, '').replace(/\.js$/, '.ts')))]).toEqual([
        name,
        true,
      ]);
      if (script !== 'lib/src/cli/main.js') continue;
      const args = cmd.slice(2);
      const sub = args.find((a, i) => !a.startsWith('-') && !(i > 0 && args[i - 1].startsWith('--')));
      expect([name, sub && commands.has(sub)]).toEqual([name, true]);
      const known = [...globalFlags, ...commands.get(sub!)!.options.map((o) => o.long)];
      for (const flag of args.filter((a) => a.startsWith('--')))
        expect([name, flag, known.includes(flag)]).toEqual([name, flag, true]);
    }

    const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20-slim/m);
    expect(dockerfile).toContain('npm ci');
    expect(dockerfile).toMatch(/COPY tsconfig\.json tsconfig\.build\.json/);
    expect(dockerfile).toContain('RUN npm run build');
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.build).toContain('tsconfig.build.json');
    expect(dockerfile).toMatch(/CMD \["node", "lib\/src\/cli\/main\.js", "worker"/);
  });
});
