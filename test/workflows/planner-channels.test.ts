/**
 * Alternate channels and compliance on every rung: the plan (resolveMessage) and the planner
 * (nextStep) together, on a config with voice, WhatsApp, email and push after SMS.
 */
import { configSchema, type Config, type ConfigInput } from '../../src/domain/config';
import { classifyDlrFailure, classifySendError, type ClassifiedFailure } from '../../src/domain/outcome';
import type { RoutingPlan } from '../../src/domain/plan';
import { resolveMessage } from '../../src/domain/resolve';
import { nextStep, type NextStep, type PlannerAttempt } from '../../src/workflows/planner';
import { fixtureConfigInput } from '../helpers/fixtures';

const DEST = '+14255550156';

function channelConfig(policy: Record<string, unknown> = {}): Config {
  const base = fixtureConfigInput();
  const input: ConfigInput = {
    ...base,
    channels: {
      voice: {
        originators: {
          US: [{ route: 'use1-primary', identity: '+12065550199', kind: 'phone-number', type: 'long-code' }],
        },
      },
      whatsapp: {
        account: 'primary',
        region: 'us-east-1',
        originationPhoneNumberId: 'phone-number-id-1',
        templateName: 'otp',
      },
      email: { account: 'primary', region: 'us-east-1', fromAddress: 'no-reply@example.com', configurationSet: 'mail' },
      push: { account: 'secondary', region: 'us-east-1' },
    },
    policies: { otp: { channels: ['sms', 'voice', 'whatsapp', 'email', 'push'], ...policy } },
  };
  return configSchema.parse(input);
}

const everyContact = {
  email: 'user@example.com',
  whatsapp: '+14255550157',
  pushEndpointArn: 'arn:aws:sns:us-east-1:222222222222:endpoint/GCM/app/0123',
};

function plan(policy: Record<string, unknown> = {}, request: Record<string, unknown> = {}): RoutingPlan {
  return resolveMessage(channelConfig(policy), {
    destination: DEST,
    body: 'Your code is 123456',
    useCase: 'otp',
    contacts: everyContact,
    ...request,
  }).plan;
}

const failed = (rungIndex: number, failure: ClassifiedFailure, sent = true, price?: number): PlannerAttempt => ({
  rungIndex,
  sent,
  outcome: { kind: 'failure', failure },
  price,
});
const channelAt = (p: RoutingPlan, step: NextStep) =>
  step.kind === 'send' ? p.rungs[step.rungIndex].channel : step.status;

/** Drive the planner: every send fails with `failureFor(rung)`; returns the channels tried in order, then the stop. */
function climb(p: RoutingPlan, failureFor: (i: number) => ClassifiedFailure, nowMs = 0): string[] {
  const attempts: PlannerAttempt[] = [];
  const seen: string[] = [];
  for (let guard = 0; guard < 50; guard++) {
    const step = nextStep(p, attempts, nowMs);
    if (step.kind === 'stop') {
      seen.push(step.status);
      return seen;
    }
    seen.push(`${p.rungs[step.rungIndex].channel}:${step.rungIndex}`);
    attempts.push(failed(step.rungIndex, failureFor(step.rungIndex)));
  }
  throw new Error('planner did not stop');
}

