/**
 * The delivery report as one self-contained HTML file: inline CSS and inline SVG charts generated here,
 * no script, no external resource (opens offline, can be attached to an incident ticket).
 */
import { DELIVERY_RATE_BASIS, type DeliveryReport, type RateRow } from './model';
import { examinedText, fmtRate, fmtSeconds } from './text';
import { protectionLines } from './protection';

export function esc(s: unknown): string {
  return String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

const COLORS = {
  ok: '#2e7d32',
  bad: '#c62828',
  warn: '#ef6c00',
  info: '#1565c0',
  grey: '#9e9e9e',
  track: '#eceff1',
};

const STATUS_COLORS: Record<string, string> = {
  DELIVERED: COLORS.ok,
  CONFIRMED: '#1b5e20',
  FAILED: COLORS.bad,
  STOPPED: '#6a1b9a',
  CANCELLED: COLORS.grey,
  IN_PROGRESS: COLORS.info,
};

const LEVEL_COLORS: Record<string, string> = {
  initial: COLORS.ok,
  originator: '#9e9d24',
  account: COLORS.warn,
  region: COLORS.bad,
  channel: '#6a1b9a',
  none: COLORS.grey,
};

export interface Bar {
  label: string;
  value: number;
  /** Text at the end of the bar. */
  text: string;
  color: string;
}

/** Horizontal bars, scaled to `max` (default the largest value). */
export function barChart(title: string, bars: Bar[], max?: number): string {
  const labelW = Math.min(260, Math.max(80, ...bars.map((b) => b.label.length * 7.5 + 10)));
  const barW = 360;
  const rowH = 26;
  const w = labelW + barW + 140;
  const h = bars.length * rowH + 30;
  const top = max ?? Math.max(1, ...bars.map((b) => b.value));
  const rows = bars
    .map((b, i) => {
      const y = 24 + i * rowH;
      const len = top > 0 ? Math.max(b.value > 0 ? 2 : 0, (b.value / top) * barW) : 0;
      return [
        `<text x="${labelW - 8}" y="${y + 14}" text-anchor="end" class="l">${esc(b.label)}</text>`,
        `<rect x="${labelW}" y="${y}" width="${barW}" height="18" fill="${COLORS.track}" rx="3"/>`,
        `<rect x="${labelW}" y="${y}" width="${len.toFixed(1)}" height="18" fill="${b.color}" rx="3"><title>${esc(b.label)}: ${esc(b.text)}</title></rect>`,
        `<text x="${labelW + barW + 8}" y="${y + 14}" class="v">${esc(b.text)}</text>`,
      ].join('');
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(title)}" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">
<text x="0" y="14" class="t">${esc(title)}</text>
${rows || `<text x="0" y="40" class="l">no data</text>`}
</svg>`;
}

/** Delivery rate per route / channel: the bar is the rate, the text says delivered/settled. */
export function rateChart(title: string, rows: RateRow[]): string {
  return barChart(
    title,
    rows.map((r) => {
      const settled = r.delivered + r.failed;
      const rate = r.rate ?? 0;
      return {
        label: r.key,
        value: rate,
        text: `${fmtRate(r.rate)} (${r.delivered}/${settled})`,
        color: r.rate === undefined ? COLORS.grey : rate >= 0.9 ? COLORS.ok : rate >= 0.6 ? COLORS.warn : COLORS.bad,
      };
    }),
    1,
  );
}

export const TTD_BUCKETS: { label: string; upTo: number }[] = [
  { label: '≤1s', upTo: 1 },
  { label: '≤2s', upTo: 2 },
  { label: '≤5s', upTo: 5 },
  { label: '≤10s', upTo: 10 },
  { label: '≤30s', upTo: 30 },
  { label: '≤1m', upTo: 60 },
  { label: '≤5m', upTo: 300 },
  { label: '≤15m', upTo: 900 },
  { label: '≤1h', upTo: 3600 },
  { label: '≤6h', upTo: 6 * 3600 },
  { label: '>6h', upTo: Infinity },
];

/** Vertical histogram of the time to delivery. */
export function ttdHistogram(samples: number[]): string {
  const counts = TTD_BUCKETS.map(() => 0);
  for (const s of samples) counts[TTD_BUCKETS.findIndex((b) => s <= b.upTo)]++;
  const max = Math.max(1, ...counts);
  const colW = 52;
  const chartH = 140;
  const w = TTD_BUCKETS.length * colW + 20;
  const top = 40;
  const h = chartH + top + 30;
  const cols = counts
    .map((n, i) => {
      const x = 10 + i * colW;
      const bh = (n / max) * chartH;
      const y = top + chartH - bh;
      return [
        `<rect x="${x + 6}" y="${y.toFixed(1)}" width="${colW - 12}" height="${bh.toFixed(1)}" fill="${COLORS.info}"><title>${esc(TTD_BUCKETS[i].label)}: ${n}</title></rect>`,
        n > 0 ? `<text x="${x + colW / 2}" y="${(y - 4).toFixed(1)}" text-anchor="middle" class="v">${n}</text>` : '',
        `<text x="${x + colW / 2}" y="${top + chartH + 16}" text-anchor="middle" class="l">${esc(TTD_BUCKETS[i].label)}</text>`,
      ].join('');
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Time to delivery" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">
<text x="0" y="14" class="t">Time to delivery (messages)</text>
<line x1="10" y1="${top + chartH}" x2="${w - 10}" y2="${top + chartH}" stroke="#90a4ae"/>
${cols}
</svg>`;
}

/** One stacked bar of the message statuses. */
export function statusStrip(byStatus: Record<string, number>): string {
  const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
  const w = 700;
  let x = 0;
  const parts = Object.entries(byStatus)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => {
      const len = total > 0 ? (n / total) * w : 0;
      const part = `<rect x="${x.toFixed(1)}" y="20" width="${len.toFixed(1)}" height="24" fill="${STATUS_COLORS[s] ?? COLORS.grey}"><title>${esc(s)}: ${n}</title></rect>${
        len > 70 ? `<text x="${(x + 6).toFixed(1)}" y="37" class="w">${esc(s)} ${n}</text>` : ''
      }`;
      x += len;
      return part;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Messages by status" width="${w}" height="50" viewBox="0 0 ${w} 50">
<text x="0" y="14" class="t">Messages by status</text>${parts || `<rect x="0" y="20" width="${w}" height="24" fill="${COLORS.track}"/>`}
</svg>`;
}

function rateRows(rows: RateRow[], what: string): string {
  if (rows.length === 0) return '<p class="muted">No closed messages.</p>';
  return `<table><thead><tr><th>${what}</th><th>attempts</th><th>sent</th><th>delivered</th><th>failed</th><th>rate</th></tr></thead><tbody>
${rows
  .map(
    (r) =>
      `<tr><td>${esc(r.key)}</td><td>${r.attempts}</td><td>${r.sent}</td><td>${r.delivered}</td><td>${r.failed}</td><td>${fmtRate(r.rate)}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#263238;margin:24px auto;max-width:1000px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #cfd8dc;padding-bottom:4px}
.muted{color:#607d8b}.kpis{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.kpi{border:1px solid #cfd8dc;border-radius:6px;padding:8px 14px;min-width:120px}.kpi b{display:block;font-size:22px}
table{border-collapse:collapse;margin:8px 0}th,td{border-bottom:1px solid #eceff1;padding:4px 10px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f5f7f8}
svg{display:block;margin:8px 0;max-width:100%}svg .t{font-weight:600;font-size:13px}svg .l{font-size:12px;fill:#37474f}
svg .v{font-size:12px;fill:#263238}svg .w{font-size:12px;fill:#fff}
`;

/** The key figures, and what the delivery rate is computed over. */
function headline(r: DeliveryReport): string {
  const ttd = r.timeToDelivery;
  const o = r.outcomes;
  return `<div class="kpis">
<div class="kpi">messages<b id="kpi-messages">${r.totals.messages}</b></div>
<div class="kpi">delivery rate<b id="kpi-rate">${fmtRate(r.deliveryRate)}</b></div>
<div class="kpi">delivered<b id="kpi-delivered">${o.delivered}</b></div>
<div class="kpi">not delivered<b id="kpi-not-delivered">${o.notDelivered}</b></div>
<div class="kpi">cancelled<b id="kpi-cancelled">${o.cancelled}</b></div>
<div class="kpi">still waiting<b id="kpi-waiting">${o.inProgress}</b></div>
<div class="kpi">median to delivery<b>${esc(fmtSeconds(ttd.medianSeconds))}</b></div>
<div class="kpi">p95 to delivery<b>${esc(fmtSeconds(ttd.p95Seconds))}</b></div>
</div>
<p class="muted" id="rate-basis">Delivery rate = ${esc(DELIVERY_RATE_BASIS)}: ${o.delivered} of ${
    o.delivered + o.notDelivered
  } messages with an outcome. A message counts as delivered when its receipt arrived${
    o.listening ? `, ${o.listening} of them still listening for feedback` : ''
  }.</p>
`;
}

/** Workflows that ended abnormally, and delivered messages whose record could not be read. */
function problems(r: DeliveryReport): string {
  return `${
    r.abnormal.length
      ? `<h2>Ended abnormally</h2><table><thead><tr><th>workflow id</th><th>execution status</th></tr></thead><tbody>${r.abnormal
          .map((a) => `<tr><td>${esc(a.workflowId)}</td><td>${esc(a.executionStatus)}</td></tr>`)
          .join('')}</tbody></table>`
      : ''
  }
${
  r.unread.length
    ? `<h2>Delivered, record not readable</h2><p class="muted">Listening for feedback; not in the rates and times.</p><table><thead><tr><th>workflow id</th><th>error</th></tr></thead><tbody>${r.unread
        .map((u) => `<tr><td>${esc(u.workflowId)}</td><td>${esc(u.error)}</td></tr>`)
        .join('')}</tbody></table>`
    : ''
}`;
}

export function renderHtml(r: DeliveryReport, maxWaiting = 200): string {
  const ttd = r.timeToDelivery;
  const levelBars = Object.entries(r.totals.byLevel).map(([l, n]) => ({
    label: l,
    value: n,
    text: String(n),
    color: LEVEL_COLORS[l] ?? COLORS.grey,
  }));
  const waitingRows = r.waiting
    .slice(0, maxWaiting)
    .map(
      (w) =>
        `<tr><td>${esc(w.workflowId)}</td><td>${esc(fmtSeconds(w.ageSeconds))}</td><td>${esc(w.level ?? '-')}</td><td>${esc(
          w.route ?? '-',
        )}</td><td>${esc(w.channel ?? '-')}</td><td>${esc(w.attempts ?? '-')}</td><td>${esc(w.status ?? '-')}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>resilient-sms delivery report</title><style>${CSS}</style></head>
<body>
<h1>Delivery report</h1>
<p class="muted">Namespace <b>${esc(r.namespace)}</b> · messages started since ${esc(r.since)} · generated ${esc(r.generatedAt)}</p>
${headline(r)}
${statusStrip(r.totals.byStatus)}
<h2>Escalation</h2>
<p class="muted">How far each message had to climb (search attribute SmsLevel).</p>
${barChart('Messages by escalation level needed', levelBars)}
<h2>Delivery by route</h2>
<p class="muted">Attempts of ${esc(examinedText(r))}; rate = delivered / (delivered + failed).</p>
${rateChart('Delivery rate by route (account/Region)', r.byRoute)}
${rateRows(r.byRoute, 'route')}
<h2>Delivery by channel</h2>
${rateChart('Delivery rate by channel', r.byChannel)}
${rateRows(r.byChannel, 'channel')}
${protectionLines(r.protection)
  .filter((l) => l !== '')
  .map((l) => `<p>${esc(l)}</p>`)
  .join('\n')}
<h2>Time to delivery</h2>
<p>Median <b>${esc(fmtSeconds(ttd.medianSeconds))}</b> · p95 <b>${esc(fmtSeconds(ttd.p95Seconds))}</b> over ${ttd.count} delivered messages (start → delivery receipt, listening for feedback or not).</p>
${ttdHistogram(ttd.samplesSeconds)}
<table><thead><tr><th>level</th><th>messages</th><th>median</th><th>p95</th></tr></thead><tbody>
${Object.entries(ttd.byLevel)
  .map(
    ([l, p]) =>
      `<tr><td>${esc(l)}</td><td>${p.count}</td><td>${esc(fmtSeconds(p.medianSeconds))}</td><td>${esc(fmtSeconds(p.p95Seconds))}</td></tr>`,
  )
  .join('\n')}
</tbody></table>
${problems(r)}
<h2>Still waiting: not delivered yet (${r.waiting.length})</h2>
${
  r.waiting.length
    ? `<table id="waiting"><thead><tr><th>workflow id</th><th>age</th><th>level</th><th>route</th><th>channel</th><th>attempts</th><th>status</th></tr></thead><tbody>
${waitingRows}
</tbody></table>${r.waiting.length > maxWaiting ? `<p class="muted">… and ${r.waiting.length - maxWaiting} more.</p>` : ''}`
    : '<p class="muted">None.</p>'
}
</body></html>
`;
}
