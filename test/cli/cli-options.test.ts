import type { Command } from 'commander';
import { addressOverride } from '../../src/cli/connect';
import { buildProgram } from '../../src/cli/main';
import {
  parseCount,
  parseDuration,
  parseNonNegative,
  parseNonNegativeInt,
  parsePort,
  parsePortOrZero,
  parseShare,
} from '../../src/cli/options';
import { CONFIG_ENV, readEnvironment, type Environment } from '../../src/config/environment';
import { configPathFrom } from '../../src/config/load';
import { metricsPortFrom } from '../../src/observability/runtime';

/** The program on a fixed environment, every command made to throw instead of exiting, and silent. */
function quietProgram(env: Environment = {}): Command {
  const program = buildProgram(env);
  const quiet = (c: Command) =>
    c.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  quiet(program);
  for (const c of program.commands) quiet(c);
  return program;
}

/** Parses `args`; resolves to the error message. */
async function parseError(args: string[], env?: Environment): Promise<string> {
  try {
    await quietProgram(env).parseAsync(args, { from: 'user' });
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`parsing ${args.join(' ')} did not fail`);
}

describe('CLI options', () => {
  it.each([
    [['api', '--port', 'abc']],
    [['codec-server', '--port', '70000']],
    [['codec-server', '--port', '0']],
    [['worker', '--metrics-port', '12.5']],
    [['ingest', '--metrics-port', '0']],
  ])('refuses a port that is not one, naming the option: %j', async (args) => {
    const message = await parseError(args);
    expect(message).toMatch(/--(metrics-)?port/);
    expect(message).toContain('must be a port 1..65535');
  });

  it('lets the simulator listen on a port the OS picks (0), but on no port above 65535', async () => {
    const message = await parseError(['simulator', '--port', '70000']);
    expect(message).toMatch(/--port/);
    expect(message).toContain('must be a port 0..65535');
    expect(await parseError(['simulator', '--delivery-delay', 'soon'])).toMatch(/--delivery-delay.*not a duration/);
  });

  it('has one simulator command: the flags of the standalone simulator program', () => {
    const simulator = buildProgram({}).commands.find((c) => c.name() === 'simulator')!;
    expect(simulator.options.map((o) => o.long).sort()).toEqual(
      ['--delivery-delay', '--host', '--port', '--sns-endpoint'].sort(),
    );
  });

  it('without --config nor $RESILIENT_SMS_CONFIG, says how to give one', async () => {
    expect(await parseError(['status', 'k1'])).toBe(`no config file: pass --config FILE or set ${CONFIG_ENV}`);
    expect(await parseError(['worker'])).toMatch(/no config file/);
  });

  it('reads the config path from the environment it was given, not from process.env', async () => {
    const message = await parseError(['status', 'k1'], { configPath: '/nonexistent/config.yaml' });
    expect(message).toMatch(/cannot read config \/nonexistent\/config\.yaml/);
  });
});

describe('option parsers', () => {
  it('parsePort: 1..65535, and 0 only when allowed', () => {
    expect(parsePort('8080')).toBe(8080);
    expect(parsePort(65535)).toBe(65535);
    for (const bad of ['0', '65536', '1.5', 'abc', '', ' ']) expect(() => parsePort(bad)).toThrow(/must be a port 1/);
    expect(parsePortOrZero('0')).toBe(0);
    expect(() => parsePortOrZero('-1')).toThrow(/must be a port 0..65535/);
  });

  it('counts, whole numbers, numbers and shares', () => {
    expect(parseCount('3')).toBe(3);
    for (const bad of ['0', '-1', '2.5', '', 'x']) expect(() => parseCount(bad)).toThrow(/positive integer/);
    expect(parseNonNegativeInt('0')).toBe(0);
    expect(() => parseNonNegativeInt('-1')).toThrow(/whole number/);
    expect(parseNonNegative('0.25')).toBe(0.25);
    expect(() => parseNonNegative('Infinity')).toThrow(/number ≥ 0/);
    expect(parseShare('1')).toBe(1);
    expect(() => parseShare('1.01')).toThrow(/share between 0 and 1/);
  });

  it('durations in milliseconds', () => {
    expect(parseDuration('200ms')).toBe(200);
    expect(parseDuration('2s')).toBe(2_000);
    expect(parseDuration('1500')).toBe(1_500);
    expect(() => parseDuration('soon')).toThrow(/not a duration/);
    expect(() => parseDuration('-1s')).toThrow(/not a duration/);
  });

  it('$METRICS_PORT: unset or empty is no endpoint, anything else must be a port', () => {
    expect(metricsPortFrom(undefined)).toBeUndefined();
    expect(metricsPortFrom('')).toBeUndefined();
    expect(metricsPortFrom('9464')).toBe(9464);
    expect(() => metricsPortFrom('0')).toThrow(/METRICS_PORT must be a port 1..65535/);
  });
});

describe('readEnvironment', () => {
  it('reads the variables the processes use, and nothing else', () => {
    expect(
      readEnvironment({
        [CONFIG_ENV]: 'config/local.yaml',
        TEMPORAL_ADDRESS: 'temporal:7233',
        LOG_LEVEL: 'debug',
        METRICS_PORT: '9464',
        METRICS_HOST: '127.0.0.1',
        HOME: '/home/x',
      }),
    ).toEqual({
      configPath: 'config/local.yaml',
      temporalAddress: 'temporal:7233',
      logLevel: 'debug',
      metricsPort: '9464',
      metricsHost: '127.0.0.1',
    });
  });

  it('counts an exported but empty variable as unset', () => {
    const env = readEnvironment({ [CONFIG_ENV]: '', TEMPORAL_ADDRESS: '', LOG_LEVEL: '' });
    expect(env).toEqual({
      configPath: undefined,
      temporalAddress: undefined,
      logLevel: undefined,
      metricsPort: undefined,
      metricsHost: undefined,
    });
  });

  it('gives the config loader its fallback path: --config wins over $RESILIENT_SMS_CONFIG', () => {
    const env = readEnvironment({ [CONFIG_ENV]: 'from-env.yaml' });
    expect(configPathFrom(undefined, env)).toBe('from-env.yaml');
    expect(configPathFrom('explicit.yaml', env)).toBe('explicit.yaml');
    expect(() => configPathFrom(undefined, readEnvironment({}))).toThrow(/no config file/);
  });
});

describe('the Temporal address of every command', () => {
  it('is --address, else $TEMPORAL_ADDRESS, else (undefined here) the config', () => {
    expect(addressOverride({ address: 'flag:7233' }, { temporalAddress: 'env:7233' })).toBe('flag:7233');
    expect(addressOverride({}, { temporalAddress: 'env:7233' })).toBe('env:7233');
    expect(addressOverride({}, {})).toBeUndefined();
  });
});
