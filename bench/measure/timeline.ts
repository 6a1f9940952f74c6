/**
 * Where a message's time went, from its history: how long its first workflow task waited for a worker and ran, and
 * each activity's wait for a worker (scheduled → started) and run (started → closed). The pacing benchmark prints it
 * for its slowest one-time passwords, so a miss names its cause.
 */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

function ms(e: HistoryEvent | undefined): number | undefined {
  const t = e?.eventTime;
  if (!t) return undefined;
  return Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

const secs = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? '?' : `${((b - a) / 1000).toFixed(1)} s`;

/** One line: `first task waited 2.1 s, ran 0.4 s; activity 1 waited 0.2 s, ran 0.3 s (completed); …`. */
export function timelineOf(events: readonly HistoryEvent[]): string {
  const started = ms(events[0]);
  const taskStarted = events.find((e) => e.workflowTaskStartedEventAttributes);
  const taskDone = events.find((e) => e.workflowTaskCompletedEventAttributes);
  const parts = [`first task waited ${secs(started, ms(taskStarted))}, ran ${secs(ms(taskStarted), ms(taskDone))}`];
  const byId = new Map(events.map((e) => [String(e.eventId), e]));
  let n = 0;
  for (const e of events) {
    const a = e.activityTaskStartedEventAttributes;
    if (!a) continue;
    const scheduled = byId.get(String(a.scheduledEventId));
    const closed = events.find((c) => {
      const attrs =
        c.activityTaskCompletedEventAttributes ??
        c.activityTaskFailedEventAttributes ??
        c.activityTaskTimedOutEventAttributes;
      return attrs && String(attrs.scheduledEventId) === String(a.scheduledEventId);
    });
    const how = closed?.activityTaskCompletedEventAttributes
      ? 'completed'
      : closed?.activityTaskTimedOutEventAttributes
        ? 'timed out'
        : closed
          ? 'failed'
          : 'open';
    parts.push(`activity ${++n} waited ${secs(ms(scheduled), ms(e))}, ran ${secs(ms(e), ms(closed))} (${how})`);
  }
  return parts.join('; ');
}

/** The timeline of workflow `workflowId`, or why it could not be read. */
export async function messageTimeline(client: Client, workflowId: string): Promise<string> {
  try {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    return timelineOf(history.events ?? []);
  } catch (err) {
    return `history not read: ${(err as Error).message}`;
  }
}
