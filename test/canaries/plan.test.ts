/**
 * What each route's canary sends (src/canaries/plan.ts), on the shipped config/local.yaml with canaries switched on:
 * a probe whose ladder is just that route's originators, to AWS's success simulator number of the first country
 * those originators serve; a route that cannot be probed is named with the reason; nothing when canaries are off.
 */
import path from 'node:path';
import { canaryPlans } from '../../src/canaries/plan';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/domain/config';
import { routeHealthSchema } from '../../src/domain/route-health-config';

const shipped = loadConfig(path.join(__dirname, '../../config/local.yaml'));
const SHARED_POOL = 'arn:aws:sms-voice:us-east-1:111111111111:pool/pool-us-shortcode';

function withCanaries(canaries: Record<string, unknown> | undefined, enabled = true, base: Config = shipped): Config {
  return { ...base, routeHealth: routeHealthSchema.parse({ enabled, canaries }) };
}

describe('canaryPlans', () => {
  it('plans one probe per SMS route: its originators only, to the US success simulator number', () => {
    const { plans, skipped } = canaryPlans(withCanaries({ every: '45s' }));
    expect(skipped).toEqual([]);
    expect(plans.map((p) => [p.scheduleId, p.country, p.everyMs])).toEqual([
      ['route-canary:primary-use1', 'US', 45_000],
      ['route-canary:secondary-use1', 'US', 45_000],
      ['route-canary:primary-usw2', 'US', 45_000],
    ]);
    const secondary = plans[1].input;
    expect(secondary.probe).toBe(true);
    expect(secondary.request.destination).toBe('+14254147755');
    expect(secondary.plan.rungs.map((r) => [r.channel, r.account, r.region, r.originator, r.level])).toEqual([
      ['sms', 'secondary', 'us-east-1', SHARED_POOL, 'initial'],
      ['sms', 'secondary', 'us-east-1', '+18885550100', 'originator'],
    ]);
    // The otp policy (the first) without its feedback: nobody types a probe's code; labelled apart.
    expect(secondary.plan.policy).toMatchObject({
      useCase: 'canary',
      success: 'dlr',
      messageFeedback: false,
      feedbackGraceMs: 0,
      channels: ['sms'],
      stepWaitMs: 120_000,
    });
    expect(secondary.plan.skipped).toEqual([]);
  });

  it('probes only canaries.routes, with the settings of canaries.useCase', () => {
    const { plans } = canaryPlans(withCanaries({ routes: ['primary-usw2'], useCase: 'alert' }));
    expect(plans).toHaveLength(1);
    expect(plans[0].input.plan.rungs.map((r) => r.originator)).toEqual(['pool-us-west', '+18775550100']);
    expect(plans[0].input.plan.policy.stepWaitMs).toBe(15 * 60_000);
  });

  it('names each route it cannot probe, and why', () => {
    const config = withCanaries({ routes: ['primary-use1', 'nowhere'] }, true, {
      ...shipped,
      // Only Germany, where AWS has no simulator number, and Norway, whose numbers libphonenumber calls invalid.
      originators: {
        DE: [{ route: 'primary-use1', identity: 'ExampleCo', kind: 'sender-id', type: 'sender-id', shared: false }],
        NO: [{ route: 'primary-use1', identity: 'ExampleCo', kind: 'sender-id', type: 'sender-id', shared: false }],
      },
      policies: { otp: { ...shipped.policies.otp, allowedCountries: undefined } },
    });
    const { plans, skipped } = canaryPlans(config);
    expect(plans).toEqual([]);
    expect(skipped).toEqual([
      {
        routeId: 'primary-use1',
        reason: expect.stringMatching(
          /^no country of its originators can be probed \(DE: AWS has no simulator number there; NO: invalid message request: destination: /,
        ) as unknown,
      },
      { routeId: 'nowhere', reason: 'no route "nowhere" in the config' },
    ]);
  });

  it('plans nothing when canaries or route health are off', () => {
    expect(canaryPlans(shipped)).toEqual({ plans: [], skipped: [] });
    expect(canaryPlans(withCanaries(undefined))).toEqual({ plans: [], skipped: [] });
    expect(canaryPlans(withCanaries({}, false))).toEqual({ plans: [], skipped: [] });
  });
});
