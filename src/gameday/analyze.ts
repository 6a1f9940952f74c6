/**
 * The figures of one game-day phase (one scenario in one mode), from what it observed: each message's start time
 * and status record, the simulator's message log (what reached the carrier, and where), and the breaker's states
 * over time (./breaker-probe.ts). Pure: no I/O, unit-tested on its own. Lost, stuck, sends after a success and
 * duplicate sends are the chaos suite's rules (src/chaos/analyze.ts), applied to the phase's messages.
 */
import { analyze, type ChaosMessage, type SimSend } from '../chaos/analyze';
import { CONTEXT_WORKFLOW_ID } from '../domain/sending';
import { deliveredAt, deliveringAttempt, type MessageStatus } from '../domain/status';
import { percentile } from '../report/compute';
import { isOpen, type BreakerReading, type BreakerSample } from './breaker-probe';
import type { Mode, Place, Scenario, ScenarioName } from './scenarios';

/** A send in the simulator's log with where it went (the fields the analysis reads). */
export interface GamedaySend extends SimSend, Place {}

/** One message of the phase: the chaos suite's message, `startedAt` being when the start call returned. */
export type GamedayMessage = ChaosMessage;

/** When the phase's parts happened (epoch ms). */
export interface PhaseTimeline {
  /** First start. */
  startedAt: number;
  /** The fault was added. */
  faultAt: number;
  /** The fault was deleted: recovery. */
  clearedAt: number;
  /** Last start. */
  endedAt: number;
}

export interface PhaseInput {
  scenario: Scenario;
  mode: Mode;
  timeline: PhaseTimeline;
  messages: GamedayMessage[];
  sends: GamedaySend[];
  breaker: BreakerSample[];
  /** The cooldown of the breaker class the scenario trips (ms), for the recovery target. */
  cooldownMs: number;
  /** Length of the windows of starts in which the primary route's share is measured after recovery. */
  recoveryWindowMs?: number;
}

export interface Ttd {
  /** Messages in the group, delivered or not. */
  messages: number;
  delivered: number;
  p50Ms?: number;
  p99Ms?: number;
}

export interface PhaseFigures {
  scenario: ScenarioName;
  mode: Mode;
  breakerKey: string;
  timeline: PhaseTimeline;
  messages: number;
  statuses: Partial<Record<MessageStatus | 'LOST' | 'STUCK', number>>;
  breaker: {
    /** False when no routeHealth workflow answered (route health off, or not in this build). */
    available: boolean;
    /** Fault start -> the key read open; absent when it never opened (or n/a). */
    openedAfterMs?: number;
    /** Recovery (fault deleted) -> the key read closed again. */
    closedAfterRecoveryMs?: number;
    transitions: { atMs: number; state: BreakerReading }[];
  };
  /**
   * Sends into the faulty route between the breaker opening and recovery, from the simulator's log: probes (sent
   * while half-open, or by another workflow such as a canary) apart; and the attempts the status records list there
   * (probes apart the same way), which also counts sends that never reached the simulator.
   */
  sendsIntoOpenRoute?: { messages: number; probes: number; recordedAttempts: number; recordedProbes: number };
  /** Share of messages whose first attempt went into the faulty route, by when they started. */
  firstTryFaulty: { duringFault?: number; afterOpen?: number };
  /** From the start call to the delivery receipt: before the fault (for comparison), during it, after the opening. */
  timeToDeliver: { baseline: Ttd; duringFault: Ttd; afterOpen?: Ttd };
  duplicateSends: number;
  needlessSends: number;
  /** Recovery -> the first window of starts whose messages the primary route delivered at ≥ 90 %. */
  backOnPrimaryAfterMs?: number;
  /** Share of the baseline's messages the primary route delivered (before the fault; about 1). */
  baselinePrimaryShare?: number;
  lost: number;
  stuck: number;
  sendsAfterSuccess: number;
  examples: { lost: string[]; stuck: string[]; sendsAfterSuccess: string[]; failed: string[] };
  cooldownMs: number;
}

/** The breaker's state at `t`: the last sample taken at or before it. */
export function stateAt(samples: readonly BreakerSample[], t: number): BreakerReading | undefined {
  let state: BreakerReading | undefined;
  for (const s of samples) {
    if (s.at > t) break;
    state = s.state;
  }
  return state;
}

function breakerFigures(input: PhaseInput): PhaseFigures['breaker'] & { openedAt?: number } {
  const { breaker, timeline } = input;
  const available = breaker.some((s) => s.state !== 'n/a');
  const transitions = breaker.map((s) => ({ atMs: s.at - timeline.faultAt, state: s.state }));
  if (!available) return { available, transitions };
  const openAtStart = isOpen(stateAt(breaker, timeline.faultAt) ?? 'closed');
  const openedAt = openAtStart
    ? timeline.faultAt
    : breaker.find((s) => s.at >= timeline.faultAt && isOpen(s.state))?.at;
  const closed = breaker.find((s) => s.at >= Math.max(timeline.clearedAt, openedAt ?? 0) && s.state === 'closed');
  return {
    available,
    transitions,
    ...(openedAt !== undefined ? { openedAt, openedAfterMs: openedAt - timeline.faultAt } : {}),
    ...(openedAt !== undefined && closed ? { closedAfterRecoveryMs: Math.max(0, closed.at - timeline.clearedAt) } : {}),
  };
}

function recordOf(m: GamedayMessage) {
  return m.outcome.record;
}

const startedIn = (m: GamedayMessage, from: number, to: number) =>
  m.startedAt !== undefined && m.startedAt >= from && m.startedAt < to;

