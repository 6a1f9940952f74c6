/**
 * The planner with route health (src/workflows/health-order.ts): open or drained Regions, accounts and
 * originators go last (or are skipped), never around an opt-out, and a message whose every route is unhealthy
 * still goes out on the best of them.
 */
import type { RouteHealthEntry } from '../../src/domain/route-health';
import type { HealthView } from '../../src/workflows/health-order';
import { nextStep, type NextStep } from '../../src/workflows/planner';
import { delivered, errors, failed, R, sendError, usPlan } from '../helpers/fixtures';
import { failure } from '../../src/domain/outcome';

const timedOut = failure('originator', 'STEP_TIMEOUT', 'no final receipt within 120s');
const SINCE = Date.UTC(2026, 10, 30, 10, 42, 7);

function entry(key: string, condition: RouteHealthEntry['condition'] = 'open', probe?: boolean): RouteHealthEntry {
  return { key, condition, since: SINCE, why: '14 of 15 sends failed (send-error: InternalServerException)', probe };
}

const lastPlan = usPlan({ routeHealth: { unhealthyRungs: 'last' } });
const skipPlan = usPlan({ routeHealth: { unhealthyRungs: 'skip' } });

function view(action: HealthView['action'], ...entries: RouteHealthEntry[]): HealthView {
  return { action, entries };
}

function rungOf(step: NextStep): number | undefined {
  return step.kind === 'send' ? step.rungIndex : undefined;
}

describe('route health off', () => {
  it('ignores health when the plan does not have it on, whatever is passed', () => {
    const plan = usPlan();
    expect(rungOf(nextStep(plan, [], 0, view('skip', entry('region:us-east-1'))))).toBe(R.use1PrimarySc);
  });

  it('climbs exactly as planned when nothing is unhealthy', () => {
    expect(nextStep(lastPlan, [], 0, view('last'))).toEqual(nextStep(usPlan(), []));
    const attempts = [sendError(R.use1PrimarySc, errors.validation('DESTINATION_COUNTRY_BLOCKED'))];
    expect(rungOf(nextStep(lastPlan, attempts, 0, view('last')))).toBe(rungOf(nextStep(usPlan(), attempts)));
  });
});

describe('the first rung', () => {
  it('moves a Region that is open after the healthy ones, and says why', () => {
    const step = nextStep(lastPlan, [], 0, view('last', entry('region:us-east-1')));
    expect(rungOf(step)).toBe(R.usw2PrimarySc);
    if (step.kind !== 'send') throw new Error('expected a send');
    expect(step.passed?.map((p) => [p.rungIndex, p.action, p.key])).toEqual([
      [R.use1PrimarySc, 'moved', 'region:us-east-1'],
      [R.use1Primary10dlc, 'moved', 'region:us-east-1'],
      [R.use1SecondarySc, 'moved', 'region:us-east-1'],
      [R.use1SecondaryTf, 'moved', 'region:us-east-1'],
    ]);
    expect(step.why).toContain('region:us-east-1 open since 10:42:07 UTC (14 of 15 sends failed');
  });

  it('skips an account that is open (spend limit) but keeps the other account in the Region', () => {
    const step = nextStep(lastPlan, [], 0, view('last', entry('route:primary/us-east-1')));
    expect(rungOf(step)).toBe(R.use1SecondarySc);
  });

  it('passes an originator drained for every country, and one open for this country only', () => {
    const drained = entry('originator:primary/us-east-1/pool-sc-use1-primary@*', 'drained');
    expect(rungOf(nextStep(lastPlan, [], 0, view('last', drained)))).toBe(R.use1Primary10dlc);
    const otherCountry = entry('originator:primary/us-east-1/pool-sc-use1-primary@GB');
    expect(rungOf(nextStep(lastPlan, [], 0, view('last', otherCountry)))).toBe(R.use1PrimarySc);
  });

  it('uses a half-open rung when this message is its probe, and passes it otherwise', () => {
    expect(rungOf(nextStep(lastPlan, [], 0, view('last', entry('region:us-east-1', 'half-open', true))))).toBe(
      R.use1PrimarySc,
    );
    expect(rungOf(nextStep(lastPlan, [], 0, view('last', entry('region:us-east-1', 'half-open'))))).toBe(
      R.usw2PrimarySc,
    );
  });

  it('still sends when every route is unhealthy: the best of them (half-open, then open, then drained)', () => {
    for (const plan of [lastPlan, skipPlan]) {
      const action = plan.policy.routeHealth!.unhealthyRungs;
      const step = nextStep(
        plan,
        [],
        0,
        view(action, entry('region:us-east-1', 'drained'), entry('region:us-west-2', 'open')),
      );
      expect(rungOf(step)).toBe(R.usw2PrimarySc);
      expect(step.kind === 'send' && step.why).toContain('no healthy rung left');
    }
  });
});

