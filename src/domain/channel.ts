/**
 * The channels a message can go out on, and what sets SMS and voice apart from the others. Pure data,
 * safe in workflow code.
 */

export const CHANNELS = ['sms', 'voice', 'whatsapp', 'email', 'push'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * SMS and voice reach a phone number through End User Messaging: they share its accounts, spend limits,
 * Regional health and opt-out list. The other channels ("alternate channels") each have their own AWS service;
 * WhatsApp and email receipts come back through the same DLR queues (./channel-receipts.ts), push has none.
 */
export const NUMBER_CHANNELS = ['sms', 'voice'] as const;
export type NumberChannel = (typeof NUMBER_CHANNELS)[number];
export type AlternateChannel = Exclude<Channel, NumberChannel>;

/** Is this channel carried by End User Messaging (SMS or voice)? See `NUMBER_CHANNELS`. */
export function isNumberChannel(channel: Channel): channel is NumberChannel {
  return (NUMBER_CHANNELS as readonly Channel[]).includes(channel);
}

/** The AWS service behind a channel: SMS and voice share one (`sms-voice`), the others have their own. */
export function serviceOf(channel: Channel): 'sms-voice' | AlternateChannel {
  return isNumberChannel(channel) ? 'sms-voice' : channel;
}
