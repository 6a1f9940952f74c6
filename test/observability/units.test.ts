/**
 * Observability building blocks without services: the send-metrics interceptor over a recording meter, the
 * DLR recorder, label hygiene, the JSON log line, and the DLQ lookup of the gauge poller.
 */
import { ApplicationFailure, type MetricMeter, type MetricTags } from '@temporalio/common';
import type { Context as ActivityContext } from '@temporalio/activity';
import type { LogEntry } from '@temporalio/worker';
import { sendFailure } from '../../src/activities/sms';
import { classifySendError } from '../../src/domain/outcome';
import { activityMetricsInterceptor, outcomeOf, sendFacts } from '../../src/observability/activity-metrics';
import { dlrMetricsRecorder } from '../../src/observability/dlr-metrics';
import {
  conventionalDlqUrl,
  dlqUrlFromRedrivePolicy,
  IN_FLIGHT_QUERY,
  startGaugePoller,
} from '../../src/observability/gauges';
import { formatLogLine, maskPhones } from '../../src/observability/logger';
import { createGaugeMetrics, safeLabel } from '../../src/observability/metrics';
import { configSchema } from '../../src/domain/config';

interface Recorded {
  metric: string;
  kind: string;
  value: number;
  tags: MetricTags;
}

/** A MetricMeter that records every value with its tags. */
function recordingMeter(): { meter: MetricMeter; records: Recorded[] } {
  const records: Recorded[] = [];
  interface Fake {
    name: string;
    kind: string;
    valueType: 'int';
    add(value: number, extra?: MetricTags): void;
    record(value: number, extra?: MetricTags): void;
    set(value: number, extra?: MetricTags): void;
    withTags(t: MetricTags): Fake;
  }
  const make = (name: string, kind: string, base: MetricTags = {}): Fake => {
    const push = (value: number, extra: MetricTags = {}) =>
      void records.push({ metric: name, kind, value, tags: { ...base, ...extra } });
    return {
      name,
      kind,
      valueType: 'int',
      add: push,
      record: push,
      set: push,
      withTags: (t: MetricTags) => make(name, kind, { ...base, ...t }),
    };
  };
  const meter = {
    createCounter: (name: string) => make(name, 'counter'),
    createHistogram: (name: string) => make(name, 'histogram'),
    createGauge: (name: string) => make(name, 'gauge'),
    withTags: (): MetricMeter => meter,
  } as unknown as MetricMeter;
  return { meter, records };
}

const ROUTE = { id: 'primary-use1', account: 'primary', region: 'us-east-1' };

function smsInput(attempt: number, level?: string) {
  return {
    workflowId: 'sms:k1',
    attempt,
    route: ROUTE,
    originationIdentity: 'pool-1',
    destination: '+14255550156',
    body: 'Your code is 123456',
    ...(level ? { level } : {}),
  };
}

async function runIntercepted(
  meter: MetricMeter,
  activityType: string,
  input: unknown,
  impl: () => Promise<unknown>,
): Promise<unknown> {
  let t = 0;
  const factory = activityMetricsInterceptor({ meter, now: () => (t += 250) });
  const ctx = { info: { activityType } } as unknown as ActivityContext;
  const { inbound } = factory(ctx);
  return inbound!.execute!({ args: [input], headers: {} }, () => impl());
}

