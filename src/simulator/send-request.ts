/**
 * What the SMS/voice and WhatsApp fronts do alike with a send: who is calling (SigV4 scope and access key), its
 * entry in the message log, the fault that applies to it, the faults that act on the socket rather than answer,
 * and the `send` log line.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { maskPhone } from '../domain/privacy';
import type { ApiEffect, Fault, FaultStore, SendAttempt } from './faults';
import type { Emit } from './log';
import { newRequestRecord, type MessageLog, type MessageRecord } from './message-log';
import { parseAuthorization, type Caller } from './protocol';

/** What every front that takes sends works with. */
export interface SendFrontDeps {
  /** Static access key id -> account name. */
  keys: ReadonlyMap<string, string>;
  messages: MessageLog;
  faults: FaultStore;
  emit: Emit;
}

export interface IncomingSend {
  /** The answer's `x-amzn-RequestId`, also the log entry's key. */
  requestId: string;
  /** From the SigV4 credential scope; undefined when the request is not signed. */
  caller: Caller | undefined;
  /** Config account name of the caller's access key id; undefined when the key is unknown. */
  account: string | undefined;
}

/** Who sends, from the `Authorization` header; `keys` maps static access key ids to account names. */
export function identifySend(req: IncomingMessage, keys: ReadonlyMap<string, string>): IncomingSend {
  const caller = parseAuthorization(req.headers.authorization);
  return { requestId: randomUUID(), caller, account: caller ? keys.get(caller.accessKeyId) : undefined };
}

/** The log entry of this send, `rejected` until the front accepts it. */
export function sendRecord(send: IncomingSend, operation: MessageRecord['operation']): MessageRecord {
  return newRequestRecord(send.requestId, operation, send.caller, send.account);
}

/** The fault that applies to this send, if any, noted on its log entry. */
export function takeFault(faults: FaultStore, record: MessageRecord, attempt: SendAttempt): Fault | undefined {
  const fault = faults.take(attempt);
  if (fault) record.faultId = fault.id;
  return fault;
}

/**
 * The API faults that act on the connection: `timeout` never answers (the client times out, nothing was sent),
 * `ambiguous` accepts the message and drops the connection (it went out, the answer is lost). True when the effect
 * was one of them and the request is done; otherwise the front answers with the effect's error.
 */
export function applyConnectionFault(
  req: IncomingMessage,
  record: MessageRecord,
  effect: ApiEffect,
  accept: () => void,
): boolean {
  if (effect === 'timeout') {
    record.outcome = 'timeout';
    return true;
  }
  if (effect === 'ambiguous') {
    accept();
    record.outcome = 'ambiguous';
    req.socket.destroy();
    return true;
  }
  return false;
}

/** Keeps the send in the message log and writes its `send` line (masked destination, never the body). */
export function recordSend(emit: Emit, messages: MessageLog, record: MessageRecord): void {
  messages.add(record);
  emit(record.outcome === 'accepted' ? 'info' : 'warn', 'send', {
    operation: record.operation,
    requestId: record.requestId,
    account: record.account,
    region: record.region,
    originator: record.originator,
    destination: record.destination ? maskPhone(record.destination) : undefined,
    // WhatsApp messages have no body length: their line has no such field.
    ...(record.operation === 'SendWhatsAppMessage' ? {} : { bodyLength: record.bodyLength }),
    outcome: record.outcome,
    ...(record.messageId ? { messageId: record.messageId } : {}),
    ...(record.faultId ? { faultId: record.faultId } : {}),
    ...(record.error ? { error: record.error } : {}),
  });
}
