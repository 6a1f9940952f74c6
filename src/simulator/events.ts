/**
 * The delivery events (DLRs) the simulated carrier produces for an accepted message, in the shape End User
 * Messaging publishes through a configuration set's event destination (see `deliveryEventSchema`).
 */
import type { DeliveryEvent } from '../domain/delivery-event';
import type { SendRequest } from './protocol';

/** Final text event types a DLR fault may choose (the service's documented outcomes). */
export const TEXT_FINAL_EVENTS = [
  'TEXT_DELIVERED',
  'TEXT_SUCCESSFUL',
  'TEXT_BLOCKED',
  'TEXT_CARRIER_BLOCKED',
  'TEXT_SPAM',
  'TEXT_TTL_EXPIRED',
  'TEXT_CARRIER_UNREACHABLE',
  'TEXT_UNREACHABLE',
  'TEXT_INVALID',
  'TEXT_INVALID_MESSAGE',
  'TEXT_PROTECT_BLOCKED',
  'TEXT_UNKNOWN',
] as const;

/** Final voice event types (the service's `EventType` enum). */
export const VOICE_FINAL_EVENTS = [
  'VOICE_COMPLETED',
  'VOICE_BUSY',
  'VOICE_NO_ANSWER',
  'VOICE_FAILED',
  'VOICE_TTL_EXPIRED',
] as const;

export const FINAL_EVENTS = [...TEXT_FINAL_EVENTS, ...VOICE_FINAL_EVENTS] as const;
export type FinalEventType = (typeof FINAL_EVENTS)[number];

const DESCRIPTIONS: Record<string, string> = {
  PENDING: 'Message is pending delivery',
  DELIVERED: 'Message has been accepted by phone',
  SUCCESSFUL: 'Message has been accepted by the carrier',
  BLOCKED: 'The handset or the carrier blocked the message',
  CARRIER_BLOCKED: 'The carrier blocked the message as potentially abusive',
  SPAM: 'The carrier flagged the message as spam',
  TTL_EXPIRED: 'The message could not be delivered within its time to live',
  CARRIER_UNREACHABLE: 'The carrier is temporarily unreachable',
  UNREACHABLE: 'The destination handset is unreachable',
  INVALID: 'The destination phone number is not valid',
  INVALID_MESSAGE: 'The message body is not valid for the destination',
  PROTECT_BLOCKED: 'The message was blocked by a protect configuration',
  UNKNOWN: 'No final status was received from the carrier',
  INITIATED: 'The call has been initiated',
  RINGING: 'The call is ringing',
  ANSWERED: 'The call was answered',
  COMPLETED: 'The call was completed',
  BUSY: 'The line was busy',
  NO_ANSWER: 'The call was not answered',
  FAILED: 'The call failed',
};

/** `TEXT_CARRIER_UNREACHABLE` -> `CARRIER_UNREACHABLE`. */
export function statusOf(eventType: string): string {
  return eventType.replace(/^(TEXT|VOICE)_/, '');
}

export interface ScheduledEvent {
  eventType: string;
  isFinal: boolean;
  /** Milliseconds after acceptance. */
  atMs: number;
}

/**
 * The events of one accepted message: text gets `TEXT_PENDING` at once and its final event after `delayMs`; voice
 * rings through `VOICE_INITIATED`, `VOICE_RINGING` (and `VOICE_ANSWERED` when completed) to its final event.
 * `final: 'none'` stops after the first event: the message never gets a final status.
 */
