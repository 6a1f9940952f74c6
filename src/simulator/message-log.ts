/**
 * Every send the simulator received, newest last, bounded: past `max` records the oldest are dropped. Bodies are
 * never kept, only their length; phone numbers are (this is the operator's local simulator).
 */
import type { Caller, SendOperation } from './protocol';
import type { SendParameters } from './send-parameters';

export type SendOutcome = 'accepted' | 'rejected' | 'ambiguous' | 'timeout';

export interface EventRecord {
  eventType: string;
  messageStatus: string;
  isFinal: boolean;
  eventTimestamp: number;
  publishedAt: string;
  published: boolean;
  topicArn?: string;
  /** Why it was not published (no DLR topic for the account and Region, SNS error). */
  error?: string;
}

export interface MessageRecord {
  /** The request id of the HTTP answer (`x-amzn-RequestId`); every send has one. */
  requestId: string;
  /** Present when the service accepted the message (`accepted`, `ambiguous`). */
  messageId?: string;
  operation: SendOperation | 'SendWhatsAppMessage' | 'SendEmail';
  region?: string;
  /** Config account name, from the access key id; absent when the key is unknown. */
  account?: string;
  accessKeyId?: string;
  originator?: string;
  destination?: string;
  isoCountryCode?: string;
  bodyLength?: number;
  messageType?: string;
  configurationSet?: string;
  context?: Record<string, string>;
  dryRun?: boolean;
  messageFeedbackEnabled?: boolean;
  /** The use case's send parameters the request carried (MaxPrice, Keyword, …; ./send-parameters.ts). */
  parameters?: SendParameters;
  receivedAt: string;
  outcome: SendOutcome;
  error?: { type: string; reason?: string; message: string };
  faultId?: string;
  events: EventRecord[];
  /** Events still to come (scheduled, not yet published). */
  pendingEvents: number;
  feedback?: { status: string; at: string };
  /** What a protect configuration in MONITOR mode would have done (./protect.ts). */
  protect?: string;
}

export interface MessageFilter {
  account?: string;
  region?: string;
  originator?: string;
  destination?: string;
  outcome?: string;
  messageId?: string;
  operation?: string;
}

export const DEFAULT_MAX_MESSAGES = 100_000;

export class MessageLog {
  /** Insertion-ordered: the first key is the oldest record. */
  private readonly records = new Map<string, MessageRecord>();
  private readonly byMessageId = new Map<string, MessageRecord>();
  /** Records dropped to keep the log bounded, since the last clear. */
  trimmed = 0;

  constructor(readonly max = DEFAULT_MAX_MESSAGES) {}

  add(record: MessageRecord): void {
    this.records.set(record.requestId, record);
    if (record.messageId) this.byMessageId.set(record.messageId, record);
    while (this.records.size > this.max) {
      const oldest = this.records.values().next().value!;
      this.records.delete(oldest.requestId);
      if (oldest.messageId) this.byMessageId.delete(oldest.messageId);
      this.trimmed += 1;
    }
  }

  get size(): number {
    return this.records.size;
  }

  byId(messageId: string): MessageRecord | undefined {
    return this.byMessageId.get(messageId);
  }

  list(filter: MessageFilter = {}): MessageRecord[] {
    const out: MessageRecord[] = [];
    for (const r of this.records.values()) {
      if (
        (filter.account === undefined || r.account === filter.account) &&
        (filter.region === undefined || r.region === filter.region) &&
        (filter.originator === undefined || r.originator === filter.originator) &&
        (filter.destination === undefined || r.destination === filter.destination) &&
        (filter.outcome === undefined || r.outcome === filter.outcome) &&
        (filter.messageId === undefined || r.messageId === filter.messageId) &&
        (filter.operation === undefined || r.operation === filter.operation)
      ) {
        out.push(r);
      }
    }
    return out;
  }

  clear(): void {
    this.records.clear();
    this.byMessageId.clear();
    this.trimmed = 0;
  }
}

/**
 * The log entry of one incoming send, before anything about it is known: `rejected` until the handler accepts it.
 * The caller's Region and key, and the account they belong to, when the request was signed.
 */
export function newRequestRecord(
  requestId: string,
  operation: MessageRecord['operation'],
  caller: Caller | undefined,
  account: string | undefined,
): MessageRecord {
  return {
    requestId,
    operation,
    ...(caller ? { region: caller.region, accessKeyId: caller.accessKeyId } : {}),
    ...(account ? { account } : {}),
    receivedAt: new Date().toISOString(),
    outcome: 'rejected',
    events: [],
    pendingEvents: 0,
  };
}
