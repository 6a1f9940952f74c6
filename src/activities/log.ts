/**
 * The activity logger when running inside an activity (worker or MockActivityEnvironment), a no-op otherwise
 * (an activity function called directly from a unit test). Callers never pass phone numbers or message bodies.
 */
import { Context } from '@temporalio/activity';
import type { RouteRef } from '../domain/sending';

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

/** The log fields that name an End User Messaging route (never personal data). */
export function routeMeta(route: RouteRef): Meta {
  return { routeId: route.id, account: route.account, region: route.region };
}