describe('the plan', () => {
  it('puts the alternate channels after the SMS ladder, each reached at level "channel"', () => {
    const p = plan();
    expect(p.rungs.map((r) => `${r.channel}/${r.level}`)).toEqual([
      'sms/initial',
      'sms/originator',
      'sms/account',
      'sms/originator',
      'sms/region',
      'sms/originator',
      'voice/channel',
      'whatsapp/channel',
      'email/channel',
      'push/channel',
    ]);
    expect(p.rungs.find((r) => r.channel === 'email')).toMatchObject({
      originator: 'no-reply@example.com',
      configurationSet: 'mail',
    });
    expect(p.whatsapp).toEqual({ templateName: 'otp', templateLanguage: 'en_US', metaApiVersion: 'v20.0' });
    expect(p.skipped).toEqual([]);
  });

  it('skips a channel whose contact the request lacks, saying so', () => {
    const p = plan({}, { contacts: { email: 'user@example.com' } });
    expect(p.rungs.map((r) => r.channel)).not.toContain('whatsapp');
    expect(p.rungs.map((r) => r.channel)).not.toContain('push');
    expect(p.skipped).toEqual([
      { channel: 'whatsapp', reason: 'the request has no WhatsApp number' },
      { channel: 'push', reason: 'the request has no push endpoint' },
    ]);
  });

  it('stops SMS and voice for a country outside allowedCountries but keeps email (SMS pumping defence)', () => {
    const config = channelConfig({ allowedCountries: ['GB'] });
    const { plan: p } = resolveMessage(config, {
      destination: DEST,
      body: 'x',
      useCase: 'otp',
      contacts: everyContact,
    });
    expect(p.rungs.map((r) => r.channel)).toEqual(['whatsapp', 'email', 'push']);
    expect(p.skipped.map((s) => s.channel)).toEqual(['sms', 'voice']);
    expect(p.skipped[0].reason).toMatch(/country US is not allowed/);
  });

  it('rejects a request no channel can reach in one sentence: the country, and the contacts it lacks', () => {
    const config = channelConfig({ allowedCountries: ['GB'] });
    expect(() => resolveMessage(config, { destination: DEST, body: 'x', useCase: 'otp' })).toThrow(
      new RegExp(
        '^invalid message request: destination: country US is not allowed for use case "otp" \\(allowed: GB\\), ' +
          'and the request has no contact for its other channels?: [a-z, ]*email[a-z, ]*$',
      ),
    );
  });

  it("derives each channel's content from the SMS body unless given", () => {
    const { request } = resolveMessage(channelConfig(), {
      destination: DEST,
      body: 'Your code is 123456',
      useCase: 'otp',
      content: { email: { subject: 'Sign-in code' } },
    });
    expect(request.content).toEqual({
      voice: { text: 'Your code is 1 2 3 4 5 6', textType: 'TEXT' },
      email: { subject: 'Sign-in code', text: 'Your code is 123456' },
      push: { title: 'Otp', body: 'Your code is 123456' },
      whatsapp: { parameters: ['Your code is 123456'] },
    });
    const ssml = resolveMessage(channelConfig(), {
      destination: DEST,
      body: 'x',
      useCase: 'otp',
      content: { voice: { ssml: '<speak>Hello</speak>' } },
    });
    expect(ssml.request.content.voice).toEqual({ text: '<speak>Hello</speak>', textType: 'SSML' });
  });

  it('takes the time zone from the request, else every zone of the country, only when quiet hours exist', () => {
    const quiet = { quietHours: [{ channels: ['voice'], start: '21:00', end: '08:00' }] };
    expect(plan().timeZones).toEqual([]);
    expect(plan(quiet, { timeZone: 'America/Chicago' }).timeZones).toEqual(['America/Chicago']);
    const zones = plan(quiet).timeZones;
    expect(zones).toEqual(expect.arrayContaining(['America/New_York', 'America/Los_Angeles', 'Pacific/Honolulu']));
    expect(() => plan(quiet, { timeZone: 'Mars/Olympus' })).toThrow(/timeZone: is not an IANA time zone/);
  });
});

