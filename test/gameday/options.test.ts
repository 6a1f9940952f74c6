/** The game day's command line, its option defaults and checks, the scenarios' faults and the route-health switch. */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/config/load';
import { watchBreaker, waitUntilClosed, type BreakerReading } from '../../src/gameday/breaker-probe';
import { parseGamedayArgs } from '../../src/gameday/main';
import { primaryRung, resolveOptions, validateOptions } from '../../src/gameday/options';
import { withRouteHealth } from '../../src/gameday/route-health-mode';
import { parseModeList, parseScenarioList, scenario, SCENARIOS } from '../../src/gameday/scenarios';
import { FaultStore } from '../../src/simulator/faults';

const root = path.join(__dirname, '..', '..');
const localYaml = path.join(root, 'config', 'local.yaml');

describe('gameday command line', () => {
  it('reads the documented flags', () => {
    const o = parseGamedayArgs([
      '--rate', '7', '--fault-seconds', '1.5', '--scenarios', 'spend-limit,region-outage', '--modes', 'on',
      '--out', 'x.json', '--quiet',
    ]); // prettier-ignore
    expect(o).toMatchObject({
      rate: 7,
      faultMs: 1_500,
      scenarios: ['spend-limit', 'region-outage'],
      modes: ['on'],
      out: path.resolve('x.json'),
      json: false,
    });
    expect(o.log).toBeUndefined();
  });

  it.each([
    [['--rate', '0'], /must be a number > 0/],
    [['--rate', 'fast'], /must be a number ≥ 0/],
    [['--scenarios', 'meteor'], /unknown scenario "meteor"/],
    [['--modes', 'off,maybe'], /unknown mode "maybe"/],
    [['--drain-timeout', 'soon'], /./],
    [['--bogus'], /unknown option/],
  ])('refuses %j, naming what is wrong', (argv, why) => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => parseGamedayArgs(argv)).toThrow(why);
    } finally {
      stderr.mockRestore();
    }
  });

  it('gives --smoke its sizes, and explicit flags win over them', () => {
    expect(resolveOptions(parseGamedayArgs(['--smoke']))).toMatchObject({
      smoke: true,
      rate: 2,
      scenarios: ['spend-limit'],
      modes: ['off', 'on'],
      faultMs: 4_000,
    });
    expect(resolveOptions(parseGamedayArgs(['--smoke', '--rate', '3']))).toMatchObject({ smoke: true, rate: 3 });
    expect(resolveOptions({})).toMatchObject({ rate: 5, faultMs: 60_000, modes: ['off', 'on'], smoke: false });
  });

  it('checks options given in code', () => {
    expect(() => validateOptions(resolveOptions({ rate: -1 }))).toThrow('rate: must be a number > 0, got -1');
    expect(() => validateOptions(resolveOptions({ scenarios: [] }))).toThrow('scenarios: at least one');
  });

  it('parses lists without duplicates and refuses empty ones', () => {
    expect(parseScenarioList(' silent-filtering , silent-filtering')).toEqual(['silent-filtering']);
    expect(parseModeList('on,off')).toEqual(['on', 'off']);
    expect(() => parseModeList(',')).toThrow('no mode given (choose from off, on)');
  });
});

describe('scenarios', () => {
  const config = loadConfig(localYaml);
  const primary = primaryRung(config);

  it("strike the shipped config's first US rung", () => {
    expect(primary).toEqual({
      account: 'primary',
      region: 'us-east-1',
      originator: 'pool-us-shortcode',
      country: 'US',
    });
  });

  it.each(SCENARIOS)('%s: its fault is one the simulator accepts', (name) => {
    const store = new FaultStore(Object.keys(config.accounts), () => 0);
    expect(() => store.add(scenario(name, primary).fault)).not.toThrow();
  });

  it('tell the faulty route from the others', () => {
    const outage = scenario('region-outage', primary);
    expect(outage.breakerKey).toBe('region:us-east-1');
    expect(outage.faulty({ account: 'secondary', region: 'us-east-1' })).toBe(true);
    expect(outage.faulty({ account: 'primary', region: 'us-west-2' })).toBe(false);
    const silent = scenario('silent-filtering', primary);
    expect(silent.breakerKey).toBe('originator:primary/us-east-1/pool-us-shortcode@US');
    expect(silent.faulty({ account: 'primary', region: 'us-east-1', originator: '+12065550100' })).toBe(false);
    const spend = scenario('spend-limit', primary);
    expect(spend.breakerKey).toBe('route:primary/us-east-1');
    expect(spend.faulty({ account: 'secondary', region: 'us-east-1' })).toBe(false);
  });

  it('need a US originator and the otp policy', () => {
    expect(() => primaryRung({ ...config, originators: {} })).toThrow('the config has no US originator');
    expect(() => primaryRung({ ...config, policies: { alert: config.policies.alert } })).toThrow('no "otp" policy');
  });
});

describe('withRouteHealth', () => {
  const text = JSON.stringify(parseYaml(fs.readFileSync(localYaml, 'utf8')));

  it('switches routeHealth.enabled and keeps the rest of the section', () => {
    const base = JSON.parse(text) as { routeHealth: Record<string, unknown> };
    const off = JSON.parse(withRouteHealth(text, 'local', 'off')) as { routeHealth: Record<string, unknown> };
    expect(off.routeHealth).toEqual({ ...base.routeHealth, enabled: false });
    const on = JSON.parse(withRouteHealth(JSON.stringify(off), 'local', 'on')) as typeof off;
    expect(on.routeHealth).toEqual({ ...base.routeHealth, enabled: true });
    const tuned = JSON.stringify({ ...JSON.parse(text), routeHealth: { enabled: true, flushInterval: 500 } });
    expect(JSON.parse(withRouteHealth(tuned, 'local', 'off'))).toMatchObject({
      routeHealth: { enabled: false, flushInterval: 500 },
    });
  });

  it('refuses a config that does not load, naming the field', () => {
    const bad = JSON.stringify({ ...JSON.parse(text), routeHealth: { unhealthyRungs: 'sometimes' } });
    expect(() => withRouteHealth(bad, 'local', 'on')).toThrow(/unhealthyRungs/);
  });
});

describe('breaker watch', () => {
  it('keeps the changes of state and skips failed reads', async () => {
    const states: BreakerReading[] = ['closed', 'unknown', 'closed', 'open', 'open', 'half-open', 'closed'];
    let i = 0;
    const watcher = watchBreaker(() => Promise.resolve(states[Math.min(i++, states.length - 1)]), 1);
    while (i < states.length + 2) await new Promise((r) => setTimeout(r, 2));
    const samples = await watcher.stop();
    expect(samples.map((s) => s.state)).toEqual(['closed', 'open', 'half-open', 'closed']);
  });

  it('waits for a closed breaker, or gives up at the timeout with the last reading', async () => {
    const seq: BreakerReading[] = ['open', 'half-open', 'closed'];
    let i = 0;
    await expect(waitUntilClosed(() => Promise.resolve(seq[i++]), 5_000, 1)).resolves.toBe('closed');
    await expect(waitUntilClosed(() => Promise.resolve('open'), 5, 1)).resolves.toBe('open');
    await expect(waitUntilClosed(() => Promise.resolve('n/a'), 5_000, 1)).resolves.toBe('n/a');
  });
});
