/**
 * AWS Health events as an EventBridge rule delivers them to an SQS queue (the event JSON is the message body), and
 * which of them route health acts on. Pure: no I/O, never throws.
 *
 * The shape is AWS's: "Reference: AWS Health events Amazon EventBridge schema",
 * https://docs.aws.amazon.com/health/latest/ug/aws-health-events-eventbridge-schema.html - `source: aws.health`,
 * `detail-type: AWS Health Event`, `time` (when EventBridge got it), `region` (where it was delivered, not the
 * Region affected), and `detail` with `eventArn` (the `closed` event of an issue names the same ARN as its `open`
 * one), `service`, `eventTypeCode`, `eventTypeCategory` (`issue`, `accountNotification`, `scheduledChange`,
 * `investigation`: https://docs.aws.amazon.com/health/latest/APIReference/API_Event.html), `statusCode` (`open`,
 * `closed`, `upcoming`), `eventRegion` (the Region affected), `startTime`/`endTime`/`lastUpdatedTime` (the samples
 * on that page write them as RFC 1123 dates, `Fri, 27 Jan 2023 01:13:19 GMT`) and `eventDescription`
 * (`[{ language, latestDescription }]`). Fields AWS adds later are ignored.
 *
 * Route health acts on `issue` events whose `service` is one of the configured codes (see
 * AWS_HEALTH_SMS_SERVICES, ./route-health-config.ts) in a Region of the config's routes; every other AWS Health
 * event is ignored (acknowledged and counted by the ingester). Bodies that are not such an event are malformed.
 */
import { z } from 'zod';

/** The SQS maximum message size; a longer body cannot be an event from EventBridge. */
export const MAX_HEALTH_EVENT_BODY_CHARS = 256 * 1024;
const MAX_DESCRIPTION_CHARS = 1_000;

export const AWS_HEALTH_SOURCE = 'aws.health';
export const AWS_HEALTH_DETAIL_TYPE = 'AWS Health Event';

const dateText = z
  .string()
  .max(64)
  .refine((s) => Number.isFinite(Date.parse(s)), 'not a date');

export const awsHealthEventSchema = z.object({
  version: z.string().max(8).optional(),
  id: z.string().max(128).optional(),
  'detail-type': z.string().min(1).max(128),
  source: z.string().min(1).max(128),
  account: z.string().max(32).optional(),
  time: dateText,
  region: z.string().max(32).optional(),
  resources: z.array(z.string().max(2048)).max(1000).optional(),
  detail: z.object({
    eventArn: z.string().regex(/^arn:aws[a-z-]*:health:[^:]*:[^:]*:event\/.{1,1500}$/, 'not an AWS Health event ARN'),
    service: z.string().min(2).max(30),
    eventTypeCode: z.string().regex(/^[a-zA-Z0-9_-]{3,100}$/, 'not an event type code'),
    eventTypeCategory: z.string().min(3).max(255),
    statusCode: z.enum(['open', 'closed', 'upcoming']),
    eventRegion: z.string().max(32).optional(),
    startTime: dateText.optional(),
    endTime: dateText.optional(),
    lastUpdatedTime: dateText.optional(),
    eventDescription: z
      .array(z.object({ language: z.string().max(16).optional(), latestDescription: z.string().optional() }))
      .max(20)
      .optional(),
  }),
});
export type AwsHealthEvent = z.infer<typeof awsHealthEventSchema>;

/** What the routeHealth workflow gets (the `awsHealthEvent` signal, src/workflows/route-health-definitions.ts). */
export interface AwsHealthSignalPayload {
  eventArn: string;
  region: string;
  eventTypeCode: string;
  statusCode: 'open' | 'closed' | 'upcoming';
  at: number;
  description?: string;
}

/**
 * - `health`: an AWS Health event;
 * - `other`: a well-formed EventBridge event that is not one (another `source` or `detail-type`);
 * - `malformed`: anything else (not JSON, not an event, an AWS Health event without its fields).
 */
export type AwsHealthParseResult =
  { kind: 'health'; event: AwsHealthEvent } | { kind: 'other'; why: string } | { kind: 'malformed'; error: string };

/** The body as an AWS Health event, or what else it is (the error never quotes the body). */
export function parseAwsHealthEventBody(body: string): AwsHealthParseResult {
  if (body.length > MAX_HEALTH_EVENT_BODY_CHARS) {
    return { kind: 'malformed', error: `body longer than ${MAX_HEALTH_EVENT_BODY_CHARS} characters` };
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { kind: 'malformed', error: 'body is not JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { kind: 'malformed', error: 'body is not a JSON object' };
  }
  const { source, 'detail-type': detailType } = json as { source?: unknown; 'detail-type'?: unknown };
  if (typeof source !== 'string' || typeof detailType !== 'string') {
    return { kind: 'malformed', error: 'not an EventBridge event (no source or detail-type)' };
  }
  if (source !== AWS_HEALTH_SOURCE || detailType !== AWS_HEALTH_DETAIL_TYPE) {
    return { kind: 'other', why: `${source.slice(0, 64)} / ${detailType.slice(0, 64)}` };
  }
  const parsed = awsHealthEventSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'malformed', error: `AWS Health event without a valid ${issue.path.join('.')}: ${issue.message}` };
  }
  return { kind: 'health', event: parsed.data };
}

/** The Region an event is about: `detail.eventRegion`, else the Region in its ARN. */
export function affectedRegion(event: AwsHealthEvent): string {
  return event.detail.eventRegion || event.detail.eventArn.split(':')[3] || '';
}

export type HealthEventVerdict = { act: true; signal: AwsHealthSignalPayload } | { act: false; why: string };

/** Whether route health acts on the event, and the signal it then sends. */
export function healthEventVerdict(
  event: AwsHealthEvent,
  scope: { services: readonly string[]; regions: ReadonlySet<string> },
): HealthEventVerdict {
  const { detail } = event;
  if (!scope.services.includes(detail.service)) return { act: false, why: `service ${detail.service}` };
  if (detail.eventTypeCategory !== 'issue') return { act: false, why: `category ${detail.eventTypeCategory}` };
  const region = affectedRegion(event);
  if (!scope.regions.has(region)) return { act: false, why: `Region ${region || '(none)'} is not one of the routes'` };
  const updated = detail.lastUpdatedTime ?? detail.endTime ?? detail.startTime ?? event.time;
  const description =
    detail.eventDescription?.find((d) => d.language === 'en_US')?.latestDescription ??
    detail.eventDescription?.[0]?.latestDescription;
  return {
    act: true,
    signal: {
      eventArn: detail.eventArn,
      region,
      eventTypeCode: detail.eventTypeCode,
      statusCode: detail.statusCode,
      at: Date.parse(updated),
      ...(description ? { description: description.slice(0, MAX_DESCRIPTION_CHARS) } : {}),
    },
  };
}
