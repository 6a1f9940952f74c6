/**
 * What an operator may drain: health keys, route ids, Regions and originator identities, each mapped with the
 * config (the shipped config/local.yaml: two accounts in us-east-1, one in us-west-2, a RAM-shared pool by ARN), and
 * every bad target refused naming the target and the accepted forms.
 */
import path from 'node:path';
import { loadConfig } from '../../src/config/load';
import { BadTargetError, resolveTarget, TARGET_FORMS } from '../../src/domain/route-targets';

const config = loadConfig(path.join(__dirname, '../../config/local.yaml'));
const SHARED_POOL = 'arn:aws:sms-voice:us-east-1:111111111111:pool/pool-us-shortcode';

describe('resolveTarget', () => {
  it.each([
    ['region:us-east-1', ['region:us-east-1']],
    ['route:primary/us-west-2', ['route:primary/us-west-2']],
    ['originator:primary/us-east-1/pool-us-shortcode@US', ['originator:primary/us-east-1/pool-us-shortcode@US']],
    ['originator:primary/us-east-1/pool-us-shortcode@*', ['originator:primary/us-east-1/pool-us-shortcode@*']],
    [`originator:secondary/us-east-1/${SHARED_POOL}@US`, [`originator:secondary/us-east-1/${SHARED_POOL}@US`]],
    ['  region:us-west-2 ', ['region:us-west-2']],
  ])('takes the health key %s as it is', (target, keys) => {
    expect(resolveTarget(config, target)).toEqual(keys);
  });

  it('maps a config route id to its route key, and a bare Region to its region key', () => {
    expect(resolveTarget(config, 'primary-use1')).toEqual(['route:primary/us-east-1']);
    expect(resolveTarget(config, 'secondary-use1')).toEqual(['route:secondary/us-east-1']);
    expect(resolveTarget(config, 'us-west-2')).toEqual(['region:us-west-2']);
  });

  it('maps an originator identity to every @* key of the routes that use it', () => {
    expect(resolveTarget(config, 'pool-us-shortcode')).toEqual(['originator:primary/us-east-1/pool-us-shortcode@*']);
    // The UK sender id is configured on all three routes.
    expect(resolveTarget(config, 'ExampleCo').sort()).toEqual([
      'originator:primary/us-east-1/ExampleCo@*',
      'originator:primary/us-west-2/ExampleCo@*',
      'originator:secondary/us-east-1/ExampleCo@*',
    ]);
    expect(resolveTarget(config, SHARED_POOL)).toEqual([`originator:secondary/us-east-1/${SHARED_POOL}@*`]);
  });

  it.each([
    ['', /must not be empty/],
    ['   ', /must not be empty/],
    ['region:eu-west-1', /no route of the config is in Region "eu-west-1" \(Regions: us-east-1, us-west-2\)/],
    ['region:', /no route of the config is in Region ""/],
    ['route:primary', /route:<account>\/<region>/],
    ['route:secondary/us-west-2', /no route of the config is account "secondary" in "us-west-2"/],
    ['originator:primary/us-east-1/pool-us-shortcode', /originator:<account>\/<region>\/<originator>@/],
    ['originator:primary/us-east-1/pool-us-shortcode@us', /originator:<account>\/<region>\/<originator>@/],
    ['originator:primary/us-east-1/pool-nope@US', /no originator "pool-nope"/],
    ['originator:primary/us-east-1/pool-us-shortcode@GB', /not configured for GB \(only: US\)/],
    ['primary-euw1', /not a health key, a route id, a Region or an originator/],
    ['x'.repeat(600), /at most 512 characters/],
  ])('refuses %j naming the target and the accepted forms', (target, reason) => {
    let error: unknown;
    try {
      resolveTarget(config, target);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(BadTargetError);
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).toContain('bad target "');
    expect((error as Error).message).toContain(TARGET_FORMS);
  });

  it('refuses a target that is not a string', () => {
    expect(() => resolveTarget(config, 42)).toThrow(BadTargetError);
  });
});