describe('send metrics interceptor', () => {
  it('counts an accepted send by channel, route and level, and times it', async () => {
    const { meter, records } = recordingMeter();
    await expect(
      runIntercepted(meter, 'sendSms', smsInput(1), () => Promise.resolve({ messageId: 'm' })),
    ).resolves.toEqual({ messageId: 'm' });
    expect(records).toEqual([
      {
        metric: 'rsms_sends',
        kind: 'counter',
        value: 1,
        tags: {
          channel: 'sms',
          route: 'primary/us-east-1',
          outcome: 'accepted',
          scope: 'none',
          reason: 'none',
          level: 'initial',
        },
      },
      {
        metric: 'rsms_send_duration',
        kind: 'histogram',
        value: 0.25,
        tags: { channel: 'sms', route: 'primary/us-east-1', outcome: 'accepted' },
      },
    ]);
  });

  it('counts a classified failure with its scope and reason, a failover by level, and rethrows unchanged', async () => {
    const { meter, records } = recordingMeter();
    const failure = sendFailure(
      classifySendError({ name: 'ServiceQuotaExceededException', reason: 'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT' }),
    );
    await expect(runIntercepted(meter, 'sendSms', smsInput(3, 'account'), () => Promise.reject(failure))).rejects.toBe(
      failure,
    );
    const byMetric = Object.fromEntries(records.map((r) => [r.metric, r.tags]));
    expect(byMetric.rsms_sends).toEqual({
      channel: 'sms',
      route: 'primary/us-east-1',
      outcome: 'failed',
      scope: 'account',
      reason: 'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT',
      level: 'account',
    });
    expect(byMetric.rsms_failovers).toEqual({ channel: 'sms', level: 'account' });
  });

  it('tells ambiguous sends apart and never labels personal data', async () => {
    const { meter, records } = recordingMeter();
    const failure = sendFailure(classifySendError({ name: 'InternalServerException', message: 'to +14255550156' }));
    await expect(runIntercepted(meter, 'sendSms', smsInput(2, 'region'), () => Promise.reject(failure))).rejects.toBe(
      failure,
    );
    expect(records.find((r) => r.metric === 'rsms_sends')?.tags).toMatchObject({
      outcome: 'ambiguous',
      scope: 'region',
      reason: 'InternalServerException',
    });
    expect(JSON.stringify(records)).not.toMatch(/4255550156|123456/);
  });

  it('reads the alternate channels from target, and leaves other activities alone', async () => {
    expect(
      sendFacts('sendEmail', {
        attempt: 4,
        level: 'channel',
        target: { channel: 'email', account: 'a', region: 'eu-west-1' },
      }),
    ).toEqual({ channel: 'email', route: 'a/eu-west-1', attempt: 4, level: 'channel' });
    expect(sendFacts('sendVoice', { attempt: 2, route: ROUTE })).toMatchObject({ channel: 'voice' });
    expect(sendFacts('putMessageFeedback', { route: ROUTE })).toBeUndefined();
    const { meter, records } = recordingMeter();
    await runIntercepted(meter, 'putMessageFeedback', { route: ROUTE }, () => Promise.resolve(undefined));
    expect(records).toEqual([]);
  });

  it('classifies errors that are not SendFailures as unclassified errors', () => {
    expect(outcomeOf(new Error('x'))).toEqual({ outcome: 'error', scope: 'unclassified', reason: 'Error' });
    expect(outcomeOf(ApplicationFailure.create({ type: 'Other', message: 'x' }))).toMatchObject({ outcome: 'error' });
  });
});

describe('DLR recorder', () => {
  it('counts receipts and records the latency of signalled ones in seconds', () => {
    const { meter, records } = recordingMeter();
    const record = dlrMetricsRecorder(meter, () => 10_000);
    const signal = {
      attempt: 1,
      eventType: 'TEXT_DELIVERED',
      status: 'DELIVERED',
      isFinal: true,
      messageId: 'm',
      eventTimestamp: 7_500,
    };
    record({ queue: { account: 'primary', region: 'us-east-1' }, signal, result: 'signalled' });
    record({ queue: { account: 'primary', region: 'us-east-1' }, signal, result: 'closed' });
    expect(records).toEqual([
      {
        metric: 'rsms_dlrs',
        kind: 'counter',
        value: 1,
        tags: { status: 'DELIVERED', final: 'true', route: 'primary/us-east-1', result: 'signalled' },
      },
      { metric: 'rsms_dlr_latency', kind: 'histogram', value: 2.5, tags: { status: 'DELIVERED', final: 'true' } },
      {
        metric: 'rsms_dlrs',
        kind: 'counter',
        value: 1,
        tags: { status: 'DELIVERED', final: 'true', route: 'primary/us-east-1', result: 'closed' },
      },
    ]);
  });

  it('counts intermediate receipts acknowledged without a signal, with no latency', () => {
    const { meter, records } = recordingMeter();
    const record = dlrMetricsRecorder(meter, () => 10_000);
    const signal = {
      attempt: 1,
      eventType: 'TEXT_PENDING',
      status: 'PENDING',
      isFinal: false,
      messageId: 'm',
      eventTimestamp: 7_500,
    };
    record({ queue: { account: 'primary', region: 'us-east-1' }, signal, result: 'skipped' });
    expect(records).toEqual([
      {
        metric: 'rsms_dlrs',
        kind: 'counter',
        value: 1,
        tags: { status: 'PENDING', final: 'false', route: 'primary/us-east-1', result: 'skipped' },
      },
    ]);
  });
});

