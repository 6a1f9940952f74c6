/**
 * A Worker activity inbound interceptor that counts every send: by channel, route (`account/Region`),
 * outcome and - for failures - the classified scope and reason that travel in the `SendFailure`'s
 * `details[0]`. Sends after a message's first attempt also count as failovers by their escalation level.
 *
 *   Worker.create({ ..., interceptors: { activity: [activityMetricsInterceptor()] } })
 *
 * The activities themselves know nothing about metrics. The counters are created on the activity's
 * `metricMeter`, which the Temporal Runtime exports (Prometheus) with the SDK's own metrics and tags with
 * namespace, task queue and activity type. Nothing personal is read: not the destination, not the body.
 */
import type { Context as ActivityContext } from '@temporalio/activity';
import { ApplicationFailure, type MetricMeter } from '@temporalio/common';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import type { ClassifiedFailure } from '../domain/outcome';
import { SEND_FAILURE_TYPE } from '../domain/sending';
import { createSendMetrics, tags, type SendMetrics } from './metrics';

/** The send activities and the channel each one uses (the alternate channels name it in `target.channel`). */
export const SEND_ACTIVITIES: Readonly<Record<string, string | undefined>> = {
  sendSms: 'sms',
  sendVoice: 'voice',
  sendWhatsApp: undefined,
  sendEmail: undefined,
  sendPush: undefined,
};

export type SendOutcome = 'accepted' | 'failed' | 'ambiguous' | 'error';

/** The non-personal facts of one send activity input. */
export interface SendFacts {
  channel: string;
  route: string;
  attempt?: number;
  level?: string;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
}

/** Reads channel, route, attempt and level from a send input (`route` for SMS/voice, `target` for the others). */
export function sendFacts(activityType: string, input: unknown): SendFacts | undefined {
  if (!(activityType in SEND_ACTIVITIES)) return undefined;
  const i = obj(input);
  const where = obj(i?.route) ?? obj(i?.target);
  const channel = SEND_ACTIVITIES[activityType] ?? (typeof where?.channel === 'string' ? where.channel : 'unknown');
  const route =
    typeof where?.account === 'string' && typeof where?.region === 'string'
      ? `${where.account}/${where.region}`
      : 'unknown';
  return {
    channel,
    route,
    attempt: typeof i?.attempt === 'number' ? i.attempt : undefined,
    level: typeof i?.level === 'string' ? i.level : undefined,
  };
}

/** The classification carried by a `SendFailure`, if the error is one. */
export function classifiedFailureOf(err: unknown): ClassifiedFailure | undefined {
  if (!(err instanceof ApplicationFailure) || err.type !== SEND_FAILURE_TYPE) return undefined;
  const d = obj(err.details?.[0]);
  return d && typeof d.scope === 'string' ? (d as unknown as ClassifiedFailure) : undefined;
}

export function outcomeOf(err: unknown): { outcome: SendOutcome; scope?: string; reason?: string } {
  const failure = classifiedFailureOf(err);
  if (!failure) return { outcome: 'error', scope: 'unclassified', reason: err instanceof Error ? err.name : 'unknown' };
  return { outcome: failure.ambiguous ? 'ambiguous' : 'failed', scope: failure.scope, reason: failure.reason };
}

/** Records one finished send on the metrics. Exported for tests. */
export function recordSend(
  metrics: SendMetrics,
  facts: SendFacts,
  result: { outcome: SendOutcome; scope?: string; reason?: string },
  seconds: number,
): void {
  const level = facts.level ?? (facts.attempt === 1 ? 'initial' : undefined);
  metrics.sends.add(
    1,
    tags({
      channel: facts.channel,
      route: facts.route,
      outcome: result.outcome,
      scope: result.scope ?? 'none',
      reason: result.reason ?? 'none',
      level: level ?? 'unknown',
    }),
  );
  metrics.sendDuration.record(
    Math.max(0, seconds),
    tags({ channel: facts.channel, route: facts.route, outcome: result.outcome }),
  );
  if (facts.attempt !== undefined && facts.attempt > 1 && level !== 'initial') {
    metrics.failovers.add(1, tags({ channel: facts.channel, level: level ?? 'unknown' }));
  }
}

export interface ActivityMetricsOptions {
  /** The meter to create the metrics on; default: each activity's own `metricMeter`. */
  meter?: MetricMeter;
  /** Clock in ms (tests). */
  now?: () => number;
}

/** The interceptor factory to put in `WorkerOptions.interceptors.activity`. */
export function activityMetricsInterceptor(opts: ActivityMetricsOptions = {}): ActivityInterceptorsFactory {
  const now = opts.now ?? (() => performance.now());
  // Metric handles are cheap to create but there is no need to do it per activity when the meter is shared.
  const shared = opts.meter ? createSendMetrics(opts.meter) : undefined;
  return (ctx: ActivityContext) => {
    const inbound: ActivityInboundCallsInterceptor = {
      async execute(input, next) {
        const facts = sendFacts(ctx.info.activityType, input.args[0]);
        if (!facts) return next(input);
        const metrics = shared ?? createSendMetrics(ctx.metricMeter);
        const started = now();
        try {
          const result = await next(input);
          safely(() => recordSend(metrics, facts, { outcome: 'accepted' }, (now() - started) / 1000));
          return result;
        } catch (err) {
          safely(() => recordSend(metrics, facts, outcomeOf(err), (now() - started) / 1000));
          throw err;
        }
      },
    };
    return { inbound };
  };
}

/** Metrics must never change what an activity returns or throws. */
function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // ignored: a metrics problem is not a delivery problem
  }
}
