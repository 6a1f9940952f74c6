/** The simulator's structured log: one line per request, delivery event and admin change; never message bodies. */

export type SimulatorLog = (line: Record<string, unknown>) => void;

export type LogLevel = 'info' | 'warn' | 'error';

/** Writes one line of the simulator's log. */
export type Emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

/** Stamps each line with time, level and `component: simulator`; a sink that throws is ignored. */
export function createEmit(log: SimulatorLog): Emit {
  return (level, msg, fields = {}) => {
    try {
      log({ time: new Date().toISOString(), level, component: 'simulator', msg, ...fields });
    } catch {
      // a broken log sink must not break the simulator
    }
  };
}
