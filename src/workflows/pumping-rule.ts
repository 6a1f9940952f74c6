/**
 * The planner's pumping rule (docs/pumping.md#never-escalate-a-pumping-symptom): a spend limit reached while the
 * pumping guard is tripped for the message's prefix or country is a symptom of SMS pumping, not an account problem,
 * so the message stops instead of moving to another account and draining its budget too. Pure.
 */
import type { ClassifiedFailure } from '../domain/outcome';

/** What a message knows of the pumping guard (read before its first send, again after a spend limit). */
export interface PumpingGuardView {
  /** Why its prefix or country is held back; absent: it is not. */
  tripped?: string;
}

/** The reason a message gets when the rule stops it. */
export const PUMPING_SPEND_LIMIT = 'PUMPING_SPEND_LIMIT';

/** A monthly spend limit (MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT, …), blamed on the account. */
export function isSpendLimit(f: ClassifiedFailure): boolean {
  return f.scope === 'account' && f.reason.includes('SPEND_LIMIT');
}

/** The stop when `failure` is a spend limit and the guard is tripped; undefined otherwise. */
export function pumpingStop(
  failure: ClassifiedFailure,
  guard: PumpingGuardView | undefined,
): { kind: 'stop'; status: 'STOPPED'; reason: string } | undefined {
  if (!guard?.tripped || !isSpendLimit(failure)) return undefined;
  return {
    kind: 'stop',
    status: 'STOPPED',
    reason:
      `${PUMPING_SPEND_LIMIT}: ${failure.reason} while the pumping guard is tripped (${guard.tripped}); ` +
      'not moved to another account',
  };
}
