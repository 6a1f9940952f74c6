/**
 * Two-way SMS inbound messages as End User Messaging publishes them to the two-way SNS topic
 * (https://docs.aws.amazon.com/sms-voice/latest/userguide/two-way-sms-payload.html): `originationNumber` (the
 * person), `destinationNumber` (our number), `messageKeyword`, `messageBody`, `inboundMessageId`,
 * `previousPublishedMessageId`; and the keywords that change opt-out lists:
 *
 * - opt-out: the required opt-out keywords ARRET, CANCEL, END, OPT-OUT, OPTOUT, QUIT, REMOVE, STOP, TD, UNSUBSCRIBE
 *   (https://docs.aws.amazon.com/sms-voice/latest/userguide/keywords-required.html);
 * - opt-in: START and UNSTOP, the resubscribe keywords the same page documents (set with the OPT_IN keyword action);
 * - anything else (HELP included: AWS answers it, no list changes) changes nothing.
 *
 * Keywords are case insensitive (https://docs.aws.amazon.com/sms-voice/latest/userguide/keywords.html). Pure, so the
 * simulator and the ingester read messages the same way.
 */
import { z } from 'zod';
import { snsEnvelopeSchema, type SnsEnvelope } from './dlr-parse';

export const OPT_OUT_KEYWORDS = [
  'ARRET',
  'CANCEL',
  'END',
  'OPT-OUT',
  'OPTOUT',
  'QUIT',
  'REMOVE',
  'STOP',
  'TD',
  'UNSUBSCRIBE',
] as const;
export const OPT_IN_KEYWORDS = ['START', 'UNSTOP'] as const;

export type KeywordAction = 'opt-out' | 'opt-in' | 'none';

function actionOfWord(word: string): KeywordAction {
  if ((OPT_OUT_KEYWORDS as readonly string[]).includes(word)) return 'opt-out';
  if ((OPT_IN_KEYWORDS as readonly string[]).includes(word)) return 'opt-in';
  return 'none';
}

/** The keyword of a message body (its first word, upper-cased) and what it does to the lists. */
export function keywordOf(body: string): { keyword: string; action: KeywordAction } {
  const keyword = body.trim().split(/\s+/)[0]?.toUpperCase() ?? '';
  return { keyword, action: actionOfWord(keyword) };
}

export const inboundSmsSchema = z.object({
  originationNumber: z.string().regex(/^\+[1-9][0-9]{1,18}$/, 'must be an E.164 phone number'),
  destinationNumber: z.string().min(1).max(256),
  messageKeyword: z.string().max(30).optional(),
  messageBody: z.string().max(1600),
  inboundMessageId: z.string().min(1).max(256),
  previousPublishedMessageId: z.string().max(256).optional(),
});
export type InboundSms = z.infer<typeof inboundSmsSchema>;

/** What an inbound message does: `messageKeyword` when it is a list keyword, else the body's first word. */
export function inboundAction(m: InboundSms): KeywordAction {
  const fromKeyword = actionOfWord((m.messageKeyword ?? '').trim().toUpperCase());
  return fromKeyword !== 'none' ? fromKeyword : keywordOf(m.messageBody).action;
}

export type InboundParse = { ok: true; message: InboundSms; envelope?: SnsEnvelope } | { ok: false; error: string };

/** An SQS body of the two-way queue: the SNS envelope (or, with raw delivery, the payload itself). Never throws. */
export function parseInboundSmsBody(body: string): InboundParse {
  let outer: unknown;
  try {
    outer = JSON.parse(body);
  } catch {
    return { ok: false, error: 'body is not JSON' };
  }
  let envelope: SnsEnvelope | undefined;
  let inner: unknown = outer;
  if (typeof outer === 'object' && outer !== null && (outer as { Type?: unknown }).Type !== undefined) {
    const env = snsEnvelopeSchema.safeParse(outer);
    if (!env.success) return { ok: false, error: 'SNS envelope is malformed' };
    envelope = env.data;
    try {
      inner = JSON.parse(env.data.Message);
    } catch {
      return { ok: false, error: 'SNS envelope Message is not JSON' };
    }
  }
  const parsed = inboundSmsSchema.safeParse(inner);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `inbound message ${issue.path.join('.') || '(root)'}: ${issue.message}` };
  }
  return { ok: true, message: parsed.data, ...(envelope ? { envelope } : {}) };
}