describe('later rungs', () => {
  it('tries the moved rungs last when the healthy ones fail (policy last)', () => {
    const health = view('last', entry('region:us-east-1'));
    const attempts = [failed(R.usw2PrimarySc, timedOut), failed(R.usw2Primary10dlc, timedOut)];
    expect(rungOf(nextStep(lastPlan, attempts, 0, health))).toBe(R.use1PrimarySc);
  });

  it('never tries the skipped rungs once it has sent (policy skip)', () => {
    const health = view('skip', entry('region:us-east-1'));
    const attempts = [failed(R.usw2PrimarySc, timedOut), failed(R.usw2Primary10dlc, timedOut)];
    expect(nextStep(skipPlan, attempts, 0, health)).toMatchObject({ kind: 'stop', status: 'FAILED' });
    // The same ladder with the rungs moved last instead goes back to us-east-1.
    expect(rungOf(nextStep(lastPlan, attempts, 0, { ...health, action: 'last' }))).toBe(R.use1PrimarySc);
  });

  it('comes back to a rung that has recovered, in plan order', () => {
    const attempts = [failed(R.usw2PrimarySc, failure('originator', 'STEP_TIMEOUT', 'no receipt'))];
    // us-east-1 was open when the message started on us-west-2; now it is healthy again.
    expect(rungOf(nextStep(lastPlan, attempts, 0, view('last')))).toBe(R.use1PrimarySc);
  });

  it('never routes around an opt-out, whatever health says', () => {
    const attempts = [failed(R.usw2PrimarySc, failure('recipient', 'DESTINATION_PHONE_NUMBER_OPTED_OUT', 'opted out'))];
    const step = nextStep(lastPlan, attempts, 0, view('last', entry('region:us-east-1')));
    expect(step).toMatchObject({ kind: 'stop', status: 'STOPPED' });
  });

  it('stops DELIVERED after a success, whatever health says', () => {
    expect(nextStep(lastPlan, [delivered(R.usw2PrimarySc)], 0, view('last', entry('region:us-west-2')))).toMatchObject({
      kind: 'stop',
      status: 'DELIVERED',
    });
  });

  it('gives up a throttle retry on a rung that opened when a healthy rung is left', () => {
    const attempts = [sendError(R.use1PrimarySc, errors.throttling)];
    const step = nextStep(lastPlan, attempts, 0, view('last', entry('region:us-east-1')));
    expect(rungOf(step)).toBe(R.usw2PrimarySc);
    expect(step.kind === 'send' && step.why).toContain('no retry on');
  });

  it('keeps the retry when no healthy rung is left', () => {
    const attempts = [sendError(R.use1PrimarySc, errors.throttling)];
    const health = view('last', entry('region:us-east-1'), entry('region:us-west-2'));
    expect(nextStep(lastPlan, attempts, 0, health)).toMatchObject({ kind: 'send', rungIndex: R.use1PrimarySc });
  });
});
