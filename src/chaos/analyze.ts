/**
 * What a chaos run proves, computed from what it observed: each message's status record (the workflow's account
 * of every send) and the carrier simulator's message log (the ground truth of what reached the carrier). Pure: no
 * I/O, so the rules are unit-tested on their own.
 *
 * Fatal (the run fails unless zero):
 * - lost: a message with no final state by the deadline (never started, closed without a status record, failed,
 *   terminated, timed out, or not found);
 * - stuck: still IN_PROGRESS after the drain deadline;
 * - sends after a success: an attempt started after another attempt of the same message had been delivered
 *   (`startedAt` of a later attempt > `finishedAt` of a delivered one). Attempts that the record lists as
 *   needless were sent *before* the late success arrived: they are not sends after a success.
 *
 * Figures with an invariant:
 * - duplicate sends: sends that reached the carrier beyond the first of a message and are owed to ambiguity (the
 *   previous send of the message was accepted but its answer lost) or are a blind repeat of the same attempt;
 *   never more than the ambiguous answers injected;
 * - dead-lettered: messages in the DLR dead-letter queues, exactly the poison injected.
 */
import type { AttemptRecord, MessageStatus, StatusRecord } from '../domain/status';
import { CONTEXT_ATTEMPT, CONTEXT_WORKFLOW_ID } from '../domain/sending';

/** One send in the simulator's message log (the fields the analysis reads). */
export interface SimSend {
  requestId: string;
  messageId?: string;
  operation: string;
  /** `accepted`, `ambiguous` (accepted, answer lost), `rejected`, `timeout`. */
  outcome: string;
  receivedAt: string;
  context?: Record<string, string>;
}

export type MessageOutcome =
  /** The workflow completed with its status record. */
  | { kind: 'final'; record: StatusRecord }
  /** Still running when the drain deadline passed (record from the status query, when it answered). */
  | { kind: 'running'; record?: StatusRecord }
  /** No final state: never started, closed abnormally, or not found. */
  | { kind: 'lost'; why: string; record?: StatusRecord };

export interface ChaosMessage {
  key: string;
  workflowId: string;
  /** When the runner's start call succeeded (epoch ms); undefined if it never did. */
  startedAt?: number;
  outcome: MessageOutcome;
}

export interface Injected {
  /** Sends the simulator answered ambiguously (accepted, answer lost), from its message log. */
  ambiguous: number;
  duplicate: number;
  reorder: number;
  late: number;
  drop: number;
  poison: number;
  workerKills: number;
  ingesterKills: number;
  temporalRestarts: number;
}

export interface AnalysisInput {
  messages: ChaosMessage[];
  sends: SimSend[];
  /** DLR chaos actions by message id (of the carrier's message). */
  chaosByMessageId: ReadonlyMap<string, readonly string[]>;
  injected: Omit<Injected, 'ambiguous'>;
  /** Messages that reached the DLR dead-letter queues during the run. */
  deadLettered: number;
  /** Messages still on the DLR queues at the end (late receipts still to come are not counted). */
  dlrBacklog: number;
}

export interface Check {
  name: string;
  value: number;
  expected: string;
  pass: boolean;
  /** A failing fatal check fails the run (exit code). */
  fatal: boolean;
}

export interface Analysis {
  messages: number;
  statuses: Partial<Record<MessageStatus | 'LOST' | 'STUCK', number>>;
  lost: number;
  stuck: number;
  sendsAfterSuccess: number;
  /** A few examples of each fatal finding, for the report. */
  examples: { lost: string[]; stuck: string[]; sendsAfterSuccess: string[]; failed: string[] };
  sends: {
    /** Send requests the simulator received for these messages. */
    requests: number;
    /** Accepted by the carrier (`accepted` or `ambiguous`): texts the user may have received. */
    reachedCarrier: number;
    /** Reached the carrier beyond the first of their message, by cause. */
    extra: number;
    duplicate: number;
    duplicatePerMessage: { mean: number; max: number };
    afterAmbiguous: number;
    /** The same attempt (workflow id, attempt number) reaching the carrier again: a blind retry. */
    repeatedAttempt: number;
    /** After the previous send's final receipt was dropped or held late by the chaos: escalation by step timeout. */
    afterLostOrLateReceipt: number;
    /** After a receipt that was published but arrived too late (pipeline held up by a disruption). */
    afterSlowReceipt: number;
    /** Sends that reached the carrier but that no status record lists. */
    unrecorded: number;
    /** Attempts the status records call needless (sent before a late success arrived). */
    needless: number;
  };
  injected: Injected;
  deadLettered: number;
  dlrBacklog: number;
  workflowEvents: { duplicateEvents: number; unmatchedEvents: number };
  /** Last start -> last message finished (workflow time), ms. */
  drainMs?: number;
  checks: Check[];
  /** True when every fatal check passes. */
  ok: boolean;
}

