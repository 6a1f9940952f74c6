/**
 * Issue 12's game-day targets, each beside its figure: pass, miss, or n/a (the figure could not be measured, e.g. no
 * routeHealth workflow answered). Timing targets apply with route health on and never fail a run or a test; the
 * invariants (0 lost, 0 sends after a success) apply in every mode and fail the run.
 */
import type { PhaseFigures } from './analyze';

export interface TargetRow {
  scenario: string;
  mode: string;
  name: string;
  figure: string;
  target: string;
  /** null: n/a. */
  pass: boolean | null;
  /** An invariant (fails the run) rather than a timing target. */
  invariant: boolean;
}

const sec = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);
const pct = (share: number | undefined) => (share === undefined ? 'n/a' : `${(share * 100).toFixed(1)} %`);

function row(f: PhaseFigures, name: string, figure: string, target: string, pass: boolean | null): TargetRow {
  return { scenario: f.scenario, mode: f.mode, name, figure, target, pass, invariant: false };
}

const within = (v: number | undefined, limit: number) => (v === undefined ? null : v <= limit);

/** The timing targets of one phase with route health on. */
function timingTargets(f: PhaseFigures): TargetRow[] {
  const out: TargetRow[] = [];
  const opened = f.breaker.available ? f.breaker.openedAfterMs : undefined;
  const openPass = f.breaker.available ? (opened === undefined ? false : null) : null;
  if (f.scenario === 'region-outage') {
    out.push(row(f, 'breaker opens', sec(opened), '≤ 5 s after the outage starts', within(opened, 5_000) ?? openPass));
  }
  if (f.scenario === 'silent-filtering') {
    out.push(row(f, 'filtering detected', sec(opened), '≤ 30 s after it starts', within(opened, 30_000) ?? openPass));
  }
  const first = f.firstTryFaulty.afterOpen;
  out.push(
    row(f, 'new messages trying the faulty route first', pct(first), '≤ 1 % after it opened', within(first, 0.01)),
  );
  if (f.scenario !== 'silent-filtering') {
    const p99 = f.timeToDeliver.afterOpen?.p99Ms;
    out.push(row(f, 'p99 time-to-deliver after it opened', sec(p99), '≤ 3 s', within(p99, 3_000)));
  }
  const limit = f.cooldownMs + 15_000;
  const back = f.backOnPrimaryAfterMs;
  out.push(
    row(
      f,
      'back on the primary route',
      sec(back),
      `≤ cooldown + 15 s = ${sec(limit)}`,
      back === undefined ? false : back <= limit,
    ),
  );
  return out;
}

/** The invariants of one phase (any mode). */
function invariants(f: PhaseFigures): TargetRow[] {
  const lost = f.lost + f.stuck;
  return [
    { ...row(f, 'messages lost (not ended or stuck)', String(lost), '= 0', lost === 0), invariant: true },
    {
      ...row(f, 'sends after a success', String(f.sendsAfterSuccess), '= 0', f.sendsAfterSuccess === 0),
      invariant: true,
    },
  ];
}

export function targetRows(phases: PhaseFigures[]): TargetRow[] {
  return phases.flatMap((f) => [...(f.mode === 'on' ? timingTargets(f) : []), ...invariants(f)]);
}

/** Every invariant holds (what the exit code and the smoke test check). */
export function invariantsHold(rows: TargetRow[]): boolean {
  return rows.every((r) => !r.invariant || r.pass === true);
}