describe('labels', () => {
  it('keeps codes and routes, replaces free text and numbers', () => {
    expect(safeLabel('primary/us-east-1')).toBe('primary/us-east-1');
    expect(safeLabel('MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT')).toBe('MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT');
    expect(safeLabel('HTTP_503')).toBe('HTTP_503');
    expect(safeLabel('+14255550156')).toBe('other');
    expect(safeLabel('14255550156')).toBe('other');
    expect(safeLabel('service error, outcome unknown')).toBe('other');
    expect(safeLabel(undefined)).toBe('unknown');
  });
});

describe('JSON log lines', () => {
  const entry = (meta: Record<string, unknown>): LogEntry => ({
    level: 'INFO',
    message: 'sending to +14255550156',
    timestampNanos: 1_700_000_000_123_000_000n,
    meta,
  });

  it('writes one JSON object with time, level, msg, process fields and the workflow id', () => {
    const line = formatLogLine(entry({ workflowId: 'sms:k1', attempt: 2, taskToken: 'AAAA' }), { process: 'worker' });
    expect(JSON.parse(line)).toEqual({
      time: '2023-11-14T22:13:20.123Z',
      level: 'info',
      msg: 'sending to +1425*****56',
      process: 'worker',
      workflowId: 'sms:k1',
      attempt: 2,
    });
  });

  it('masks phone numbers anywhere, keeps a clashing field, serialises errors and bigints', () => {
    const parsed = JSON.parse(
      formatLogLine(
        entry({
          level: 'region',
          nested: { to: '+447700900123' },
          error: new Error('no route to +14255550156'),
          n: 5n,
        }),
      ),
    ) as Record<string, unknown>;
    expect(parsed.level).toBe('info');
    expect(parsed.meta_level).toBe('region');
    expect(parsed.nested).toEqual({ to: '+4477******23' });
    expect(parsed.error).toEqual({ name: 'Error', message: 'no route to +1425*****56' });
    expect(parsed.n).toBe('5');
    expect(maskPhones('a +14255550156 b')).toBe('a +1425*****56 b');
  });
});

describe('gauges', () => {
  it('finds the DLQ from the redrive policy, else by the -dlq convention', () => {
    const url = 'https://sqs.us-east-1.amazonaws.com/111111111111/rsms-dlr';
    expect(
      dlqUrlFromRedrivePolicy(
        url,
        JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:111111111111:dlr-dead', maxReceiveCount: 5 }),
      ),
    ).toBe('https://sqs.us-east-1.amazonaws.com/111111111111/dlr-dead');
    expect(dlqUrlFromRedrivePolicy(url, undefined)).toBeUndefined();
    expect(dlqUrlFromRedrivePolicy(url, 'not json')).toBeUndefined();
    expect(conventionalDlqUrl(url)).toBe(`${url}-dlq`);
  });

  it('sets the in-flight gauge from a visibility count', async () => {
    const { meter, records } = recordingMeter();
    const queries: string[] = [];
    const config = configSchema.parse({
      accounts: { a: { credentials: { type: 'default' } } },
      routes: [{ id: 'r', account: 'a', region: 'us-east-1' }],
      originators: { US: [{ route: 'r', identity: 'pool-1', kind: 'pool', type: 'short-code' }] },
      policies: { otp: {} },
    });
    const poller = startGaugePoller({
      config,
      gauges: createGaugeMetrics(meter),
      client: { workflow: { count: (q?: string) => (queries.push(q ?? ''), Promise.resolve({ count: 7 })) } },
      intervalMs: 60_000,
    });
    await poller.refresh();
    await poller.stop();
    expect(queries[0]).toBe(IN_FLIGHT_QUERY);
    expect(IN_FLIGHT_QUERY).toBe('WorkflowType="deliverMessage" AND ExecutionStatus="Running"');
    expect(poller.last.inFlight).toBe(7);
    expect(records.filter((r) => r.metric === 'rsms_messages_in_flight').map((r) => r.value)).toContain(7);
  });
});
