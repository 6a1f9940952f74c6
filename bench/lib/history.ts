/**
 * Reading what happened: workflow histories (event times, decoded signals, sizes) and the simulator's message
 * log (when each send reached it, when each delivery event was published).
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { dataConverterFor } from '../../src/codec/data-converter';
import type { DlrSignal } from '../../src/domain/delivery-event';
import { CONTEXT_ATTEMPT, CONTEXT_WORKFLOW_ID } from '../../src/domain/sending';
import type { MessageRecord } from '../../src/simulator/message-log';
import type { BenchStack } from './stack';

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
export const EventType = temporal.api.enums.v1.EventType;

export function eventMs(e: HistoryEvent): number {
  const t = e.eventTime;
  if (!t) return NaN;
  const s = t.seconds;
  const seconds = typeof s === 'number' ? s : s ? Number(s.toString()) : 0;
  return seconds * 1000 + (t.nanos ?? 0) / 1e6;
}

export async function historyOf(stack: BenchStack, workflowId: string): Promise<History> {
  return stack.temporal.workflow.getHandle(workflowId).fetchHistory();
}

/** Decodes a payload with the stack's data converter (decrypting it when encryption is on). */
export async function decodePayload<T>(stack: BenchStack, payload: temporal.api.common.v1.IPayload): Promise<T> {
  let p: Payload = payload;
  for (const codec of [...(dataConverterFor(stack.config).payloadCodecs ?? [])].reverse()) {
    [p] = await codec.decode([p]);
  }
  return defaultPayloadConverter.fromPayload<T>(p);
}

export interface SignalSeen {
  at: number;
  name: string;
  dlr?: DlrSignal;
}

export async function signalsOf(stack: BenchStack, history: History): Promise<SignalSeen[]> {
  const out: SignalSeen[] = [];
  for (const e of history.events ?? []) {
    if (e.eventType !== EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) continue;
    const a = e.workflowExecutionSignaledEventAttributes!;
    const payload = a.input?.payloads?.[0];
    const dlr = a.signalName === 'dlr' && payload ? await decodePayload<DlrSignal>(stack, payload) : undefined;
    out.push({ at: eventMs(e), name: a.signalName ?? '', dlr });
  }
  return out;
}

/** Every Payload in a history (inputs, results, signals, markers, failures' encoded attributes, memo, headers). */
function payloadsIn(value: unknown, out: temporal.api.common.v1.IPayload[]): void {
  if (!value || typeof value !== 'object') return;
  if (ArrayBuffer.isView(value)) return;
  const v = value as { data?: unknown; metadata?: unknown };
  if (ArrayBuffer.isView(v.data) && typeof v.metadata === 'object' && v.metadata !== null) {
    out.push(value);
    return;
  }
  for (const v of Object.values(value as Record<string, unknown>)) payloadsIn(v, out);
}

export interface HistorySize {
  events: number;
  /** Bytes of every payload in the history (data + metadata, protobuf-encoded). */
  payloadBytes: number;
  /** The whole history, protobuf-encoded. */
  historyBytes: number;
  payloads: number;
  workflowTasks: number;
  eventTypes: string[];
}

export function historySize(history: History): HistorySize {
  const events = history.events ?? [];
  const payloads: temporal.api.common.v1.IPayload[] = [];
  for (const e of events) payloadsIn(e, payloads);
  return {
    events: events.length,
    payloadBytes: payloads.reduce((s, p) => s + temporal.api.common.v1.Payload.encode(p).finish().length, 0),
    historyBytes: temporal.api.history.v1.History.encode(history).finish().length,
    payloads: payloads.length,
    workflowTasks: events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).length,
    eventTypes: events.map((e) => (EventType[e.eventType ?? 0] ?? String(e.eventType)).replace(/^EVENT_TYPE_/, '')),
  };
}

/** The simulator's records (sends), newest `limit`, indexed by workflow id then attempt number. */
export async function simSends(stack: BenchStack, limit: number): Promise<Map<string, Map<number, MessageRecord>>> {
  const { messages } = await stack.sim<{ messages: MessageRecord[] }>('GET', `/_sim/messages?limit=${limit}`);
  const byWorkflow = new Map<string, Map<number, MessageRecord>>();
  for (const m of messages) {
    const wf = m.context?.[CONTEXT_WORKFLOW_ID];
    const attempt = Number(m.context?.[CONTEXT_ATTEMPT]);
    if (!wf || !attempt) continue;
    let attempts = byWorkflow.get(wf);
    if (!attempts) byWorkflow.set(wf, (attempts = new Map<number, MessageRecord>()));
    attempts.set(attempt, m);
  }
  return byWorkflow;
}
