/**
 * Where the CPU goes: per-process CPU time from /proc/<pid>/stat (utime + stime) and resident memory from
 * /proc/<pid>/status (VmRSS), plus the whole machine's busy time from /proc/stat (other programs included:
 * benchmarks on a shared 2-core machine compete with everything else that runs).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU time (user + system) a process has used, ms; undefined when it is gone or /proc is not there. */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is field 3; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/** Resident set size, MB (VmRSS). */
export function rssMb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Busy and total CPU time of the whole machine so far, ms (all cores summed). */
export function machineCpuMs(): { busy: number; total: number } | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    const k = 1000 / ticksPerSecond();
    return { busy: (total - idle) * k, total: total * k };
  } catch {
    return undefined;
  }
}

export interface CpuSnapshot {
  at: number;
  byProcess: Record<string, number | undefined>;
  machine?: { busy: number; total: number };
}

/** CPU used so far by each named process (`bench` = this process). */
export function cpuSnapshot(pids: Record<string, number | undefined>): CpuSnapshot {
  const byProcess: Record<string, number | undefined> = {};
  for (const [name, pid] of Object.entries(pids)) byProcess[name] = pid === undefined ? undefined : cpuMs(pid);
  const self = process.cpuUsage();
  byProcess.bench = (self.user + self.system) / 1000;
  return { at: Date.now(), byProcess, machine: machineCpuMs() };
}

export interface CpuReport {
  /** CPU ms per unit of work, by process. */
  perUnitMs: Record<string, number>;
  /** Sum over our processes. */
  totalPerUnitMs: number;
  /** Machine-wide busy share during the window (all programs), % of all cores. */
  machineBusyPct?: number;
  /** Share of the machine's busy time not spent in our processes (other programs), %. */
  othersPct?: number;
}

export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot, units: number): CpuReport {
  const perUnitMs: Record<string, number> = {};
  let sum = 0;
  for (const [name, before] of Object.entries(a.byProcess)) {
    const after = b.byProcess[name];
    if (before === undefined || after === undefined || units <= 0) continue;
    const v = (after - before) / units;
    perUnitMs[name] = Math.round(v * 10) / 10;
    sum += after - before;
  }
  const report: CpuReport = { perUnitMs, totalPerUnitMs: units > 0 ? Math.round((sum / units) * 10) / 10 : 0 };
  if (a.machine && b.machine) {
    const busy = b.machine.busy - a.machine.busy;
    const total = b.machine.total - a.machine.total;
    if (total > 0) {
      report.machineBusyPct = Math.round((busy / total) * 1000) / 10;
      report.othersPct = busy > 0 ? Math.round(Math.max(0, (busy - sum) / busy) * 1000) / 10 : 0;
    }
  }
  return report;
}

/** Like cpuBetween, over several windows (pauses between them excluded). */
export function cpuBetweenAll(windows: [CpuSnapshot, CpuSnapshot][], units: number): CpuReport {
  const zero = (): CpuSnapshot => ({ at: 0, byProcess: {}, machine: { busy: 0, total: 0 } });
  const a = zero();
  const b = zero();
  for (const [before, after] of windows) {
    for (const [name, v] of Object.entries(before.byProcess)) {
      const w = after.byProcess[name];
      if (v === undefined || w === undefined) continue;
      a.byProcess[name] = 0;
      b.byProcess[name] = (b.byProcess[name] ?? 0) + (w - v);
    }
    if (before.machine && after.machine && a.machine && b.machine) {
      b.machine.busy += after.machine.busy - before.machine.busy;
      b.machine.total += after.machine.total - before.machine.total;
    }
  }
  return cpuBetween(a, b, units);
}