export function eventSchedule(
  operation: SendRequest['operation'],
  final: FinalEventType | 'none' | undefined,
  delayMs: number,
): ScheduledEvent[] {
  if (operation === 'SendTextMessage') {
    const first: ScheduledEvent = { eventType: 'TEXT_PENDING', isFinal: false, atMs: 0 };
    if (final === 'none') return [first];
    return [first, { eventType: final ?? 'TEXT_DELIVERED', isFinal: true, atMs: delayMs }];
  }
  const first: ScheduledEvent = { eventType: 'VOICE_INITIATED', isFinal: false, atMs: 0 };
  if (final === 'none') return [first];
  const last = final ?? 'VOICE_COMPLETED';
  if (last === 'VOICE_COMPLETED') {
    return [
      first,
      { eventType: 'VOICE_RINGING', isFinal: false, atMs: Math.round(delayMs / 3) },
      { eventType: 'VOICE_ANSWERED', isFinal: false, atMs: Math.round((2 * delayMs) / 3) },
      { eventType: last, isFinal: true, atMs: delayMs },
    ];
  }
  return [
    first,
    { eventType: 'VOICE_RINGING', isFinal: false, atMs: Math.round(delayMs / 2) },
    { eventType: last, isFinal: true, atMs: delayMs },
  ];
}

/** Price per SMS part (USD); a plausible constant, the simulator does not model price lists. */
export const PRICE_PER_PART = 0.00581;
/** Price per voice minute (USD). */
export const PRICE_PER_VOICE_MINUTE = 0.013;
/**
 * Carrier fee per SMS part to a US number (USD), a plausible constant. AWS bills US carriers' pass-through fees
 * apart from the message price (the `CarrierFeeCount` / `CarrierFees` usage types of
 * https://docs.aws.amazon.com/sms-voice/latest/userguide/sms-billing.html) and reports them in each SMS event's
 * `totalCarrierFee` (https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-event-format.html,
 * whose example, a message without such a fee, has `"totalCarrierFee": 0.0`). Elsewhere the fee is 0.
 */
export const US_CARRIER_FEE_PER_PART = 0.00302;

/** The `totalCarrierFee` of a text: US carriers' fee per part, 0 for other countries. */
export function carrierFeeOf(isoCountryCode: string | undefined, parts: number): number {
  return isoCountryCode === 'US' ? Number((parts * US_CARRIER_FEE_PER_PART).toFixed(5)) : 0;
}

export interface EventSubject {
  messageId: string;
  request: SendRequest;
  isoCountryCode?: string;
  /** Epoch ms when the message was accepted. */
  acceptedAt: number;
}

export function buildEvent(subject: EventSubject, scheduled: ScheduledEvent, now: number): DeliveryEvent & JsonFields {
  const { request } = subject;
  const status = statusOf(scheduled.eventType);
  const text = request.operation === 'SendTextMessage';
  const event: DeliveryEvent & JsonFields = {
    eventType: scheduled.eventType,
    eventVersion: '1.0',
    eventTimestamp: now,
    isFinal: scheduled.isFinal,
    originationPhoneNumber: request.originator,
    destinationPhoneNumber: request.destination,
    ...(subject.isoCountryCode ? { isoCountryCode: subject.isoCountryCode } : {}),
    messageId: subject.messageId,
    messageRequestTimestamp: subject.acceptedAt,
    ...(text ? { messageEncoding: request.encoding, messageType: request.messageType } : {}),
    messageStatus: status,
    messageStatusDescription: DESCRIPTIONS[status] ?? status,
    context: { ...request.context },
  };
  if (text) {
    event.totalMessageParts = request.parts;
    event.totalMessagePrice = Number((request.parts * PRICE_PER_PART).toFixed(5));
    event.totalCarrierFee = carrierFeeOf(subject.isoCountryCode, request.parts);
  } else if (scheduled.isFinal) {
    const seconds = scheduled.eventType === 'VOICE_COMPLETED' ? Math.max(1, Math.ceil(request.bodyLength / 15)) : 0;
    event.callDurationInSeconds = seconds;
    event.totalDurationRounded = Math.ceil(seconds / 60) * 60;
    event.totalMessagePrice = Number(((Math.ceil(seconds / 60) || 0) * PRICE_PER_VOICE_MINUTE).toFixed(5));
  }
  return event;
}

/** Fields the real events carry beyond what `deliveryEventSchema` parses. */
interface JsonFields {
  messageEncoding?: string;
  callDurationInSeconds?: number;
  totalDurationRounded?: number;
}
