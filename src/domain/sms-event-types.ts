/**
 * Every SMS and voice event type End User Messaging can publish to an event destination (the SDK model's `EventType`
 * enum, `@aws-sdk/client-pinpoint-sms-voice-v2`; described in the user guide's "Event types" and "SMS/voice event
 * examples": https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-event-types.html), with what
 * it means for an attempt. `*_ALL` only select every event in an event destination; they are never published.
 * The `Record` type makes the compiler refuse an SDK update that adds a TEXT_/VOICE_ type without a row;
 * test/domain/sms-error-reasons.test.ts checks the installed SDK's values and that src/domain/outcome.ts classifies
 * each the same way (`statusClass`, `classifyDlrFailure`).
 */
import type { EventType } from '@aws-sdk/client-pinpoint-sms-voice-v2';

type SmsOrVoiceEvent = Extract<EventType, `TEXT_${string}` | `VOICE_${string}`>;

export type EventMeaning =
  | { class: 'selector' }
  | { class: 'intermediate' }
  | { class: 'success' }
  | { class: 'failure'; scope: 'originator' | 'route' | 'channel' | 'request' | 'handset' };

export const SMS_VOICE_EVENT_MEANINGS: Record<SmsOrVoiceEvent, EventMeaning> = {
  TEXT_ALL: { class: 'selector' },
  VOICE_ALL: { class: 'selector' },
  // On their way: the message is queued, with the carrier, or the call is being set up.
  TEXT_QUEUED: { class: 'intermediate' },
  TEXT_PENDING: { class: 'intermediate' },
  TEXT_SENT: { class: 'intermediate' },
  VOICE_INITIATED: { class: 'intermediate' },
  VOICE_RINGING: { class: 'intermediate' },
  VOICE_ANSWERED: { class: 'intermediate' },
  // Reached the handset (DELIVERED), or accepted by the downstream carrier where no receipt exists (SUCCESSFUL),
  // or the call played to the end (COMPLETED).
  TEXT_DELIVERED: { class: 'success' },
  TEXT_SUCCESSFUL: { class: 'success' },
  VOICE_COMPLETED: { class: 'success' },
  // Filtered by the carrier or the handset: about this originator (its content, its number) -> another originator.
  TEXT_BLOCKED: { class: 'failure', scope: 'originator' },
  TEXT_CARRIER_BLOCKED: { class: 'failure', scope: 'originator' },
  TEXT_SPAM: { class: 'failure', scope: 'originator' },
  // The carrier path did not deliver (carrier down, expired before delivery, outcome unknown) -> another route.
  TEXT_CARRIER_UNREACHABLE: { class: 'failure', scope: 'route' },
  TEXT_TTL_EXPIRED: { class: 'failure', scope: 'route' },
  TEXT_UNKNOWN: { class: 'failure', scope: 'route' },
  VOICE_TTL_EXPIRED: { class: 'failure', scope: 'route' },
  VOICE_FAILED: { class: 'failure', scope: 'route' },
  // Not a mobile number: no SMS route can reach it.
  TEXT_INVALID: { class: 'failure', scope: 'channel' },
  // The protect configuration blocked it: never routed around.
  TEXT_PROTECT_BLOCKED: { class: 'failure', scope: 'channel' },
  // The body was refused: the same body fails everywhere.
  TEXT_INVALID_MESSAGE: { class: 'failure', scope: 'request' },
  // The phone did not take it (off, out of coverage; busy or no answer for a call): retry later on the same rung.
  TEXT_UNREACHABLE: { class: 'failure', scope: 'handset' },
  VOICE_BUSY: { class: 'failure', scope: 'handset' },
  VOICE_NO_ANSWER: { class: 'failure', scope: 'handset' },
};
