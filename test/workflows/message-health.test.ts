/**
 * MessageHealth: which route-health changes wake a waiting message, and what the attempt becomes.
 */
import type { RouteHealthEntry } from '../../src/domain/route-health';
import type { AttemptRecord, StatusRecord } from '../../src/domain/status';
import { MessageHealth, ROUTE_OPENED } from '../../src/workflows/message-health';
import { R, usPlan } from '../helpers/fixtures';

const plan = usPlan({ routeHealth: { unhealthyRungs: 'last' } });

function record(): StatusRecord {
  return {
    workflowId: 'sms:k',
    idempotencyKey: 'k',
    useCase: 'otp',
    country: 'US',
    destination: '+1425*****56',
    status: 'IN_PROGRESS',
    reason: '',
    attempts: [],
    needlessAttempts: [],
    duplicateEvents: 0,
    unmatchedEvents: 0,
    skipped: [],
    startedAt: 0,
  };
}

function attempt(state: AttemptRecord['state'], rungIndex = R.use1PrimarySc): AttemptRecord {
  const rung = plan.rungs[rungIndex];
  return {
    attempt: 1,
    rungIndex,
    channel: 'sms',
    level: 'initial',
    routeId: rung.routeId,
    account: rung.account,
    region: rung.region,
    originator: rung.originator,
    originatorType: rung.originatorType,
    state,
    outcome: 'SENT',
    startedAt: 1_000,
    sentAt: 1_000,
    feedbackEnabled: false,
    events: [],
  };
}

const open = (key: string, condition: RouteHealthEntry['condition'] = 'open'): RouteHealthEntry => ({
  key,
  condition,
  since: 0,
  why: '5 of 5 sends failed',
});

describe('MessageHealth', () => {
  it('asks about every key of its plan once', () => {
    const health = new MessageHealth(plan, record(), false);
    expect(health.keys).toContain('region:us-east-1');
    expect(health.keys).toContain('originator:primary/us-east-1/pool-sc-use1-primary@US');
    expect(new Set(health.keys).size).toBe(health.keys.length);
  });

  it('wakes the attempt waiting on a Region that opened and fails it in the Region scope', () => {
    const rec = record();
    const health = new MessageHealth(plan, rec, false);
    const a = attempt('sent');
    health.onRouteChanged(open('region:us-east-1'), a);
    expect(health.woken(a)).toBe(true);
    health.applyWake(a, 5_000);
    expect(a).toMatchObject({ state: 'timed-out', outcome: ROUTE_OPENED, finishedAt: 5_000 });
    expect(a.failure).toMatchObject({ scope: 'region', retryable: false, ambiguous: false });
    expect(rec.routeHealth).toEqual([expect.objectContaining({ action: 'woken', key: 'region:us-east-1' })]);
    expect(health.woken(a)).toBe(false);
  });

  it('keeps an ambiguous send ambiguous, and blames the account for a route key', () => {
    const health = new MessageHealth(plan, record(), false);
    const a = attempt('unknown');
    health.onRouteChanged(open('route:primary/us-east-1', 'drained'), a);
    health.applyWake(a, 5_000);
    expect(a.failure).toMatchObject({ scope: 'account', ambiguous: true });
  });

  it('does not wake for another route, a half-open key, or an attempt already settled', () => {
    const health = new MessageHealth(plan, record(), false);
    const a = attempt('sent');
    health.onRouteChanged(open('region:us-west-2'), a);
    health.onRouteChanged(open('region:us-east-1', 'half-open'), a);
    expect(health.woken(a)).toBe(false);
    const delivered = attempt('delivered');
    health.onRouteChanged(open('region:us-east-1'), delivered);
    expect(health.woken(delivered)).toBe(false);
  });

  it('leaves an attempt a receipt settled before the wake was applied as it is', () => {
    const health = new MessageHealth(plan, record(), false);
    const a = attempt('sent');
    health.onRouteChanged(open('region:us-east-1'), a);
    a.state = 'delivered';
    health.applyWake(a, 5_000);
    expect(a.state).toBe('delivered');
  });

  it('reads only the keys of its plan from a snapshot', () => {
    const health = new MessageHealth(plan, record(), false);
    health.read({ at: 0, entries: [open('region:eu-west-1'), open('region:us-east-1')] });
    expect(health.view().entries.map((e) => e.key)).toEqual(['region:us-east-1']);
  });
});
