/** The pacing benchmark's account of a slow message: its first task's wait and run, and each activity's. */
import { timelineOf } from '../../bench/measure/timeline';

/** Events as the client decodes them (Long ids and seconds): plain numbers here, which the reader accepts. */
type Events = Parameters<typeof timelineOf>[0];

const at = (s: number) => ({ seconds: 1_700_000_000 + Math.floor(s), nanos: Math.round((s % 1) * 1e9) });

describe('timelineOf', () => {
  it('splits the time into waits for a worker and runs, naming how each activity closed', () => {
    const events = [
      { eventId: 1, eventTime: at(0), workflowExecutionStartedEventAttributes: {} },
      { eventId: 2, eventTime: at(0), workflowTaskScheduledEventAttributes: {} },
      { eventId: 3, eventTime: at(2.5), workflowTaskStartedEventAttributes: {} },
      { eventId: 4, eventTime: at(3), workflowTaskCompletedEventAttributes: {} },
      { eventId: 5, eventTime: at(3), activityTaskScheduledEventAttributes: {} },
      { eventId: 6, eventTime: at(4), activityTaskStartedEventAttributes: { scheduledEventId: 5 } },
      { eventId: 7, eventTime: at(34), activityTaskTimedOutEventAttributes: { scheduledEventId: 5 } },
      { eventId: 8, eventTime: at(35), activityTaskScheduledEventAttributes: {} },
      { eventId: 9, eventTime: at(35.2), activityTaskStartedEventAttributes: { scheduledEventId: 8 } },
      { eventId: 10, eventTime: at(35.5), activityTaskCompletedEventAttributes: { scheduledEventId: 8 } },
    ];
    expect(timelineOf(events as unknown as Events)).toBe(
      'first task waited 2.5 s, ran 0.5 s; activity 1 waited 1.0 s, ran 30.0 s (timed out); ' +
        'activity 2 waited 0.2 s, ran 0.3 s (completed)',
    );
  });

  it('says what it does not know', () => {
    expect(timelineOf([{ eventId: 1, eventTime: at(0) }] as unknown as Events)).toBe('first task waited ?, ran ?');
  });
});
