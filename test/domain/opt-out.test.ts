/**
 * The pure parts of opt-out propagation: which lists are kept in sync, the config section's cross-references, the
 * two-way SMS payload and its keywords, which of two events wins, and the workflow id that never holds the number.
 */
import { configSchema } from '../../src/domain/config';
import { inboundAction, keywordOf, parseInboundSmsBody } from '../../src/domain/inbound-sms';
import { optOutTargets } from '../../src/domain/opt-out-config';
import { resolveMessage } from '../../src/domain/resolve';
import { newerEvent, optOutWorkflowId } from '../../src/workflows/opt-out-definitions';

const base = {
  accounts: {
    primary: { credentials: { type: 'static', accessKeyId: 'AKIDP', secretAccessKey: 'x' } },
    secondary: { credentials: { type: 'static', accessKeyId: 'AKIDS', secretAccessKey: 'x' } },
  },
  routes: [
    { id: 'p1', account: 'primary', region: 'us-east-1', endpoint: 'http://127.0.0.1:9' },
    { id: 'p1b', account: 'primary', region: 'us-east-1', endpoint: 'http://127.0.0.1:9' },
    { id: 's1', account: 'secondary', region: 'us-east-1', endpoint: 'http://127.0.0.1:9' },
    { id: 'p2', account: 'primary', region: 'us-west-2', endpoint: 'http://127.0.0.1:9' },
  ],
  originators: { US: [{ route: 'p1', identity: 'pool-1', type: 'toll-free' }] },
  policies: { otp: {} },
};

describe('optOutTargets', () => {
  it('defaults to Default in every account x Region of the routes, once each', () => {
    const config = configSchema.parse({ ...base, optOuts: {} });
    expect(optOutTargets(config).map((t) => `${t.account}/${t.region}/${t.list}`)).toEqual([
      'primary/us-east-1/Default',
      'secondary/us-east-1/Default',
      'primary/us-west-2/Default',
    ]);
  });

  it('takes the configured lists instead', () => {
    const config = configSchema.parse({
      ...base,
      optOuts: { lists: [{ account: 'primary', region: 'us-east-1', names: ['Default', 'marketing'] }] },
    });
    expect(optOutTargets(config).map((t) => t.list)).toEqual(['Default', 'marketing']);
  });

  it('rejects an unknown account and a second inbound queue for one account x Region, naming the field', () => {
    const q = { account: 'primary', region: 'us-east-1', queueUrl: 'http://127.0.0.1:1/1/q' };
    const bad = configSchema.safeParse({
      ...base,
      optOuts: { lists: [{ account: 'nobody', region: 'us-east-1' }], inbound: [q, q] },
    });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'optOuts.lists.0.account: unknown account "nobody"',
        'optOuts.inbound.1: second inbound queue for primary/us-east-1',
      ]),
    );
  });

  it('puts the lists in the plan only when the config has the section', () => {
    const request = { destination: '+14255550100', body: 'hi', useCase: 'otp' };
    expect(resolveMessage(configSchema.parse(base), request).plan.optOuts).toBeUndefined();
    const plan = resolveMessage(configSchema.parse({ ...base, optOuts: {} }), request).plan;
    expect(plan.optOuts?.checkBeforeSend).toBe(true);
    expect(plan.optOuts?.lists).toHaveLength(3);
  });
});

describe('two-way SMS payload', () => {
  const payload = {
    originationNumber: '+14255550182',
    destinationNumber: '+12125550101',
    messageKeyword: 'JOIN',
    messageBody: 'stop',
    inboundMessageId: 'cae173d2-66b9-564c-8309-21f858e9fb84',
    previousPublishedMessageId: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  };

  it('reads the documented example, raw and in an SNS envelope', () => {
    const raw = parseInboundSmsBody(JSON.stringify(payload));
    expect(raw).toMatchObject({ ok: true, message: payload });
    const enveloped = parseInboundSmsBody(
      JSON.stringify({ Type: 'Notification', Message: JSON.stringify(payload), Timestamp: '2026-01-01T00:00:00Z' }),
    );
    expect(enveloped).toMatchObject({ ok: true, message: payload, envelope: { Timestamp: '2026-01-01T00:00:00Z' } });
  });

  it('names what is wrong with a bad body', () => {
    expect(parseInboundSmsBody('nope')).toEqual({ ok: false, error: 'body is not JSON' });
    expect(parseInboundSmsBody(JSON.stringify({ ...payload, originationNumber: '555' }))).toEqual({
      ok: false,
      error: 'inbound message originationNumber: must be an E.164 phone number',
    });
  });

  it('the keyword: messageKeyword when it is a list keyword, else the first word of the body', () => {
    const m = (messageKeyword: string | undefined, messageBody: string) =>
      inboundAction({ ...payload, messageKeyword, messageBody });
    expect(m('JOIN', 'stop')).toBe('opt-out');
    expect(m('STOP', 'please')).toBe('opt-out');
    expect(m(undefined, 'Start')).toBe('opt-in');
    expect(m('HELP', 'help')).toBe('none');
    expect(keywordOf('  td  ').action).toBe('opt-out');
  });
});

describe('events', () => {
  const e = (kind: 'opt-out' | 'opt-in', at: number) => ({ kind, source: 'operator' as const, at });

  it('the later one wins; on a tie the opt-out', () => {
    expect(newerEvent(undefined, e('opt-in', 1))).toBe(true);
    expect(newerEvent(e('opt-out', 2), e('opt-in', 1))).toBe(false);
    expect(newerEvent(e('opt-out', 1), e('opt-in', 2))).toBe(true);
    expect(newerEvent(e('opt-in', 1), e('opt-out', 1))).toBe(true);
    expect(newerEvent(e('opt-out', 1), e('opt-in', 1))).toBe(false);
  });

  it('the workflow id is a tag of the number, not the number', () => {
    const id = optOutWorkflowId('+14255550182');
    expect(id).toMatch(/^opt-out:[0-9a-f]{16}$/);
    expect(id).not.toContain('4255550182');
    expect(optOutWorkflowId('+14255550182')).toBe(id);
    expect(optOutWorkflowId('+14255550183')).not.toBe(id);
  });
});
