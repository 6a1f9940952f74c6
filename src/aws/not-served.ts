/**
 * The failures of a send this worker's config cannot serve (a route or channel target planned with another
 * config): `config` scope, not retried here, carried like any classified send failure.
 */
import { ApplicationFailure } from '@temporalio/common';
import { SEND_FAILURE_TYPE, type ChannelTarget, type RouteRef } from '../domain/sending';

/** The classified failure of a channel target this worker cannot serve. */
export function channelNotConfigured(target: ChannelTarget, why: string) {
  return {
    scope: 'config' as const,
    reason: 'CHANNEL_NOT_CONFIGURED',
    message: `${target.channel} (${target.account}/${target.region}) ${why}`,
    retryable: false,
    ambiguous: false,
  };
}

/** Thrown by a channel resolver for a target outside this worker's `channels` section. */
export function channelNotServed(target: ChannelTarget, why: string): ApplicationFailure {
  const classified = channelNotConfigured(target, why);
  return ApplicationFailure.create({
    type: SEND_FAILURE_TYPE,
    nonRetryable: true,
    message: classified.message,
    details: [classified],
  });
}

/** Thrown by the SMS registry for a route that is not in this worker's config. */
export function unknownRoute(ref: RouteRef): ApplicationFailure {
  return ApplicationFailure.create({
    type: SEND_FAILURE_TYPE,
    nonRetryable: true,
    message: `route ${ref.id} (${ref.account}/${ref.region}) is not in this worker's config`,
    details: [
      {
        scope: 'config',
        reason: 'UNKNOWN_ROUTE',
        message: `route ${ref.id} is not configured on this worker`,
        retryable: false,
        ambiguous: false,
      },
    ],
  });
}
