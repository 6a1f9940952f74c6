/**
 * The delivery report as plain-text tables (stdout of `resilient-sms report`).
 */
import { DELIVERY_RATE_BASIS, type DeliveryReport, type Percentiles, type RateRow } from './model';
import { protectionLines } from './protection';

export function fmtSeconds(s: number | undefined): string {
  if (s === undefined) return '-';
  if (s < 60) return `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(Math.round(s % 60)).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d ${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
}

export function fmtRate(r: number | undefined): string {
  return r === undefined ? '-' : `${(r * 100).toFixed(1)}%`;
}

/** Left-aligned first column, right-aligned numbers. */
export function table(head: string[], rows: (string | number)[][], numeric: boolean[] = []): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `  ${line}`)
    .join('\n');
}

function rateTable(title: string, rows: RateRow[]): string {
  if (rows.length === 0) return `${title}\n  (no closed messages)`;
  return `${title}\n${table(
    [title.startsWith('By channel') ? 'channel' : 'route', 'attempts', 'sent', 'delivered', 'failed', 'rate'],
    rows.map((r) => [r.key, r.attempts, r.sent, r.delivered, r.failed, fmtRate(r.rate)]),
    [false, true, true, true, true, true],
  )}`;
}

function ttd(p: Percentiles): string {
  return `median ${fmtSeconds(p.medianSeconds)} · p95 ${fmtSeconds(p.p95Seconds)} (n=${p.count})`;
}

/** What `examined` covers, in words. */
export function examinedText(r: DeliveryReport): string {
  return (
    `${r.examined} messages with a status record (closed, or delivered and listening for feedback)` +
    (r.truncated ? ', truncated by --limit' : '')
  );
}

/** What happened to the users, and the delivery rate with what it is computed over. */
function headline(r: DeliveryReport): string[] {
  const o = r.outcomes;
  const listening = o.listening > 0 ? ` (${o.listening} still listening for feedback)` : '';
  return [
    `Messages: ${r.totals.messages} · delivered ${o.delivered}${listening} · not delivered ${o.notDelivered} · ` +
      `cancelled ${o.cancelled} · in progress ${o.inProgress}`,
    `Delivery rate: ${fmtRate(r.deliveryRate)} (${o.delivered} of ${o.delivered + o.notDelivered} messages with ` +
      `an outcome = ${DELIVERY_RATE_BASIS})`,
  ];
}

export function renderText(r: DeliveryReport, maxWaiting = 50): string {
  const out: string[] = [];
  const statuses = Object.entries(r.totals.byStatus)
    .map(([s, n]) => `${s} ${n}`)
    .join(' · ');
  out.push(`Delivery report · namespace ${r.namespace} · messages started since ${r.since}`);
  out.push(...headline(r));
  if (statuses) out.push(`Status: ${statuses}`);
  out.push('');
  out.push('Escalation level needed (SmsLevel: the highest rung a message climbed to)');
  out.push(
    table(
      ['level', 'messages'],
      Object.entries(r.totals.byLevel).map(([l, n]) => [l, n]),
      [false, true],
    ),
  );
  out.push('');
  const note = `attempts of ${examinedText(r)}; rate = delivered / (delivered + failed)`;
  out.push(rateTable(`By route (${note})`, r.byRoute));
  out.push('');
  out.push(rateTable('By channel', r.byChannel));
  out.push(...protectionLines(r.protection));
  out.push('');
  out.push(`Time to delivery (start → delivery receipt, listening for feedback or not): ${ttd(r.timeToDelivery)}`);
  for (const [level, p] of Object.entries(r.timeToDelivery.byLevel)) out.push(`  ${level.padEnd(10)} ${ttd(p)}`);
  if (r.abnormal.length > 0) {
    out.push('');
    out.push(`Workflows that ended abnormally (${r.abnormal.length})`);
    out.push(
      table(
        ['workflow id', 'execution status'],
        r.abnormal.slice(0, maxWaiting).map((a) => [a.workflowId, a.executionStatus]),
      ),
    );
  }
  if (r.unread.length > 0) {
    out.push('');
    out.push(`Delivered, listening for feedback, record not readable: not in the rates and times (${r.unread.length})`);
    out.push(
      table(
        ['workflow id', 'error'],
        r.unread.slice(0, maxWaiting).map((u) => [u.workflowId, u.error]),
      ),
    );
  }
  out.push('');
  out.push(`Still waiting: not delivered yet (${r.waiting.length})`);
  if (r.waiting.length === 0) out.push('  (none)');
  else {
    out.push(
      table(
        ['workflow id', 'age', 'level', 'route', 'channel', 'attempts', 'status'],
        r.waiting
          .slice(0, maxWaiting)
          .map((w) => [
            w.workflowId,
            fmtSeconds(w.ageSeconds),
            w.level ?? '-',
            w.route ?? '-',
            w.channel ?? '-',
            w.attempts ?? '-',
            w.status ?? '-',
          ]),
        [false, true, false, false, false, true, false],
      ),
    );
    if (r.waiting.length > maxWaiting) out.push(`  … and ${r.waiting.length - maxWaiting} more (--json for all)`);
  }
  return out.join('\n');
}
