/**
 * The activity logger when running inside an activity (worker or MockActivityEnvironment), a no-op otherwise
 * (an activity function called directly from a unit test). Callers never pass phone numbers or message bodies.
 */
import { Context } from '@temporalio/activity';

type Meta = Record<string, unknown>;

function current(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

export const activityLog = {
  debug(message: string, meta?: Meta): void {
    current()?.log.debug(message, meta);
  },
  info(message: string, meta?: Meta): void {
    current()?.log.info(message, meta);
  },
  warn(message: string, meta?: Meta): void {
    current()?.log.warn(message, meta);
  },
  error(message: string, meta?: Meta): void {
    current()?.log.error(message, meta);
  },
};
