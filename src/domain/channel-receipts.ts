/**
 * How a WhatsApp status or an SES event settles its attempt (pure, workflow-safe; docs/receipts.md). The policy's
 * `channelSuccess` names the receipt that is success per channel; the plan carries it. Plans recorded before it
 * have none: their WhatsApp and email attempts succeed on acceptance, as they did then.
 *
 * | channel  | receipt (signal status)                  | accepted | delivered    | read         |
 * |----------|------------------------------------------|----------|--------------|--------------|
 * | whatsapp | SENT                                     | —        | intermediate | intermediate |
 * | whatsapp | DELIVERED                                | —        | success      | intermediate |
 * | whatsapp | READ                                     | —        | success      | success      |
 * | whatsapp | FAILED (Meta error code)                 | —        | failure      | failure      |
 * | email    | SENT (Send), DELAYED (DeliveryDelay)     | —        | intermediate | intermediate |
 * | email    | DELIVERED (Delivery)                     | —        | success      | intermediate |
 * | email    | OPENED (Open)                            | —        | success      | success      |
 * | email    | COMPLAINT                                | —        | success      | success      |
 * | email    | BOUNCE_*, REJECTED, RENDERING_FAILURE    | —        | failure      | failure      |
 * (`accepted`: the attempt is delivered when the service accepts the send; later receipts are only listed.)
 *
 * A complaint means the mail reached the recipient, who marked it as spam: the message is not escalated to another
 * channel (that would press the same person again); SES's account-level suppression list keeps the address from
 * further mail. Every failure has scope `channel`: the ladder moves on to the next channel (a bounce, a reject, a
 * template that does not render, a recipient Meta refuses: no other rung of the same channel would do better).
 */
import type { Channel } from './channel';
import type { DlrSignal } from './delivery-event';
import { failure, type ClassifiedFailure } from './outcome';
import type { ResolvedPolicy } from './plan';

export type ReceiptClass = 'success' | 'failure' | 'intermediate';

/** The attempt on `channel` waits for a receipt rather than succeeding on acceptance. */
export function awaitsChannelReceipt(policy: ResolvedPolicy, channel: Channel): boolean {
  if (channel !== 'whatsapp' && channel !== 'email') return false;
  return policy.channelSuccess !== undefined && policy.channelSuccess[channel] !== 'accepted';
}

const WHATSAPP_SUCCESS: Record<string, ReceiptClass> = { DELIVERED: 'success', READ: 'success', FAILED: 'failure' };
const EMAIL_SUCCESS: Record<string, ReceiptClass> = {
  DELIVERED: 'success',
  OPENED: 'success',
  COMPLAINT: 'success',
  BOUNCE_PERMANENT: 'failure',
  BOUNCE_TRANSIENT: 'failure',
  BOUNCE_UNDETERMINED: 'failure',
  REJECTED: 'failure',
  RENDERING_FAILURE: 'failure',
};

/** What a channel receipt (`dlr.channel` set) does to its attempt under the policy. */
export function channelReceiptClass(dlr: DlrSignal, policy: ResolvedPolicy): ReceiptClass {
  if (!dlr.isFinal || dlr.channel === undefined) return 'intermediate';
  const cls = (dlr.channel === 'whatsapp' ? WHATSAPP_SUCCESS : EMAIL_SUCCESS)[dlr.status] ?? 'intermediate';
  if (cls === 'success' && dlr.status === 'DELIVERED' && policy.channelSuccess?.[dlr.channel] === 'read') {
    return 'intermediate';
  }
  return cls;
}

/** The failure a failing channel receipt records: `WHATSAPP_FAILED_131026`, `EMAIL_BOUNCE_PERMANENT`, … */
export function classifyChannelReceiptFailure(dlr: DlrSignal): ClassifiedFailure {
  const detail = dlr.description ? `: ${dlr.description}` : '';
  if (dlr.channel === 'whatsapp') {
    const code = /^(\d{1,9}):/.exec(dlr.description ?? '')?.[1];
    return failure(
      'channel',
      code ? `WHATSAPP_FAILED_${code}` : 'WHATSAPP_FAILED',
      `WhatsApp did not deliver${detail}`,
    );
  }
  return failure('channel', `EMAIL_${dlr.status}`, `email not delivered${detail}`);
}
