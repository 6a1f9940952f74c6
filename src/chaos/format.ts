/** The chaos run as a table for people (the JSON form is the ChaosResult itself). */
import type { ChaosResult } from './runner';

const s = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);

function table(rows: [string, string, string?][]): string[] {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows.map(([a, b, c]) => `  ${a.padEnd(w0)}  ${b.padStart(w1)}${c ? `  ${c}` : ''}`.trimEnd());
}

const mark = (pass: boolean) => (pass ? '✓' : '✗');

/** The invariants, one row each: value and what it must be. */
function checkRows(r: ChaosResult): string[] {
  const row = (name: string): [string, string, string] => {
    const c = r.analysis.checks.find((k) => k.name === name)!;
    return [`${mark(c.pass)} ${c.name}`, String(c.value), `${c.expected}${c.fatal ? '' : ' (figure)'}`];
  };
  return table([
    row('messages lost'),
    row('messages stuck'),
    row('sends after a success'),
    row('duplicate sends'),
    row('dead-lettered DLR messages'),
  ]);
}

function figureRows(r: ChaosResult): string[] {
  const a = r.analysis;
  return table([
    [
      'duplicate sends per message',
      a.sends.duplicatePerMessage.mean.toFixed(3),
      `mean (max ${a.sends.duplicatePerMessage.max}); ${a.sends.afterAmbiguous} after an ambiguous answer, ${a.sends.repeatedAttempt} repeated attempts`,
    ],
    [
      'time to drain',
      s(r.timings.drainMs),
      `last start -> last message final (wall clock ${s(r.timings.drainWallMs)})`,
    ],
    [
      'final statuses',
      Object.entries(a.statuses)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    ],
    ['sends reaching the carrier', String(a.sends.reachedCarrier), `of ${a.sends.requests} requests`],
    [
      'extra sends',
      String(a.sends.extra),
      `${a.sends.afterAmbiguous} after ambiguity, ${a.sends.afterLostOrLateReceipt} after a dropped/late receipt, ${a.sends.afterSlowReceipt} after a receipt held up by a disruption`,
    ],
    ['needless attempts (records)', String(a.sends.needless), 'sent before a late success arrived'],
    ['sends no record lists', String(a.sends.unrecorded)],
    [
      'receipts the workflows dropped',
      String(a.workflowEvents.duplicateEvents),
      `as duplicates (${a.workflowEvents.unmatchedEvents} unmatched)`,
    ],
    ['DLR queue backlog at the end', String(a.dlrBacklog)],
  ]);
}

function injectedRows(r: ChaosResult): string[] {
  const o = r.options;
  const inj = r.analysis.injected;
  return table([
    ['ambiguous answers', String(inj.ambiguous), `${Math.round(o.ambiguous * 100)} % of sends`],
    ['duplicated receipts', String(inj.duplicate), `${Math.round(o.duplicate * 100)} % of messages`],
    ['reordered receipts', String(inj.reorder), `${Math.round(o.reorder * 100)} %`],
    ['late receipts', String(inj.late), `${Math.round(o.late * 100)} %, after the step wait`],
    ['dropped receipts', String(inj.drop), `${Math.round(o.drop * 100)} %`],
    ['poison messages', String(inj.poison), `${Math.round(o.poison * 100)} % of N`],
    ...r.disruptions.map((d): [string, string, string] => [
      `${d.kind} ${d.signal}`,
      d.error ? 'failed' : s(d.recoveredMs),
      d.error ?? `after ${d.afterStarts} starts (t+${d.atS.toFixed(1)} s), pid ${d.pid} -> ${d.newPid}`,
    ]),
  ]);
}

function timingsLine(r: ChaosResult): string {
  const o = r.options;
  return (
    `Timings: stack up ${s(r.timings.stackStartMs)}, starts ${s(r.timings.startPhaseMs)}` +
    (r.timings.heldBackMs > 0 ? ` (held back ${s(r.timings.heldBackMs)} by backpressure)` : '') +
    `, total ${s(r.timings.totalMs)}` +
    ` (step wait ${s(o.stepWaitMs)}, ambiguous wait ${s(o.ambiguousWaitMs)}, deadline ${s(o.deadlineMs)},` +
    ` ${o.rate}/s, at most ${o.maxInFlight} in flight)`
  );
}

export function formatChaosResult(r: ChaosResult): string {
  const a = r.analysis;
  const lines = [
    `resilient-sms chaos run: ${a.messages} messages, seed ${r.seed} — ${a.ok ? 'PASSED' : 'FAILED'}`,
    '',
    ...checkRows(r),
    '',
    'Figures',
    ...figureRows(r),
    '',
    'Injected',
    ...injectedRows(r),
    '',
    timingsLine(r),
  ];
  for (const [what, list] of Object.entries(a.examples)) {
    if (list.length) lines.push('', `${what}:`, ...list.map((l) => `  ${l}`));
  }
  if (r.dataDir) lines.push('', `Data and logs: ${r.dataDir}`);
  return lines.join('\n');
}
