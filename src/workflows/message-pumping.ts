/**
 * What one message does with the SMS pumping guard, only when its plan has `pumping` (set by resolve with the config's
 * `pumping.enabled`; older histories have none and replay unchanged):
 *
 * - before its first send, the `checkPumping` local activity (served from the worker's copy of the pumpingGuard
 *   workflow's counts, recorded in history as one marker) says whether a velocity limit or a conversion block stops
 *   it; stopped, it ends STOPPED with that reason and nothing is sent. Let through, it is counted;
 * - after a spend-limit failure, the guard is read again (`admit: false`): when its prefix or country is tripped the
 *   planner stops rather than moving to another account (./pumping-rule.ts);
 * - feedback RECEIVED is reported through the `pumping` sink (not recorded; never on replay) for the conversion watch.
 *
 * A guard that cannot be read lets the message go on as if nothing were tripped (logged): the guard never loses a
 * legitimate message to an outage of its own.
 */
import { log, proxyLocalActivities, proxySinks, workflowInfo } from '@temporalio/workflow';
import type { PumpingSubject } from '../domain/pumping';
import type { AttemptRecord } from '../domain/status';
import type { FeedbackSignal } from './definitions';
import type { CheckPumping, PumpingSinks } from './pumping-definitions';
import { isSpendLimit, type PumpingGuardView } from './pumping-rule';

// Answered from memory at once: a try fails only when a loaded worker does not get to it in time, and a message let
// through unchecked is not counted either (a busy attack would slip through), so try again for up to a minute.
const { checkPumping } = proxyLocalActivities<{ checkPumping: CheckPumping }>({
  startToCloseTimeout: '10s',
  scheduleToCloseTimeout: '60s',
  retry: { maximumAttempts: 5, initialInterval: '200ms' },
});

const sinks = proxySinks<PumpingSinks>();

export class MessagePumping {
  private tripped: string | undefined;
  private admittedAt: number | undefined;
  private confirmed = false;
  private reported = false;
  /** The attempt whose spend limit was already looked at. */
  private rereadFor = 0;

  constructor(private readonly subject: PumpingSubject) {}

  /** The stop reason when the guard stops the message before its first send; undefined: go on. */
  async beforeFirstSend(): Promise<string | undefined> {
    try {
      const v = await checkPumping({ subject: this.subject, admit: true });
      this.tripped = v.tripped;
      if (v.stop) {
        log.info('stopped by the pumping guard', { reason: v.stop });
        return v.stop;
      }
      this.admittedAt = v.at;
      this.report(); // feedback that came while the guard was asked
      return undefined;
    } catch (err) {
      log.warn('pumping guard not read; the message goes on', { error: (err as Error).message });
      return undefined;
    }
  }

  /** Before the planner: after a spend-limit failure, what the guard says now of the message's prefix and country. */
  async beforeStep(last: AttemptRecord | undefined): Promise<void> {
    if (!last?.failure || !isSpendLimit(last.failure) || this.rereadFor === last.attempt) return;
    this.rereadFor = last.attempt;
    try {
      this.tripped = (await checkPumping({ subject: this.subject, admit: false })).tripped;
    } catch (err) {
      log.warn('pumping guard not read after a spend limit', { error: (err as Error).message });
    }
  }

  view(): PumpingGuardView {
    return { tripped: this.tripped };
  }

  /** The user confirmed: counted once per message, in the second it was let through. */
  onFeedback(feedback: FeedbackSignal): void {
    if (feedback?.status !== 'RECEIVED') return;
    this.confirmed = true;
    this.report();
  }

  private report(): void {
    if (!this.confirmed || this.admittedAt === undefined || this.reported) return;
    this.reported = true;
    if (!workflowInfo().unsafe.isReplaying) sinks.pumping.received(this.subject, this.admittedAt);
  }
}
