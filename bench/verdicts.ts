/** The benchmark's verdicts: each measurement's figures against its target (the performance issue's), and the table. */
import type { ColdStartResult } from './measure/cold-start';
import type { GamedayResult } from './measure/gameday';
import type { HistoryResult } from './measure/history';
import type { IngestionResult } from './measure/ingestion';
import type { FailoverResult, ReceiptLatencyResult } from './measure/latency';
import type { EvictedLatencyResult, MemoryResult } from './measure/memory';
import type { PacingResult } from './measure/pacing';
import type { ThroughputResult } from './measure/throughput';
import { formatSummary, type Summary } from './lib/stats';

export interface Verdict {
  id: number;
  name: string;
  figure: string;
  /** More figures, printed under the table. */
  detail?: string;
  timings?: string;
  target: string;
  pass: boolean | null;
}

export interface MeasuredResults {
  throughput?: ThroughputResult;
  receiptLatency?: ReceiptLatencyResult;
  failover?: FailoverResult;
  history?: HistoryResult;
  coldStart?: ColdStartResult;
  memory?: MemoryResult;
  evictedLatency?: EvictedLatencyResult;
  ingestion?: IngestionResult;
  gameday?: GamedayResult;
  pacing?: PacingResult;
}

const ms = (s?: Summary) => formatSummary(s, 'ms');

function throughputVerdict(t: ThroughputResult): Verdict {
  return {
    id: 1,
    name: 'throughput',
    figure: `${t.peak.ours.ratePerS}/s @${t.peak.ours.concurrency} vs no-op ${t.peak.noop.ratePerS}/s @${t.peak.noop.concurrency} = ${t.ratio}×`,
    timings: `latency ${ms(t.peak.ours.latencyMs)}`,
    detail: `CPU ms per delivery ${JSON.stringify(t.peak.ours.cpu.perUnitMs)} vs per no-op ${JSON.stringify(t.peak.noop.cpu.perUnitMs)}; CPU-bound ratio ${t.cpuBound.all}×, ${t.cpuBound.withoutStandIns}× without the SQS/SNS emulator and the simulator`,
    target: '≥ 0.35 × no-op',
    pass: t.ratio >= 0.35,
  };
}

function latencyVerdicts(r: MeasuredResults): Verdict[] {
  const out: Verdict[] = [];
  if (r.receiptLatency) {
    const l = r.receiptLatency;
    out.push({
      id: 2,
      name: 'receipt latency (final DLR)',
      figure: `${l.ratePerS} msg/s, ${l.delivered}/${l.messages} delivered; from publish start (upper bound) ${ms(l.finalSincePublishStartMs)}; intermediate events ${ms(l.intermediateMs)}`,
      timings: ms(l.finalMs),
      target: 'p50 ≤ 50 ms, p99 ≤ 250 ms',
      pass: l.finalMs ? l.finalMs.median <= 50 && l.finalMs.p99 <= 250 : false,
    });
  }
  if (r.failover) {
    const f = r.failover;
    out.push({
      id: 3,
      name: 'failover reaction',
      figure: `${f.ratePerS} msg/s, ${f.failedOver}/${f.messages}; from publish start ${ms(f.reactionSincePublishStartMs)}; DLR→signal ${ms(f.breakdown.dlrToSignalMs)}, signal→next send scheduled ${ms(f.breakdown.signalToScheduledMs)}, scheduled→at simulator ${ms(f.breakdown.scheduledToSendMs)}`,
      timings: ms(f.reactionMs),
      target: 'p99 ≤ 500 ms',
      pass: f.reactionMs ? f.reactionMs.p99 <= 500 : false,
    });
  }
  return out;
}

function memoryVerdicts(r: MeasuredResults): Verdict[] {
  const out: Verdict[] = [];
  if (r.memory) {
    const m = r.memory;
    const rss = m.extrapolatedRssMb ?? m.rssMb;
    out.push({
      id: 4,
      name: 'memory at rest (worker RSS)',
      figure:
        `${m.rssMb} MB with ${m.waiting} waiting (cache ${m.maxCachedWorkflows}, ${m.startRatePerS}/s to fill, baseline ${m.baselineRssMb} MB)` +
        (m.extrapolatedRssMb !== undefined
          ? `; ${m.target} not reached in ${m.budgetS}s: extrapolated ${m.extrapolatedRssMb} MB at ${m.slopeMbPer1000} MB/1000`
          : ''),
      timings: `RSS at rest ${formatSummary(m.rssAtRestMb, 'MB')}`,
      target: `≤ 600 MB at ${m.target}`,
      pass: rss !== undefined ? rss <= 600 : false,
    });
  }
  if (r.evictedLatency) {
    const e = r.evictedLatency;
    out.push({
      id: 4,
      name: 'DLR latency, not cached',
      figure: `published→handled; ${e.cacheMisses} cache misses; cached for comparison ${ms(e.cachedMs)}`,
      timings: ms(e.evictedMs),
      target: 'p99 ≤ 150 ms',
      pass: e.evictedMs ? e.evictedMs.p99 <= 150 : false,
    });
  }
  return out;
}

