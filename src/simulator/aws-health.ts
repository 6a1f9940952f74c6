/**
 * `POST /_sim/aws-health`: publishes an AWS Health event, in the shape an EventBridge rule delivers to an SQS target
 * (https://docs.aws.amazon.com/health/latest/ug/aws-health-events-eventbridge-schema.html, the event JSON as the
 * message body), to the config's `routeHealth.healthEvents` queue, so that a rehearsal can play what AWS would
 * announce during an End User Messaging outage. Only an emulator queue (one with an `endpoint`) is ever written to.
 *
 * Body (every field optional):
 * `{ "region": "us-east-1", "status": "open" | "closed" | "upcoming", "service": "SMS", "category": "issue",
 *    "id": "outage-1", "description": "..." }`
 * `region` defaults to the first route's, `service` to the first of `healthEvents.services`, `category` to `issue`.
 * The event ARN is `arn:aws:health:<region>::event/<service>/AWS_<service>_OPERATIONAL_ISSUE/..._<id>` (id default
 * `sim-<region>`), so a `closed` event with the same region, service and id closes the `open` one.
 * Answers `201 { published: true, queueUrl, event }`; `409` when no queue is configured; `502` when SQS fails.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { z } from 'zod';
import type { Config } from '../domain/config';
import { parseOrThrow } from '../domain/errors';
import { EMULATOR_CREDENTIALS } from '../tools/provision-emulator';
import { HttpError, sendJson, type Route } from './http';
import type { Emit } from './log';

export const AWS_HEALTH_PATH = '/_sim/aws-health';

const requestSchema = z
  .object({
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS Region such as us-east-1')
      .optional(),
    status: z.enum(['open', 'closed', 'upcoming']).default('open'),
    service: z
      .string()
      .regex(/^[^:/]{2,30}$/, 'an AWS Health service code')
      .optional(),
    category: z.enum(['issue', 'accountNotification', 'scheduledChange', 'investigation']).default('issue'),
    id: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - (at most 64)')
      .optional(),
    description: z.string().max(1000).optional(),
  })
  .strict();
export type AwsHealthRequest = z.input<typeof requestSchema>;

/** RFC 1123, as the sample payloads write `startTime`, `endTime` and `lastUpdatedTime`. */
function rfc1123(ms: number): string {
  return new Date(ms).toUTCString();
}

/** An AWS Health event as EventBridge delivers it. */
export function simulatedHealthEvent(config: Config, request: AwsHealthRequest, now = Date.now()) {
  const r = parseOrThrow(requestSchema, request, 'AWS Health event request');
  const region = r.region ?? config.routes[0]?.region ?? 'us-east-1';
  const services = config.routeHealth?.healthEvents?.services;
  const service = r.service ?? services?.[0] ?? 'SMS';
  const code = `AWS_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_OPERATIONAL_ISSUE`;
  const id = r.id ?? `sim-${region}`;
  const account = config.accounts[config.routeHealth?.healthEvents?.account ?? '']?.accountId ?? '123456789012';
  const time = new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS Health Event',
    source: 'aws.health',
    account,
    time,
    region,
    resources: [] as string[],
    detail: {
      eventArn: `arn:aws:health:${region}::event/${service}/${code}/${code}_${id}`,
      service,
      eventTypeCode: code,
      eventTypeCategory: r.category,
      eventScopeCode: 'PUBLIC',
      startTime: rfc1123(now),
      ...(r.status === 'closed' ? { endTime: rfc1123(now) } : {}),
      lastUpdatedTime: rfc1123(now),
      statusCode: r.status,
      eventRegion: region,
      eventDescription: [
        {
          language: 'en_US',
          latestDescription:
            r.description ??
            (r.status === 'closed'
              ? `The issue with ${service} in ${region} has been resolved. (simulated)`
              : `We are investigating increased error rates for ${service} in ${region}. (simulated)`),
        },
      ],
    },
  };
}

/** The route of `POST /_sim/aws-health` (before the admin API, which lists it). */
export function awsHealthRoute(config: Config, emit: Emit): Route & { destroy(): void } {
  let sqs: SQSClient | undefined;
  async function handle(req: IncomingMessage, res: ServerResponse, _url: URL, raw: string): Promise<void> {
    if (req.method !== 'POST')
      throw new HttpError(405, `${req.method} not allowed on ${AWS_HEALTH_PATH} (allowed: POST)`);
    const queue = config.routeHealth?.healthEvents;
    if (!queue) throw new HttpError(409, 'no routeHealth.healthEvents queue in the config: nowhere to publish');
    if (!queue.endpoint) {
      throw new HttpError(409, 'routeHealth.healthEvents has no endpoint: the simulator only publishes to an emulator');
    }
    let body: unknown = {};
    if (raw.trim() !== '') {
      try {
        body = JSON.parse(raw);
      } catch (err) {
        throw new HttpError(400, `body is not valid JSON: ${(err as Error).message}`);
      }
    }
    const event = simulatedHealthEvent(config, body as AwsHealthRequest);
    sqs ??= new SQSClient({
      region: queue.region,
      endpoint: queue.endpoint,
      credentials: EMULATOR_CREDENTIALS,
      maxAttempts: 2,
      requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000, requestTimeout: 5_000 }),
    });
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: JSON.stringify(event) }));
    } catch (err) {
      throw new HttpError(502, `SQS SendMessage failed: ${(err as Error).name}: ${(err as Error).message}`);
    }
    const { eventArn, statusCode, eventRegion } = event.detail;
    emit('info', 'AWS Health event published', { eventArn, statusCode, region: eventRegion });
    sendJson(res, 201, { published: true, queueUrl: queue.queueUrl, event });
  }
  return {
    matches: (_req, url) => url.pathname === AWS_HEALTH_PATH,
    handle,
    destroy: () => sqs?.destroy(),
  };
}
