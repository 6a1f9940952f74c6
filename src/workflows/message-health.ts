/**
 * What one message does with route health (only when its plan has it on): the breaker states it read last
 * (from the `readRouteHealth` local activity, so recorded in its history), the notes it keeps of rungs moved or
 * skipped, and the wake-up when the route of the attempt it waits on opens or is drained meanwhile. Plain data and
 * methods, no Temporal calls: the workflow passes the time in.
 */
import { failure, type FailureScope } from '../domain/outcome';
import type { RoutingPlan } from '../domain/plan';
import { keysOfRung, type RouteHealthEntry, type RouteHealthSnapshot } from '../domain/route-health';
import type { AttemptRecord, RouteHealthNote, StatusRecord } from '../domain/status';
import type { HealthView } from './health-order';
import type { SendStep } from './message-state';

/** The reason an attempt gets when route health cut its wait short. */
export const ROUTE_OPENED = 'ROUTE_OPENED';

/** At most this many notes in a record: a ladder has a few dozen rungs at most. */
const MAX_NOTES = 50;

/** The failure scope a health key stands for (src/domain/route-health.ts). */
export function scopeOfKey(key: string): FailureScope {
  if (key.startsWith('region:')) return 'region';
  if (key.startsWith('route:')) return 'account';
  return 'originator';
}

export class MessageHealth {
  private entries: RouteHealthEntry[] = [];
  private wake: { attempt: number; entry: RouteHealthEntry } | undefined;
  /** Every health key of the plan's rungs: what the message asks about. */
  readonly keys: string[];

  constructor(
    private readonly plan: RoutingPlan,
    private readonly record: StatusRecord,
    /** A canary or half-open probe: what it reports is counted apart. */
    readonly probe: boolean,
  ) {
    this.keys = [...new Set(plan.rungs.flatMap((r) => keysOfRung(r, plan.country)))];
  }

  /** The snapshot read before a rung replaces what the message knew. */
  read(snapshot: RouteHealthSnapshot): void {
    this.entries = snapshot.entries.filter((e) => this.keys.includes(e.key));
  }

  view(): HealthView {
    return { entries: this.entries, action: this.plan.policy.routeHealth?.unhealthyRungs ?? 'last' };
  }

  /** The planner passed over unhealthy rungs to reach `step`: note them once per rung and key. */
  notePassed(step: SendStep, attempt: number, now: number): void {
    for (const p of step.passed ?? []) {
      this.note({ attempt, rungIndex: p.rungIndex, action: p.action, key: p.key, why: p.why, at: now });
    }
  }

  /**
   * A key opened or was drained (the routeHealth workflow's `routeChanged` signal). When the attempt being waited
   * on uses it and has no final outcome yet, the wait ends early; a key that is no longer unhealthy is forgotten.
   */
  onRouteChanged(entry: RouteHealthEntry, current: AttemptRecord | undefined): void {
    this.entries = [...this.entries.filter((e) => e.key !== entry.key), entry];
    if (!current || (current.state !== 'sent' && current.state !== 'unknown')) return;
    if (entry.condition === 'half-open') return;
    const rung = this.plan.rungs[current.rungIndex];
    if (!rung || !keysOfRung(rung, this.plan.country).includes(entry.key)) return;
    this.wake ??= { attempt: current.attempt, entry };
  }

  /** The wait on `attempt` is to end now. */
  woken(attempt: AttemptRecord): boolean {
    return this.wake?.attempt === attempt.attempt;
  }

  /**
   * Ends the wait on `attempt`: unless a receipt settled it meanwhile, it counts as failed in the scope of the key
   * (not retryable, ambiguous when the send was), so the planner moves past that Region, account or originator.
   * A receipt that still comes for it is honoured, as after a step timeout.
   */
  applyWake(attempt: AttemptRecord, now: number): void {
    const wake = this.wake;
    if (!wake || wake.attempt !== attempt.attempt) return;
    this.wake = undefined;
    if (attempt.state !== 'sent' && attempt.state !== 'unknown') return;
    const ambiguous = attempt.state === 'unknown';
    const rung = this.plan.rungs[attempt.rungIndex];
    const why = `${rung.account}/${rung.region} ${rung.originator}: ${wake.entry.key} ${wake.entry.condition} (${wake.entry.why})`;
    attempt.state = 'timed-out';
    attempt.outcome = ROUTE_OPENED;
    attempt.finishedAt = now;
    attempt.failure = failure(scopeOfKey(wake.entry.key), ROUTE_OPENED, `stopped waiting: ${why}`, { ambiguous });
    this.note({
      attempt: attempt.attempt,
      rungIndex: attempt.rungIndex,
      action: 'woken',
      key: wake.entry.key,
      why,
      at: now,
    });
  }

  private note(n: RouteHealthNote): void {
    const notes = (this.record.routeHealth ??= []);
    if (notes.length >= MAX_NOTES) return;
    if (notes.some((o) => o.rungIndex === n.rungIndex && o.key === n.key && o.action === n.action)) return;
    notes.push(n);
  }
}