const REACHED = new Set(['accepted', 'ambiguous']);

/** Attempts started after another attempt of the same record had been delivered. */
export function sendsAfterSuccess(record: StatusRecord): AttemptRecord[] {
  const delivered = record.attempts.filter((a) => a.state === 'delivered' && a.finishedAt !== undefined);
  return record.attempts.filter((a) => delivered.some((d) => d !== a && a.startedAt > d.finishedAt!));
}

function recordOf(outcome: MessageOutcome): StatusRecord | undefined {
  return outcome.record;
}

/** What the status records say: final statuses, lost and stuck messages, sends after a success, the examples. */
function tallyOutcomes(messages: ChaosMessage[]) {
  const t = {
    statuses: {} as Analysis['statuses'],
    examples: { lost: [], stuck: [], sendsAfterSuccess: [], failed: [] } as Analysis['examples'],
    lost: 0,
    stuck: 0,
    afterSuccess: 0,
    needless: 0,
    duplicateEvents: 0,
    unmatchedEvents: 0,
    lastFinished: undefined as number | undefined,
  };
  const bump = (s: MessageStatus | 'LOST' | 'STUCK') => (t.statuses[s] = (t.statuses[s] ?? 0) + 1);
  const note = (list: string[], line: string) => list.length < 10 && list.push(line);
  for (const m of messages) {
    const o = m.outcome;
    if (o.kind === 'lost') {
      t.lost++;
      bump('LOST');
      note(t.examples.lost, `${m.key}: ${o.why}`);
    } else if (o.kind === 'running' || o.record.status === 'IN_PROGRESS') {
      t.stuck++;
      bump('STUCK');
      note(t.examples.stuck, `${m.key}: ${o.record?.reason ?? 'running, status not readable'}`);
    } else {
      bump(o.record.status);
      if (o.record.status !== 'DELIVERED' && o.record.status !== 'CONFIRMED') {
        const trail = o.record.attempts.map((a) => `${a.region}/${a.originator}:${a.outcome}`).join(' > ');
        note(t.examples.failed, `${m.key}: ${o.record.status}, ${o.record.reason} [${trail}]`);
      }
      if (o.record.finishedAt !== undefined) t.lastFinished = Math.max(t.lastFinished ?? 0, o.record.finishedAt);
    }
    const record = recordOf(o);
    if (!record) continue;
    t.needless += record.needlessAttempts.length;
    t.duplicateEvents += record.duplicateEvents;
    t.unmatchedEvents += record.unmatchedEvents;
    const late = sendsAfterSuccess(record);
    t.afterSuccess += late.length;
    for (const a of late) note(t.examples.sendsAfterSuccess, `${m.key}: attempt ${a.attempt} started after a delivery`);
  }
  return t;
}