function firstTryShare(messages: GamedayMessage[], scenario: Scenario): number | undefined {
  const firsts = messages.map((m) => recordOf(m)?.attempts.find((a) => a.attempt === 1)).filter((a) => a !== undefined);
  if (firsts.length === 0) return undefined;
  return firsts.filter((a) => scenario.faulty(a)).length / firsts.length;
}

function ttdOf(messages: GamedayMessage[]): Ttd {
  const samples: number[] = [];
  for (const m of messages) {
    const record = recordOf(m);
    const at = record && record.status !== 'IN_PROGRESS' ? deliveredAt(record) : undefined;
    if (at !== undefined && m.startedAt !== undefined) samples.push(Math.max(0, at - m.startedAt));
  }
  samples.sort((a, b) => a - b);
  return {
    messages: messages.length,
    delivered: samples.length,
    ...(samples.length > 0 ? { p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99) } : {}),
  };
}

function sendsIntoOpenRoute(input: PhaseInput, openedAt: number) {
  const ours = new Set(input.messages.map((m) => m.workflowId));
  const out = { messages: 0, probes: 0 };
  for (const s of input.sends) {
    const at = Date.parse(s.receivedAt);
    if (!(at >= openedAt && at < input.timeline.clearedAt) || !input.scenario.faulty(s)) continue;
    const workflowId = s.context?.[CONTEXT_WORKFLOW_ID];
    const probe = !workflowId || !ours.has(workflowId) || stateAt(input.breaker, at) === 'half-open';
    if (probe) out.probes++;
    else out.messages++;
  }
  const recorded = { recordedAttempts: 0, recordedProbes: 0 };
  for (const a of input.messages.flatMap((m) => recordOf(m)?.attempts ?? [])) {
    if (!(a.startedAt >= openedAt && a.startedAt < input.timeline.clearedAt) || !input.scenario.faulty(a)) continue;
    if (stateAt(input.breaker, a.startedAt) === 'half-open') recorded.recordedProbes++;
    else recorded.recordedAttempts++;
  }
  return { ...out, ...recorded };
}

/** Share of `messages` (with a record) that the primary route delivered. */
function primaryShare(messages: GamedayMessage[], scenario: Scenario): { share?: number; n: number } {
  const records = messages.map(recordOf).filter((r) => r !== undefined);
  if (records.length === 0) return { n: 0 };
  const onPrimary = records.filter((r) => {
    const a = deliveringAttempt(r);
    return a !== undefined && scenario.primary(a);
  }).length;
  return { share: onPrimary / records.length, n: records.length };
}

/** Recovery -> the start of the first window (1 s steps) of at least 3 starts the primary route carried at ≥ 90 %. */
function backOnPrimary(input: PhaseInput): number | undefined {
  const { clearedAt, endedAt } = input.timeline;
  const windowMs = input.recoveryWindowMs ?? 5_000;
  for (let from = clearedAt; from <= endedAt; from += 1_000) {
    const { share, n } = primaryShare(
      input.messages.filter((m) => startedIn(m, from, from + windowMs)),
      input.scenario,
    );
    if (n >= 3 && share !== undefined && share >= 0.9) return from - clearedAt;
  }
  return undefined;
}

export function analyzePhase(input: PhaseInput): PhaseFigures {
  const { scenario, timeline, messages } = input;
  const chaos = analyze({
    messages,
    sends: input.sends,
    chaosByMessageId: new Map(),
    injected: {
      duplicate: 0,
      reorder: 0,
      late: 0,
      drop: 0,
      poison: 0,
      workerKills: 0,
      ingesterKills: 0,
      temporalRestarts: 0,
    },
    deadLettered: 0,
    dlrBacklog: 0,
  });
  const { openedAt, ...breaker } = breakerFigures(input);
  const duringFault = messages.filter((m) => startedIn(m, timeline.faultAt, timeline.clearedAt));
  const afterOpen =
    openedAt !== undefined ? messages.filter((m) => startedIn(m, openedAt, timeline.clearedAt)) : undefined;
  const baseline = messages.filter((m) => startedIn(m, timeline.startedAt, timeline.faultAt));
  const recovered = backOnPrimary(input);
  const afterOpenShare = afterOpen ? firstTryShare(afterOpen, scenario) : undefined;
  const duringShare = firstTryShare(duringFault, scenario);
  return {
    scenario: scenario.name,
    mode: input.mode,
    breakerKey: scenario.breakerKey,
    timeline,
    messages: messages.length,
    statuses: chaos.statuses,
    breaker,
    ...(openedAt !== undefined ? { sendsIntoOpenRoute: sendsIntoOpenRoute(input, openedAt) } : {}),
    firstTryFaulty: {
      ...(duringShare !== undefined ? { duringFault: duringShare } : {}),
      ...(afterOpenShare !== undefined ? { afterOpen: afterOpenShare } : {}),
    },
    timeToDeliver: {
      baseline: ttdOf(baseline),
      duringFault: ttdOf(duringFault),
      ...(afterOpen ? { afterOpen: ttdOf(afterOpen) } : {}),
    },
    duplicateSends: chaos.sends.duplicate,
    needlessSends: chaos.sends.needless,
    ...(recovered !== undefined ? { backOnPrimaryAfterMs: recovered } : {}),
    ...(baseline.length > 0 ? { baselinePrimaryShare: primaryShare(baseline, scenario).share } : {}),
    lost: chaos.lost,
    stuck: chaos.stuck,
    sendsAfterSuccess: chaos.sendsAfterSuccess,
    examples: chaos.examples,
    cooldownMs: input.cooldownMs,
  };
}
