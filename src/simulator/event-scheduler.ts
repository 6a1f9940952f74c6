/**
 * The delivery events of accepted messages, on their way out: each message's events fire on timers and are
 * published in order (each waits for the previous publish), like a configuration set's event destination.
 */
import type { ChaoticEvent } from './chaos';
import { buildEvent, statusOf, type EventSubject } from './events';
import type { Emit } from './log';
import type { MessageRecord } from './message-log';
import type { EventPublisher } from './publisher';

export class EventScheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly publisher: EventPublisher,
    private readonly emit: Emit,
  ) {}

  /** Event timers not yet fired. */
  get pending(): number {
    return this.timers.size;
  }

  /** Publishes the events of one message in order: each waits for the previous publish. */
  schedule(record: MessageRecord, subject: EventSubject, schedule: ChaoticEvent[]): void {
    let chain: Promise<void> = Promise.resolve();
    record.pendingEvents = schedule.length;
    for (const scheduled of schedule) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        chain = chain
          .then(() => this.publish(record, subject, scheduled))
          .catch((err: unknown) =>
            this.emit('error', 'event failed', { messageId: subject.messageId, error: String(err) }),
          );
        this.track(chain);
      }, scheduled.atMs);
      this.timers.add(timer);
    }
  }

  /** Cancels the events still to come. */
  cancel(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Waits for the publishes under way, at most `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const drained = Promise.allSettled([...this.inflight]);
    let drainTimer: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise<void>((r) => (drainTimer = setTimeout(r, timeoutMs)))]);
    clearTimeout(drainTimer);
  }

  private track(p: Promise<void>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  private async publish(record: MessageRecord, subject: EventSubject, scheduled: ChaoticEvent): Promise<void> {
    const now = Date.now();
    const happenedAt = scheduled.happenedAtMs !== undefined ? subject.acceptedAt + scheduled.happenedAtMs : now;
    const event = buildEvent(subject, scheduled, happenedAt);
    let result = await this.publisher.publish(record.account, record.region, event);
    // DLR chaos `duplicate`: the very same event again (at-least-once delivery).
    for (let copy = 1; copy < (scheduled.copies ?? 1) && result.published; copy++)
      result = await this.publisher.publish(record.account, record.region, event);
    record.pendingEvents = Math.max(0, record.pendingEvents - 1);
    const outcome = {
      published: result.published,
      ...(result.topicArn ? { topicArn: result.topicArn } : {}),
      ...(result.error ? { error: result.error } : {}),
    };
    record.events.push({
      eventType: scheduled.eventType,
      messageStatus: statusOf(scheduled.eventType),
      isFinal: scheduled.isFinal,
      eventTimestamp: now,
      publishedAt: new Date().toISOString(),
      ...outcome,
    });
    this.emit(result.published ? 'info' : 'warn', 'event', {
      messageId: subject.messageId,
      eventType: scheduled.eventType,
      account: record.account,
      region: record.region,
      ...outcome,
    });
  }
}