/** Ground truth: what reached the carrier, per message, in attempt order, and why each extra send happened. */
function tallySends(input: AnalysisInput, byWorkflow: ReadonlyMap<string, ChaosMessage>) {
  const ours = input.sends.filter((s) => s.context && byWorkflow.has(s.context[CONTEXT_WORKFLOW_ID]));
  const reached = new Map<string, SimSend[]>();
  for (const s of ours) {
    if (!REACHED.has(s.outcome)) continue;
    const wf = s.context![CONTEXT_WORKFLOW_ID];
    reached.set(wf, [...(reached.get(wf) ?? []), s]);
  }
  const attemptOf = (s: SimSend) => Number(s.context?.[CONTEXT_ATTEMPT] ?? NaN);
  const t = {
    requests: ours.length,
    ambiguous: ours.filter((s) => s.outcome === 'ambiguous').length,
    reachedCarrier: 0,
    extra: 0,
    afterAmbiguous: 0,
    repeatedAttempt: 0,
    afterLostOrLate: 0,
    afterSlow: 0,
    unrecorded: 0,
    maxDuplicates: 0,
  };
  for (const [wf, list] of reached) {
    list.sort((a, b) => attemptOf(a) - attemptOf(b) || a.receivedAt.localeCompare(b.receivedAt));
    t.reachedCarrier += list.length;
    const record = recordOf(byWorkflow.get(wf)!.outcome);
    let duplicates = 0;
    list.forEach((s, i) => {
      if (record && !record.attempts.some((a) => a.attempt === attemptOf(s))) t.unrecorded++;
      if (i === 0) return;
      t.extra++;
      const prev = list[i - 1];
      if (attemptOf(prev) === attemptOf(s)) {
        t.repeatedAttempt++;
        duplicates++;
      } else if (prev.outcome === 'ambiguous') {
        t.afterAmbiguous++;
        duplicates++;
      } else if ((input.chaosByMessageId.get(prev.messageId ?? '') ?? []).some((a) => a === 'drop' || a === 'late')) {
        t.afterLostOrLate++;
      } else {
        t.afterSlow++;
      }
    });
    t.maxDuplicates = Math.max(t.maxDuplicates, duplicates);
  }
  return t;
}

function checksOf(
  c: { lost: number; stuck: number; afterSuccess: number; duplicate: number; ambiguous: number },
  input: AnalysisInput,
): Check[] {
  return [
    { name: 'messages lost', value: c.lost, expected: '= 0', pass: c.lost === 0, fatal: true },
    { name: 'messages stuck', value: c.stuck, expected: '= 0', pass: c.stuck === 0, fatal: true },
    { name: 'sends after a success', value: c.afterSuccess, expected: '= 0', pass: c.afterSuccess === 0, fatal: true },
    {
      name: 'duplicate sends',
      value: c.duplicate,
      expected: `≤ ${c.ambiguous} (ambiguous answers injected)`,
      pass: c.duplicate <= c.ambiguous,
      fatal: false,
    },
    {
      name: 'dead-lettered DLR messages',
      value: input.deadLettered,
      expected: `= ${input.injected.poison} (poison injected)`,
      pass: input.deadLettered === input.injected.poison,
      fatal: false,
    },
  ];
}

export function analyze(input: AnalysisInput): Analysis {
  const byWorkflow = new Map(input.messages.map((m) => [m.workflowId, m]));
  const o = tallyOutcomes(input.messages);
  const s = tallySends(input, byWorkflow);
  const duplicate = s.afterAmbiguous + s.repeatedAttempt;
  const injected: Injected = { ambiguous: s.ambiguous, ...input.injected };
  const lastStart = Math.max(0, ...input.messages.map((m) => m.startedAt ?? 0));
  const checks = checksOf({ ...o, duplicate, ambiguous: s.ambiguous }, input);
  return {
    messages: input.messages.length,
    statuses: o.statuses,
    lost: o.lost,
    stuck: o.stuck,
    sendsAfterSuccess: o.afterSuccess,
    examples: o.examples,
    sends: {
      requests: s.requests,
      reachedCarrier: s.reachedCarrier,
      extra: s.extra,
      duplicate,
      duplicatePerMessage: {
        mean: input.messages.length ? duplicate / input.messages.length : 0,
        max: s.maxDuplicates,
      },
      afterAmbiguous: s.afterAmbiguous,
      repeatedAttempt: s.repeatedAttempt,
      afterLostOrLateReceipt: s.afterLostOrLate,
      afterSlowReceipt: s.afterSlow,
      unrecorded: s.unrecorded,
      needless: o.needless,
    },
    injected,
    deadLettered: input.deadLettered,
    dlrBacklog: input.dlrBacklog,
    workflowEvents: { duplicateEvents: o.duplicateEvents, unmatchedEvents: o.unmatchedEvents },
    ...(o.lastFinished !== undefined && lastStart > 0 ? { drainMs: Math.max(0, o.lastFinished - lastStart) } : {}),
    checks,
    ok: checks.every((c) => c.pass || !c.fatal),
  };
}