function coldStartVerdict(c: ColdStartResult): Verdict {
  return {
    id: 5,
    name: 'cold start (start → first poll)',
    figure: `bundling at start ${ms(c.bundleAtStartMs)}`,
    timings: `prebuilt ${ms(c.prebuiltMs)}`,
    target: 'prebuilt p99 ≤ 2 s',
    pass: c.prebuiltMs ? c.prebuiltMs.p99 <= 2000 : false,
  };
}

function historyVerdicts(h: HistoryResult): Verdict[] {
  const out: Verdict[] = [
    {
      id: 6,
      name: 'history size, happy path',
      figure: `${h.happy.events} events, ${h.happy.payloadBytes} B payloads (${h.happy.historyBytes} B history), ${h.happy.workflowTasks} workflow tasks`,
      target: '≤ 20 events, ≤ 8 KB',
      pass: h.happy.events <= 20 && h.happy.payloadBytes <= 8192,
    },
  ];
  if (h.ladder) {
    out.push({
      id: 6,
      name: 'history size, whole ladder',
      figure: `${h.ladder.events} events, ${h.ladder.payloadBytes} B payloads (${h.ladder.historyBytes} B history), ${h.ladder.attempts} attempts (${h.ladder.channels.join(', ')}) ${h.ladder.status}`,
      target: '(reported)',
      pass: null,
    });
  }
  return out;
}

function ingestionVerdict(i: IngestionResult): Verdict {
  return {
    id: 7,
    name: 'ingestion',
    figure:
      `${i.ingesterPerS}/s sustained through SNS/SQS and the ingester vs ${i.plainPerS}/s plain signals = ${i.ratio}×; steps: ` +
      i.steps
        .map((s) => `${s.offeredPerS}/s ${s.kept ? 'kept up' : `fell behind (queue ${s.maxBacklog})`}`)
        .join(', ') +
      `; the SQS/SNS emulator alone sustains ${i.emulator.sustainedPerS}/s` +
      (i.cpuBound
        ? `; CPU-bound ratio ${i.cpuBound.all}×, ${i.cpuBound.withoutStandIns}× without the SQS/SNS emulator and the publisher`
        : ''),
    target: '≥ 0.8 × plain',
    pass: i.ratio >= 0.8,
  };
}

export function verdicts(r: MeasuredResults): Verdict[] {
  return [
    ...(r.throughput ? [throughputVerdict(r.throughput)] : []),
    ...latencyVerdicts(r),
    ...memoryVerdicts(r),
    ...(r.coldStart ? [coldStartVerdict(r.coldStart)] : []),
    ...(r.history ? historyVerdicts(r.history) : []),
    ...(r.ingestion ? [ingestionVerdict(r.ingestion)] : []),
    ...(r.gameday ? gamedayVerdicts(r.gameday) : []),
    ...(r.pacing ? pacingVerdicts(r.pacing) : []),
  ];
}

/** The game day's targets and invariants (src/gameday/targets.ts), one verdict each; n/a figures have none. */
function gamedayVerdicts(g: GamedayResult): Verdict[] {
  return g.targets.map((t) => ({
    id: 8,
    name: `game day ${t.scenario} (route health ${t.mode}): ${t.name}`,
    figure: t.figure,
    target: t.target,
    pass: t.pass,
  }));
}

/** Pacing (issue 14): each paced originator's most sends in 5 s vs its MPS, throttling, OTP time to send. */
function pacingVerdicts(p: PacingResult): Verdict[] {
  const where = `${p.notices} notices + ${p.otps} OTPs, ${p.workers} workers`;
  return [
    ...p.originators.map((o) => ({
      id: 9,
      name: `pacing ${o.originator}: sends per second over any 5 s`,
      figure: `${o.max5sPerS}/s vs ${o.mps} MPS = ${o.ratio.toFixed(2)}× (${o.sends} sends; ${where})`,
      target: '≤ 1.1 × MPS',
      pass: o.sends > 0 && o.ratio <= 1.1,
    })),
    {
      id: 9,
      name: 'pacing: ThrottlingException from the simulator',
      figure: `${p.throttled} (${where})`,
      target: '0',
      pass: p.throttled === 0,
    },
    {
      id: 9,
      name: 'pacing: OTP time to send during the burst',
      figure: `${p.otpTimeToSendMs?.n ?? 0} OTPs (${where})`,
      timings: ms(p.otpTimeToSendMs),
      target: 'p99 ≤ 2 s',
      pass: p.otpTimeToSendMs ? p.otpTimeToSendMs.n === p.otps && p.otpTimeToSendMs.p99 <= 2_000 : false,
    },
  ];
}

export function table(vs: Verdict[]): string {
  const rows = vs.map((v) => [
    String(v.id),
    v.name,
    v.timings ?? '',
    v.target,
    v.pass === null ? '—' : v.pass ? 'PASS' : 'MISS',
    v.figure,
  ]);
  const head = ['#', 'measurement', 'min / median / p99', 'target', 'verdict', 'figures'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (c === 5 ? 0 : r[c].length))));
  const line = (r: string[]) => r.map((cell, c) => (c === 5 ? cell : cell.padEnd(widths[c]))).join('  ');
  return [line(head), line(widths.map((w, c) => '-'.repeat(c === 5 ? 7 : w))), ...rows.map(line)].join('\n');
}
