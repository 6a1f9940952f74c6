/**
 * The ingester's logs: JSON lines on stderr (`{"time","level","msg",...fields}`), never a body or a phone number.
 * Its own small logger rather than the Temporal Runtime's (src/observability/logger.ts): the lines carry no
 * process name or pid, and the ingester runs no native Worker or connection.
 */
import { readEnvironment } from '../config/environment';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type IngesterLog = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** JSON lines on stderr, from `minLevel` (debug | info | warn | error; anything else: info) up. */
export function jsonLinesLog(minLevel: string | undefined): IngesterLog {
  const min = LEVELS[(minLevel ?? 'info').toLowerCase() as LogLevel] ?? LEVELS.info;
  return (level, msg, fields = {}) => {
    if (LEVELS[level] < min) return;
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
  };
}

/** JSON lines on stderr, from $LOG_LEVEL (as it is when the line is written; default info) up. */
export const defaultLog: IngesterLog = (level, msg, fields) =>
  jsonLinesLog(readEnvironment().logLevel)(level, msg, fields);

/** One line for a log: the error's name and message, capped. */
export function errorSummary(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
