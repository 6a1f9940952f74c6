/** The logger route health writes to: the worker's (the Temporal Runtime's JSON logger) or the ingester's. */
export type HealthLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type HealthLog = (level: HealthLogLevel, msg: string, fields?: Record<string, unknown>) => void;

/** A `HealthLog` over a Temporal-style logger (`Runtime.instance().logger`). */
export function healthLogOf(logger: {
  debug(msg: string, meta?: Record<string, unknown>): void;
  info(msg: string, meta?: Record<string, unknown>): void;
  warn(msg: string, meta?: Record<string, unknown>): void;
  error(msg: string, meta?: Record<string, unknown>): void;
}): HealthLog {
  return (level, msg, fields) => logger[level](msg, fields);
}
