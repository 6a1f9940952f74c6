/**
 * Structured logs: one JSON object per line on stderr, the same shape the DLR ingester writes
 * (`{"time","level","msg",...fields}`), plus the process name. Used as the Temporal Runtime's logger, so
 * the SDK's own messages, workflow logs (`log.info` in workflow code: `workflowId`, `runId`, `workflowType`
 * in their meta) and activity logs (`workflowId`, `activityType`, `attempt`) all come out the same way.
 *
 * Never personal data: our code does not log numbers or bodies, and as a second line of defence every
 * string that looks like an E.164 phone number is masked (`+1425*****56`) before it is written.
 */
import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';
import { readEnvironment } from '../config/environment';
import { maskPhone } from '../domain/privacy';

export const LOG_LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

const PHONE = /\+\d{7,15}\b/g;

/** Masks every E.164-looking number in a string. */
export function maskPhones(s: string): string {
  return s.replace(PHONE, (m) => maskPhone(m));
}

function sanitize(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPhones(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) {
    return { name: value.name, message: maskPhones(value.message), ...('type' in value ? { type: value.type } : {}) };
  }
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => sanitize(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = sanitize(v, depth + 1);
  return out;
}

/** Meta the SDK adds that helps no one reading a log (an opaque, long activity task token). */
const DROPPED_META = new Set(['taskToken']);

/** One log line (without the newline). */
export function formatLogLine(entry: LogEntry, fields: Record<string, unknown> = {}): string {
  const ms = Number(entry.timestampNanos / 1_000_000n);
  const line: Record<string, unknown> = {
    time: new Date(ms).toISOString(),
    level: entry.level.toLowerCase(),
    msg: maskPhones(entry.message),
    ...fields,
  };
  for (const [k, v] of Object.entries(entry.meta ?? {})) {
    if (DROPPED_META.has(k) || v === undefined) continue;
    // A field named like ours (a workflow logging its escalation `level`) keeps its value under another name.
    line[k in line ? `meta_${k}` : k] = sanitize(v);
  }
  return JSON.stringify(line);
}

export function logLevelFrom(value: string | undefined, fallback: LogLevel = 'INFO'): LogLevel {
  const v = (value ?? '').toUpperCase();
  return (LOG_LEVELS as readonly string[]).includes(v) ? (v as LogLevel) : fallback;
}

export interface JsonLoggerOptions {
  /** Added to every line, e.g. `{ process: 'worker' }`. */
  fields?: Record<string, unknown>;
  /** Default: $LOG_LEVEL, else INFO. */
  level?: LogLevel;
  /** Default: stderr. */
  write?: (line: string) => void;
}

/** A Temporal `Logger` writing JSON lines. */
export function jsonLogger(opts: JsonLoggerOptions = {}): DefaultLogger {
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  return new DefaultLogger(opts.level ?? logLevelFrom(readEnvironment().logLevel), (entry) => {
    try {
      write(formatLogLine(entry, opts.fields));
    } catch {
      // never let logging break the process
    }
  });
}
