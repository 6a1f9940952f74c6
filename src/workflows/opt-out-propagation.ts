/**
 * optOutPropagation: one durable workflow per phone number (`opt-out:<tag>`, ./opt-out-definitions.ts) that makes
 * every opt-out list of every account x Region in the config agree with the latest opt-out or opt-in the system
 * learnt of. Fed by `optOutEvent` signals (signal-with-start: a send refused as opted out, a list that had the number
 * before a send, an inbound STOP / START); the latest event by time wins, an opt-out on a tie.
 *
 * For the winning event it runs `applyOptOut` on every list at once: PutOptedOutNumber for an opt-out,
 * DeleteOptedOutNumber for an opt-in, each retried until done (a Region outage only delays its own lists); a list
 * that does not exist is a non-retryable `OptOutListMissing`, shown in the status as that list's error rather than
 * retried forever. A newer event while lists are still pending cancels them and starts over with the newer one.
 * Both operations are idempotent, so replays, restarts and duplicate signals do no harm. With nothing left to do
 * for `idleCloseMs` the workflow closes; the next event starts it again.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createOptOutActivities } from '../activities/opt-out';
import {
  newerEvent,
  optOutEventSignal,
  optOutStatusQuery,
  type OptOutEvent,
  type OptOutPropagationInput,
  type OptOutStatus,
  type OptOutTargetStatus,
} from './opt-out-definitions';

/** `ApplicationFailure` types of src/activities/opt-out.ts that are not retried (workflows cannot import its values). */
const OPT_OUT_LIST_MISSING = 'OptOutListMissing';
const OPT_OUT_REQUEST_INVALID = 'OptOutRequestInvalid';

const { applyOptOut } = proxyActivities<ReturnType<typeof createOptOutActivities>>({
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '5m',
    nonRetryableErrorTypes: [OPT_OUT_LIST_MISSING, OPT_OUT_REQUEST_INVALID],
  },
});

/** Events applied in one run before it continues as new (history stays short). */
const EVENTS_PER_RUN = 100;

function errorText(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return `${cause.type ?? 'Error'}: ${cause.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** Applies `event` to one list; the list's status says how it went. */
async function applyTo(number: string, event: OptOutEvent, target: OptOutTargetStatus): Promise<void> {
  target.state = 'pending';
  delete target.error;
  try {
    await applyOptOut({ account: target.account, region: target.region, list: target.list, number, kind: event.kind });
    target.state = 'done';
  } catch (err) {
    if (isCancellation(err)) throw err;
    target.state = 'error';
    target.error = errorText(err);
    log.error('opt-out list not updated', {
      account: target.account,
      region: target.region,
      list: target.list,
      kind: event.kind,
      error: target.error,
    });
  }
}

export async function optOutPropagation(input: OptOutPropagationInput): Promise<OptOutStatus> {
  const status: OptOutStatus = {
    ...(input.applied ? { latest: input.applied, applied: input.applied } : {}),
    targets: input.targets.map((t) => ({ ...t, state: input.applied ? 'done' : 'pending' })),
  };
  setHandler(optOutStatusQuery, () => status);
  setHandler(optOutEventSignal, (event) => {
    if (newerEvent(status.latest, event)) status.latest = event;
  });
  const work = () => status.latest !== undefined && status.latest !== status.applied;
  for (let applied = 0; ;) {
    if (!(await condition(work, input.idleCloseMs))) return status;
    const event = status.latest!;
    const scope = new CancellationScope();
    const all = scope.run(() => Promise.all(status.targets.map((t) => applyTo(input.number, event, t))));
    await Promise.race([all.catch(() => undefined), condition(() => status.latest !== event)]);
    if (status.latest !== event) {
      scope.cancel();
      await all.catch(() => undefined);
      continue; // a newer event: apply that one instead
    }
    status.applied = event;
    log.info('opt-out propagated', {
      kind: event.kind,
      source: event.source,
      lists: status.targets.length,
      errors: status.targets.filter((t) => t.state === 'error').length,
    });
    applied += 1;
    if (applied >= EVENTS_PER_RUN || workflowInfo().continueAsNewSuggested) {
      if (!work()) await continueAsNew<typeof optOutPropagation>({ ...input, applied: status.applied });
    }
  }
}
