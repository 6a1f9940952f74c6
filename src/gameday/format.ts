/** The game-day report as tables for people (the JSON form is the report itself). */
import type { PhaseFigures, Ttd } from './analyze';
import type { GamedayReport } from './runner';
import type { TargetRow } from './targets';

const sec = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);
const pct = (share: number | undefined) => (share === undefined ? 'n/a' : `${(share * 100).toFixed(1)} %`);
const ttd = (t: Ttd | undefined) =>
  t === undefined ? 'n/a' : `${sec(t.p50Ms)} / ${sec(t.p99Ms)} (${t.delivered}/${t.messages})`;

function grid(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i])).join('  ')}`.trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

const FIGURES: [string, (f: PhaseFigures) => string][] = [
  ['messages', (f) => String(f.messages)],
  ['breaker opened after', (f) => (f.breaker.available ? sec(f.breaker.openedAfterMs) : 'n/a (no routeHealth)')],
  ['breaker closed after recovery', (f) => (f.breaker.available ? sec(f.breaker.closedAfterRecoveryMs) : 'n/a')],
  [
    'sends into the open route (probes)',
    (f) => {
      const x = f.sendsIntoOpenRoute;
      return x ? `${x.messages} (${x.probes}); records ${x.recordedAttempts} (${x.recordedProbes})` : 'n/a';
    },
  ],
  ['first try on the faulty route: during fault', (f) => pct(f.firstTryFaulty.duringFault)],
  ['first try on the faulty route: after open', (f) => pct(f.firstTryFaulty.afterOpen)],
  ['time-to-deliver p50 / p99, started before fault', (f) => ttd(f.timeToDeliver.baseline)],
  ['time-to-deliver p50 / p99, started during fault', (f) => ttd(f.timeToDeliver.duringFault)],
  ['time-to-deliver p50 / p99, started after open', (f) => ttd(f.timeToDeliver.afterOpen)],
  ['duplicate / needless sends', (f) => `${f.duplicateSends} / ${f.needlessSends}`],
  ['back on primary (≥ 90 %) after recovery', (f) => sec(f.backOnPrimaryAfterMs)],
  ['lost / stuck / sends after a success', (f) => `${f.lost} / ${f.stuck} / ${f.sendsAfterSuccess}`],
];

/** One column per phase (scenario × mode), one row per figure. */
export function figuresTable(phases: PhaseFigures[]): string[] {
  const header = ['figure', ...phases.map((p) => `${p.scenario} (${p.mode})`)];
  return grid(
    header,
    FIGURES.map(([name, get]) => [name, ...phases.map(get)]),
  );
}

const verdict = (r: TargetRow) => (r.pass === null ? 'n/a' : r.pass ? 'pass' : r.invariant ? 'FAIL' : 'miss');

export function targetsTable(rows: TargetRow[]): string[] {
  return grid(
    ['scenario', 'mode', 'what', 'figure', 'target', ''],
    rows.map((r) => [r.scenario, r.mode, r.name, r.figure, r.target, verdict(r)]),
  );
}

export function formatReport(r: GamedayReport): string {
  const lines = [
    `game day ${r.smoke ? '(smoke) ' : ''}at ${r.options.rate} msg/s, fault ${sec(r.options.faultMs)}: ${r.phases.length} phase(s) in ${sec(r.timings.totalMs)}`,
    '',
    ...figuresTable(r.phases),
    '',
    ...targetsTable(r.targets),
    '',
    r.invariantsHold ? 'invariants hold: 0 lost, 0 sends after a success' : 'INVARIANTS BROKEN: see the FAIL rows',
  ];
  for (const e of r.errors) lines.push(`error in ${e.phase}: ${e.error.split('\n')[0]}`);
  return lines.join('\n');
}