describe('the ladder across channels', () => {
  it('ends on email (then push) after every SMS route and voice fail', () => {
    const p = plan({}, { contacts: { email: 'user@example.com' } });
    const tried = climb(p, (i) =>
      p.rungs[i].channel === 'email'
        ? classifySendError({ name: 'BadRequestException', httpStatus: 400 })
        : classifyDlrFailure('SPAM'),
    );
    expect(tried).toEqual(['sms:0', 'sms:1', 'sms:2', 'sms:3', 'sms:4', 'sms:5', 'voice:6', 'email:7', 'FAILED']);
  });

  it('a request an alternate channel rejects only skips that channel; one SMS rejects stops everything', () => {
    const p = plan();
    const bad = classifySendError({ name: 'BadRequestException', httpStatus: 400 });
    expect(
      nextStep(p, [
        ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => failed(i, classifyDlrFailure('SPAM'))),
        failed(8, bad, false),
      ]),
    ).toMatchObject({
      kind: 'send',
      rungIndex: 9,
    });
    const smsBad = classifySendError({ name: 'ValidationException', reason: 'CANNOT_PARSE' });
    expect(nextStep(p, [failed(0, smsBad, false)])).toMatchObject({ kind: 'stop', status: 'FAILED' });
  });

  it('after an opt-out never reaches another SMS or voice route, and only the channels allowed after it', () => {
    const optOut = classifySendError({ name: 'ConflictException', reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' });
    const allowed = plan({ channelsAfterOptOut: ['email'] });
    expect(climb(allowed, (i) => (i === 0 ? optOut : classifyDlrFailure('SPAM')))).toEqual([
      'sms:0',
      'email:8',
      'STOPPED',
    ]);
    const none = plan();
    expect(climb(none, () => optOut)).toEqual(['sms:0', 'STOPPED']);
  });

  it('refuses sms or voice as channels allowed after an opt-out', () => {
    expect(() => channelConfig({ channelsAfterOptOut: ['voice'] })).toThrow(
      /sms and voice are never allowed after an opt-out/,
    );
  });

  it('stops SMS on a protect-configuration block and goes on with the next channel', () => {
    const p = plan();
    const protect = classifySendError({
      name: 'ConflictException',
      reason: 'DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE',
    });
    const step = nextStep(p, [failed(0, protect, false)]);
    expect(channelAt(p, step)).toBe('voice');
  });

  it('a Region failure of one service does not rule out another service in that Region', () => {
    const p = plan();
    const outage = classifySendError({ name: 'InternalServerException', httpStatus: 500 });
    // us-east-1 SMS/voice are down: skip to us-west-2 SMS, and later WhatsApp/email in us-east-1 still count.
    expect(channelAt(p, nextStep(p, [failed(0, outage)]))).toBe('sms');
    const attempts = [failed(0, outage), failed(4, classifyDlrFailure('SPAM')), failed(5, classifyDlrFailure('SPAM'))];
    const step = nextStep(p, attempts);
    expect(step).toMatchObject({ kind: 'send', rungIndex: 7 }); // voice (us-east-1, same service) skipped; WhatsApp next
  });

  it('stops when the known total price would exceed the policy maximum', () => {
    const p = plan({ maxTotalPrice: '0.01' });
    const step = nextStep(p, [failed(0, classifyDlrFailure('SPAM'), true, 0.0125)]);
    expect(step).toMatchObject({ kind: 'stop', status: 'STOPPED' });
    expect(step.kind === 'stop' && step.reason).toMatch(/spent 0.01250 USD, the policy's maximum is 0.01/);
    expect(nextStep(p, [failed(0, classifyDlrFailure('SPAM'), true, 0.004)])).toMatchObject({
      kind: 'send',
      rungIndex: 1,
    });
  });

  it('stops at the cap on sends across channels', () => {
    const p = plan({ maxSends: 3 });
    expect(climb(p, () => classifyDlrFailure('SPAM'))).toEqual(['sms:0', 'sms:1', 'sms:2', 'STOPPED']);
  });
});

describe('quiet hours', () => {
  // 2026-11-26 03:30 UTC = 22:30 in New York (EST, UTC-5): inside 21:00-08:00.
  const lateEvening = Date.UTC(2026, 10, 26, 3, 30);
  const voiceQuiet = (action: 'wait' | 'skip') => ({
    quietHours: [{ channels: ['voice'], start: '21:00', end: '08:00', action }],
  });
  const toVoice = (_p: RoutingPlan): PlannerAttempt[] =>
    [0, 1, 2, 3, 4, 5].map((i) => failed(i, classifyDlrFailure('SPAM')));

  it("holds a voice rung with a timer until the window ends in the recipient's zone", () => {
    const p = plan(voiceQuiet('wait'), { timeZone: 'America/New_York' });
    const step = nextStep(p, toVoice(p), lateEvening);
    expect(step).toMatchObject({ kind: 'send', rungIndex: 6 });
    // 22:30 -> 08:00 local is 9 h 30 min.
    expect(step.kind === 'send' && step.delayMs).toBe(9.5 * 3600_000);
    expect(step.kind === 'send' && step.why).toMatch(/held for quiet hours for voice in America\/New_York/);
  });

  it('does not hold a channel the window does not name, nor outside the window', () => {
    const p = plan(voiceQuiet('wait'), { timeZone: 'America/New_York' });
    expect(nextStep(p, [], lateEvening)).toMatchObject({ kind: 'send', rungIndex: 0, delayMs: 0 });
    const noon = Date.UTC(2026, 10, 26, 17, 0);
    expect(nextStep(p, toVoice(p), noon)).toMatchObject({ kind: 'send', rungIndex: 6, delayMs: 0 });
  });

  it('skips the rung when the policy says skip', () => {
    const p = plan(voiceQuiet('skip'), { timeZone: 'America/New_York' });
    expect(nextStep(p, toVoice(p), lateEvening)).toMatchObject({ kind: 'send', rungIndex: 7 });
  });

  it('without a time zone in the request, waits until the window has ended in every zone of the country', () => {
    const p = plan(voiceQuiet('wait'));
    const step = nextStep(p, toVoice(p), lateEvening);
    // 08:00 in Hawaii/Aleutians (UTC-10) is 18:00 UTC; it is 03:30 UTC now.
    expect(step.kind === 'send' && step.delayMs).toBe(14.5 * 3600_000);
  });
});
