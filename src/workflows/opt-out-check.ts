/**
 * What a message does about opt-out lists, only when its plan has `optOuts` (set by resolve for messages started
 * with an `optOuts` config section; older histories have none and replay unchanged):
 *
 * - Before its first SMS or voice send in an account x Region (with `checkBeforeSend`), the `checkOptOutLists` local
 *   activity asks that account x Region's lists (DescribeOptedOutNumbers, OptedOutNumbers = [destination]). A number
 *   on one of them is treated as an opt-out: the attempt is recorded as refused before sending
 *   (DESTINATION_PHONE_NUMBER_OPTED_OUT, scope `recipient`: no SMS or voice anywhere, only `channelsAfterOptOut`)
 *   and propagation starts. A list that cannot be read (the Region is down) does not stop the send: End User
 *   Messaging itself refuses a send to a number on the list linked to the originator
 *   (https://docs.aws.amazon.com/sms-voice/latest/userguide/opt-out-list.html), and the next send in that account x
 *   Region asks again.
 * - A send refused as opted out (scope `recipient`) starts propagation of the opt-out to every list in the plan.
 *
 * Propagation is the `startOptOutPropagation` activity (signal-with-start of the number's `optOutPropagation`
 * workflow), retried by Temporal: a command in history, so it replays deterministically.
 */
import { log, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { createOptOutActivities } from '../activities/opt-out';
import { isNumberChannel } from '../domain/channel';
import { failure, type ClassifiedFailure } from '../domain/outcome';
import type { Rung, RoutingPlan } from '../domain/plan';
import type { AttemptRecord } from '../domain/status';
import type { OptOutSource } from './opt-out-definitions';

type Activities = ReturnType<typeof createOptOutActivities>;

const { checkOptOutLists } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10s',
  // One try: a list that cannot be read does not hold the send (see above), so a retry would only delay failover.
  retry: { maximumAttempts: 1 },
});

// Awaited before the next rung: bounded (at most ~35 s when Temporal does not answer), so the message's own fallback
// is never held long; the propagation workflow itself then retries every list until done.
const { startOptOutPropagation } = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', maximumInterval: '4s', maximumAttempts: 3 },
});

export const OPTED_OUT_REASON = 'DESTINATION_PHONE_NUMBER_OPTED_OUT';

export class MessageOptOuts {
  /** Account x Regions whose lists were read. */
  private readonly checked = new Set<string>();
  private propagated = false;

  constructor(
    private readonly plan: RoutingPlan,
    private readonly destination: string,
  ) {}

  /**
   * Before a send on `rung`: the refusal to record when the destination is on a list of the rung's account x Region
   * (read once per account x Region), else undefined (send).
   */
  async refusalBefore(rung: Rung): Promise<ClassifiedFailure | undefined> {
    const optOuts = this.plan.optOuts;
    if (!optOuts?.checkBeforeSend || !isNumberChannel(rung.channel)) return undefined;
    const where = `${rung.account}/${rung.region}`;
    if (this.checked.has(where)) return undefined;
    const lists = optOuts.lists
      .filter((l) => l.account === rung.account && l.region === rung.region)
      .map((l) => l.list);
    this.checked.add(where);
    if (lists.length === 0) return undefined;
    try {
      const found = await checkOptOutLists({
        account: rung.account,
        region: rung.region,
        lists,
        number: this.destination,
      });
      if (!found.optedOut) return undefined;
      return failure(
        'recipient',
        OPTED_OUT_REASON,
        `on opt-out list ${found.list} of ${where} (asked before the first send there); not sent`,
      );
    } catch (err) {
      this.checked.delete(where); // ask again before the next send there
      log.warn('opt-out lists not read; the send goes ahead (the service checks the originator’s list itself)', {
        account: rung.account,
        region: rung.region,
        error: err instanceof Error ? err.message : String(err),
      });
      return undefined;
    }
  }

  /** After an attempt settled: an opt-out learnt from it starts propagation (once per message). */
  async afterAttempt(attempt: AttemptRecord, source: OptOutSource): Promise<void> {
    if (!this.plan.optOuts || this.propagated || attempt.failure?.reason !== OPTED_OUT_REASON) return;
    this.propagated = true;
    try {
      await startOptOutPropagation({
        number: this.destination,
        event: {
          kind: 'opt-out',
          source,
          at: attempt.finishedAt ?? attempt.startedAt,
          account: attempt.account,
          region: attempt.region,
        },
      });
    } catch (err) {
      log.error('opt-out propagation not started', { error: err instanceof Error ? err.message : String(err) });
    }
  }
}
