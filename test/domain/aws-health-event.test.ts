/**
 * AWS Health events as EventBridge delivers them (real-shape fixtures): an open and a closed issue of End User
 * Messaging SMS in a Region of the routes are signalled; another service, another category, another Region or
 * another source are ignored; malformed bodies are refused with an error that names the problem.
 */
import {
  healthEventVerdict,
  parseAwsHealthEventBody,
  type AwsHealthEvent,
  type HealthEventVerdict,
} from '../../src/domain/aws-health-event';
import { AWS_HEALTH_SMS_SERVICES, routeHealthSchema } from '../../src/domain/route-health-config';
import { HEALTH_EVENT_ARN, healthEvent } from '../helpers/aws-health-fixtures';

const SCOPE = { services: AWS_HEALTH_SMS_SERVICES, regions: new Set(['us-east-1', 'us-west-2']) };

function parse(body: unknown): AwsHealthEvent {
  const r = parseAwsHealthEventBody(typeof body === 'string' ? body : JSON.stringify(body));
  if (r.kind !== 'health') throw new Error(`expected an AWS Health event, got ${JSON.stringify(r)}`);
  return r.event;
}

function verdict(body: Record<string, unknown>): HealthEventVerdict {
  return healthEventVerdict(parse(body), SCOPE);
}

describe('AWS Health events', () => {
  it('signals an open issue of End User Messaging SMS in a Region of the routes', () => {
    expect(verdict(healthEvent())).toEqual({
      act: true,
      signal: {
        eventArn: HEALTH_EVENT_ARN,
        region: 'us-east-1',
        eventTypeCode: 'AWS_SMS_OPERATIONAL_ISSUE',
        statusCode: 'open',
        at: Date.parse('2026-11-30T10:42:07Z'),
        description: 'We are investigating increased error rates for SMS sends in the US-EAST-1 Region.',
      },
    });
  });

  it('signals the closed event with the same ARN, at its last update', () => {
    const v = verdict(healthEvent({ statusCode: 'closed' }));
    expect(v).toMatchObject({
      act: true,
      signal: { eventArn: HEALTH_EVENT_ARN, statusCode: 'closed', at: Date.parse('2026-11-30T11:30:00Z') },
    });
  });

  it('takes the Region from the event ARN when eventRegion is absent', () => {
    const body = healthEvent({ eventRegion: 'us-west-2' });
    delete (body.detail as Record<string, unknown>).eventRegion;
    expect(verdict(body)).toMatchObject({ act: true, signal: { region: 'us-west-2' } });
  });

  it.each([
    ['another service', healthEvent({ service: 'EC2' }), 'service EC2'],
    ['another category', healthEvent({ eventTypeCategory: 'scheduledChange' }), 'category scheduledChange'],
    ['another Region', healthEvent({ eventRegion: 'eu-west-1' }), "Region eu-west-1 is not one of the routes'"],
  ])('ignores %s', (_what, body, why) => {
    expect(verdict(body)).toEqual({ act: false, why });
  });

  it('tells another EventBridge event apart from a malformed body', () => {
    const ec2 = { ...healthEvent(), source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification' };
    expect(parseAwsHealthEventBody(JSON.stringify(ec2))).toEqual({
      kind: 'other',
      why: 'aws.ec2 / EC2 Instance State-change Notification',
    });
    const abuse = healthEvent({ detailType: 'AWS Health Abuse Event' });
    expect(parseAwsHealthEventBody(JSON.stringify(abuse)).kind).toBe('other');
  });

  it.each([
    ['not JSON', '{"detail":', 'body is not JSON'],
    ['a JSON array', '[1,2]', 'body is not a JSON object'],
    ['no source', JSON.stringify({ detail: {} }), 'not an EventBridge event (no source or detail-type)'],
    [
      'no eventArn',
      JSON.stringify({ ...healthEvent(), detail: { ...(healthEvent().detail as object), eventArn: undefined } }),
      'AWS Health event without a valid detail.eventArn',
    ],
    [
      'an unknown statusCode',
      JSON.stringify(healthEvent({ statusCode: 'resolved' })),
      'AWS Health event without a valid detail.statusCode',
    ],
    [
      'a bad time',
      JSON.stringify({ ...healthEvent(), time: 'yesterday' }),
      'AWS Health event without a valid time: not a date',
    ],
    ['an oversized body', 'x'.repeat(256 * 1024 + 1), 'body longer than 262144 characters'],
  ])('refuses %s', (_what, body, error) => {
    const r = parseAwsHealthEventBody(body);
    expect(r.kind).toBe('malformed');
    expect((r as { error: string }).error).toContain(error);
  });

  it('uses the configured service codes, SMS and PINPOINT by default', () => {
    const queue = { account: 'a', region: 'us-east-1', queueUrl: 'http://127.0.0.1:1/1/q' };
    expect(routeHealthSchema.parse({ healthEvents: queue }).healthEvents?.services).toEqual(['SMS', 'PINPOINT']);
    const services = routeHealthSchema.parse({ healthEvents: { ...queue, services: ['EUM'] } }).healthEvents!.services;
    expect(healthEventVerdict(parse(healthEvent({ service: 'EUM' })), { ...SCOPE, services })).toMatchObject({
      act: true,
    });
    expect(() => routeHealthSchema.parse({ healthEvents: { ...queue, services: ['a/b'] } })).toThrow(
      'an AWS Health service code',
    );
  });
});
