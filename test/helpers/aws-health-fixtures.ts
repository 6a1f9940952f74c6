/**
 * AWS Health events in the shape EventBridge delivers them to an SQS target, after the sample payloads of
 * https://docs.aws.amazon.com/health/latest/ug/aws-health-events-eventbridge-schema.html (an `issue` of a service in
 * one Region, `open` then `closed` with the same `eventArn`), with End User Messaging SMS as the service.
 */
export const HEALTH_EVENT_ARN =
  'arn:aws:health:us-east-1::event/SMS/AWS_SMS_OPERATIONAL_ISSUE/AWS_SMS_OPERATIONAL_ISSUE_7f35c8ae-af1f-54e6-a526-d0179ed6d68f';

export function healthEvent(
  overrides: {
    service?: string;
    eventTypeCategory?: string;
    statusCode?: string;
    eventRegion?: string;
    source?: string;
    detailType?: string;
    eventArn?: string;
  } = {},
): Record<string, unknown> {
  const statusCode = overrides.statusCode ?? 'open';
  const service = overrides.service ?? 'SMS';
  const region = overrides.eventRegion ?? 'us-east-1';
  return {
    version: '0',
    id: '7bf73129-1428-4cd3-a780-95db273d1602',
    'detail-type': overrides.detailType ?? 'AWS Health Event',
    source: overrides.source ?? 'aws.health',
    account: '123456789012',
    time: '2026-11-30T10:42:07Z',
    region,
    resources: [],
    detail: {
      eventArn: overrides.eventArn ?? HEALTH_EVENT_ARN.replace('us-east-1', region).replace('/SMS/', `/${service}/`),
      service,
      eventTypeCode: `AWS_${service}_OPERATIONAL_ISSUE`,
      eventTypeCategory: overrides.eventTypeCategory ?? 'issue',
      eventScopeCode: 'PUBLIC',
      communicationId: '01b0993207d81a09dcd552ebd1e633e36cf1f09a-1',
      startTime: 'Mon, 30 Nov 2026 10:40:00 GMT',
      ...(statusCode === 'closed' ? { endTime: 'Mon, 30 Nov 2026 11:30:00 GMT' } : {}),
      lastUpdatedTime: statusCode === 'closed' ? 'Mon, 30 Nov 2026 11:30:00 GMT' : 'Mon, 30 Nov 2026 10:42:07 GMT',
      statusCode,
      eventRegion: region,
      eventDescription: [
        {
          language: 'en_US',
          latestDescription: 'We are investigating increased error rates for SMS sends in the US-EAST-1 Region.',
        },
      ],
      page: '1',
      totalPages: '1',
      affectedAccount: '123456789012',
    },
  };
}
