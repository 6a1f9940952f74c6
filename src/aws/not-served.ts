/**
 * The failures of a send this worker's config cannot serve (a route or channel target planned with another
 * config): `config` scope, not retried here, carried like any classified send failure.
 */
import type { ApplicationFailure } from '@temporalio/common';
import { failure, type ClassifiedFailure } from '../domain/outcome';
import { sendFailure, type ChannelTarget, type RouteRef } from '../domain/sending';

/** The classified failure of a channel target this worker cannot serve. */
export function channelNotConfigured(target: ChannelTarget, why: string): ClassifiedFailure {
  return failure('config', 'CHANNEL_NOT_CONFIGURED', `${target.channel} (${target.account}/${target.region}) ${why}`);
}

/** Thrown by a channel resolver for a target outside this worker's `channels` section. */
export function channelNotServed(target: ChannelTarget, why: string): ApplicationFailure {
  return sendFailure(channelNotConfigured(target, why));
}

/** Thrown by the SMS registry for a route that is not in this worker's config. */
export function unknownRoute(ref: RouteRef): ApplicationFailure {
  return sendFailure(
    failure('config', 'UNKNOWN_ROUTE', `route ${ref.id} is not configured on this worker`),
    `route ${ref.id} (${ref.account}/${ref.region}) is not in this worker's config`,
  );
}
