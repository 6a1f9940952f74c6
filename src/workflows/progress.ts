/**
 * What an operator sees of a message in the Web UI: its search attributes (no personal data: they are not
 * encrypted) and the current-details line.
 */
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { RoutingPlan } from '../domain/plan';
import { describePlan } from '../domain/plan-summary';
import { progressAttributes, SMS_STATUS } from '../domain/search-attributes';
import type { AttemptRecord, MessageStatus } from '../domain/status';
import type { MessageState } from './message-state';

/**
 * The details: the message, the attempt (if any) and what it is doing, then the ladder (`describePlan`; a plan the
 * worker resolved is in no static details, since the client that started the message never saw it).
 */
export function showProgress(plan: RoutingPlan, attempt: AttemptRecord | undefined, what: string): void {
  const head = `${plan.country} · ${plan.policy.useCase}`;
  const line = attempt
    ? `${head} · attempt ${attempt.attempt} · ${attempt.channel} ${attempt.account}/${attempt.region} · ${what}`
    : `${head} · ${what}`;
  setCurrentDetails(`${line}\n\n${describePlan(plan)}`);
}

/** The search attributes of the attempt that just started. */
export function indexAttempt(state: MessageState, attempt: AttemptRecord): void {
  const attributes = progressAttributes({
    country: state.plan.country,
    useCase: state.plan.policy.useCase,
    channel: attempt.channel,
    route: `${attempt.account}/${attempt.region}`,
    level: state.highestLevel(),
    attempts: attempt.attempt,
  });
  // The client set the first attempt's attributes at start: nothing to upsert (one event less per message).
  // Decided from the start event's attributes alone, so every history replays: one started by an older client
  // (without them) still upserts here, as it did.
  const current = workflowInfo().typedSearchAttributes;
  if (attempt.attempt === 1 && attributes.every((a) => current.get(a.key as typeof SMS_STATUS) === a.value)) return;
  upsertSearchAttributes(attributes);
}

/** The message's status attribute (`SmsStatus`). */
export function indexStatus(status: MessageStatus): void {
  upsertSearchAttributes([{ key: SMS_STATUS, value: status }]);
}
