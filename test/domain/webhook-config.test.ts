/**
 * Status webhooks in the config and the request (src/domain/webhook-config.ts), and what the plan carries
 * (resolveMessage): the use case's webhook, a request's own URL signed with its use case's key, never a secret.
 */
import { configSchema, type ConfigInput } from '../../src/domain/config';
import { InvalidInputError } from '../../src/domain/errors';
import { requestDifferences } from '../../src/domain/request-diff';
import { resolveMessage } from '../../src/domain/resolve';
import { webhookUrlProblem } from '../../src/domain/webhook-config';
import { fixtureConfigInput } from '../helpers/fixtures';

const WEBHOOK = {
  url: 'https://app.example.com/sms-status?token=abc',
  signingKeyId: 'k2',
  keys: [
    { id: 'k2', env: 'RSMS_WEBHOOK_K2' },
    { id: 'k1', env: 'RSMS_WEBHOOK_K1' },
  ],
};

function config(policies: ConfigInput['policies']) {
  return configSchema.parse({ ...fixtureConfigInput(), policies });
}

function configIssues(policies: ConfigInput['policies']): string[] {
  const result = configSchema.safeParse({ ...fixtureConfigInput(), policies });
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

const REQUEST = { destination: '+14255550156', body: 'Your code is 123456', useCase: 'otp' };

describe('webhook config', () => {
  it('defaults: final events, 10 s per request, retried for 24 h', () => {
    expect(config({ otp: { webhook: WEBHOOK } }).policies.otp.webhook).toEqual({
      ...WEBHOOK,
      events: 'final',
      timeout: 10_000,
      retryFor: 24 * 3600_000,
    });
  });

  it.each([
    [{ ...WEBHOOK, signingKeyId: 'k3' }, 'policies.otp.webhook.signingKeyId: no key with id "k3" in keys'],
    [{ ...WEBHOOK, keys: [WEBHOOK.keys[0], WEBHOOK.keys[0]] }, 'policies.otp.webhook.keys.1.id: duplicate id "k2"'],
    [{ ...WEBHOOK, keys: [] }, 'policies.otp.webhook.keys'],
    [{ ...WEBHOOK, keys: [{ id: 'k2', env: 'not a name' }] }, 'policies.otp.webhook.keys.0.env'],
    [{ ...WEBHOOK, secret: 'abc' }, 'policies.otp.webhook: Unrecognized key: "secret"'],
    [{ ...WEBHOOK, events: 'sometimes' }, 'policies.otp.webhook.events'],
    [{ ...WEBHOOK, timeout: '2m' }, 'webhook timeout must be between 1s and 60s'],
    [{ ...WEBHOOK, retryFor: '30d' }, 'webhook retryFor must be between 1m and 7d'],
    [{ ...WEBHOOK, url: 'http://app.example.com/hook' }, 'must be https (plain http only to localhost'],
  ])('refuses a bad webhook, naming the field (%#)', (webhook, expected) => {
    expect(configIssues({ otp: { webhook: webhook as never } }).join('\n')).toContain(expected);
  });

  it('refuses one key id read from two variables in two use cases', () => {
    const other = { ...WEBHOOK, keys: [{ id: 'k2', env: 'OTHER_VAR' }] };
    expect(configIssues({ otp: { webhook: WEBHOOK }, alerts: { webhook: other } })).toEqual([
      'policies.alerts.webhook.keys.0.env: webhook key "k2" is read from RSMS_WEBHOOK_K2 in use case "otp": one key id, one variable',
    ]);
    expect(configIssues({ otp: { webhook: WEBHOOK }, alerts: { webhook: WEBHOOK } })).toEqual([]);
  });
});

describe('webhook URLs', () => {
  it.each([
    'https://app.example.com/sms-status',
    'https://app.example.com:8443/hooks/sms?tenant=7',
    'http://127.0.0.1:4000/hook',
    'http://localhost/hook',
    'http://[::1]:8080/',
  ])('accepts %s', (url) => expect(webhookUrlProblem(url)).toBeUndefined());

  it.each([
    ['ftp://app.example.com/', 'must be https (not ftp:)'],
    ['javascript:alert(1)', 'must be https (not javascript:)'],
    ['/relative/path', 'not an absolute URL'],
    ['http://10.0.0.5/hook', 'plain http only to localhost'],
    ['https://user:pw@app.example.com/', 'user name or password'],
    ['https://app.example.com/#frag', '#fragment'],
    ['https://169.254.169.254/latest/meta-data', 'instance metadata service'],
    [`https://app.example.com/${'a'.repeat(2100)}`, 'longer than 2048'],
  ])('refuses %s', (url, problem) => expect(webhookUrlProblem(url)).toContain(problem));
});

describe('the plan', () => {
  it("carries the use case's webhook with the signing key's id, and no secret", () => {
    const { plan, request } = resolveMessage(config({ otp: { webhook: WEBHOOK } }), REQUEST);
    expect(plan.webhook).toEqual({
      url: WEBHOOK.url,
      events: 'final',
      keyId: 'k2',
      timeoutMs: 10_000,
      retryForMs: 24 * 3600_000,
    });
    expect(JSON.stringify({ plan, request })).not.toMatch(/RSMS_WEBHOOK/);
  });

  it("a request's URL and events replace the use case's; the key stays the use case's", () => {
    const withoutUrl = { ...WEBHOOK, url: undefined };
    const { plan, request } = resolveMessage(config({ otp: { webhook: withoutUrl } }), {
      ...REQUEST,
      webhook: { url: 'https://tenant.example.com/hook', events: 'every-escalation' },
    });
    expect(plan.webhook).toMatchObject({
      url: 'https://tenant.example.com/hook',
      events: 'every-escalation',
      keyId: 'k2',
    });
    // Kept in the request too, so that reusing its idempotency key with another webhook is a conflict.
    expect(request.webhook).toEqual({ url: 'https://tenant.example.com/hook', events: 'every-escalation' });
  });

  it('has no webhook when neither the use case nor the request gives a URL (nor when the use case has none)', () => {
    expect(
      resolveMessage(config({ otp: { webhook: { ...WEBHOOK, url: undefined } } }), REQUEST).plan,
    ).not.toHaveProperty('webhook');
    expect(resolveMessage(config({ otp: {} }), REQUEST).plan).not.toHaveProperty('webhook');
  });

  it("refuses a request's webhook when its use case has no keys to sign it with", () => {
    const resolve = () =>
      resolveMessage(config({ otp: {} }), { ...REQUEST, webhook: { url: 'https://a.example.com/' } });
    expect(resolve).toThrow(InvalidInputError);
    expect(resolve).toThrow('webhook: use case "otp" has no webhook keys (policies.otp.webhook)');
  });

  it("refuses a request's webhook with a bad URL or a key of its own", () => {
    const c = config({ otp: { webhook: WEBHOOK } });
    expect(() => resolveMessage(c, { ...REQUEST, webhook: { url: 'http://example.com/' } })).toThrow(
      /webhook\.url: must be https/,
    );
    expect(() =>
      resolveMessage(c, { ...REQUEST, webhook: { url: 'https://a.example.com/', keyId: 'k1' } as never }),
    ).toThrow(/webhook: Unrecognized key: "keyId"/);
  });

  it('a reused idempotency key with another webhook is a different request (409 names "webhook")', () => {
    const c = config({ otp: { webhook: WEBHOOK } });
    const resolved = (webhook?: { url: string }) =>
      resolveMessage(c, { ...REQUEST, idempotencyKey: 'login-42', ...(webhook ? { webhook } : {}) }).request;
    const a = resolved({ url: 'https://a.example.com/hook' });
    expect(requestDifferences(a, resolved({ url: 'https://a.example.com/hook' }))).toEqual([]);
    expect(requestDifferences(a, resolved({ url: 'https://b.example.com/hook' }))).toEqual(['webhook']);
    expect(requestDifferences(a, resolved())).toEqual(['webhook']);
    expect(requestDifferences(resolved(), resolved())).toEqual([]);
  });
});
