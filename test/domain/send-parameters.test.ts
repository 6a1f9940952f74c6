/**
 * The use case's send parameters (src/domain/send-parameters.ts): MaxPrice / MaxPricePerMinute as the API's pattern
 * takes them, ProtectConfigurationId, Keyword and DestinationCountryParameters in the policy, and how they travel in
 * the plan to the send activities' inputs (src/domain/resolve.ts, src/workflows/send-rung.ts).
 */
import { DestinationCountryParameterKey } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { configSchema } from '../../src/domain/config';
import { InvalidInputError, parseOrThrow } from '../../src/domain/errors';
import { resolveMessage } from '../../src/domain/resolve';
import {
  countryParametersFor,
  DESTINATION_COUNTRY_PARAMETER_KEYS,
  maxPriceProblem,
} from '../../src/domain/send-parameters';
import { smsParameters, voiceMaxPrice } from '../../src/workflows/send-rung';
import { fixtureConfigInput, usPlan } from '../helpers/fixtures';

function config(otp: Record<string, unknown>, more: Record<string, unknown> = {}) {
  const input = fixtureConfigInput();
  return parseOrThrow(
    configSchema,
    {
      ...input,
      originators: {
        ...input.originators,
        IN: [{ route: 'use1-primary', identity: 'ACMEIN', kind: 'sender-id', type: 'sender-id' }],
      },
      policies: { otp },
      ...more,
    },
    'config',
  );
}

describe('MaxPrice', () => {
  it.each(['0.50', '.5', '99.99999', '0.00581', '1.0'])('the API takes "%s"', (v) => {
    expect(maxPriceProblem(v)).toBeUndefined();
  });
  it.each(['1', '10', '100.0', '0.123456', '-0.5', '0,5', ' 0.5', '1.'])('the API refuses "%s"', (v) => {
    expect(maxPriceProblem(v)).toMatch(/not a price the API takes/);
  });

  it('maxPrice and maxPricePerMinute are refused at config load when the API would refuse them', () => {
    expect(() => config({ maxPrice: '1' })).toThrow(/maxPrice/);
    expect(() => config({ maxPricePerMinute: '2' })).toThrow(/maxPricePerMinute/);
    expect(config({ maxPrice: '0.05', maxPricePerMinute: '0.10' }).policies.otp).toMatchObject({
      maxPrice: '0.05',
      maxPricePerMinute: '0.10',
    });
  });

  it('voice sends its own per-minute cap; a plan recorded before it existed sends maxPrice, as it did then', () => {
    const resolved = resolveMessage(config({ maxPrice: '0.05', maxPricePerMinute: '0.10' }), {
      destination: '+14255550123',
      body: 'x',
      useCase: 'otp',
    });
    expect(voiceMaxPrice(resolved.plan.policy)).toBe('0.10');
    const withoutVoiceCap = resolveMessage(config({ maxPrice: '0.05' }), { destination: '+14255550123', body: 'x' });
    expect(voiceMaxPrice(withoutVoiceCap.plan.policy)).toBeUndefined();
    const { voicePriceCap: _v, maxPricePerMinute: _m, ...older } = resolved.plan.policy;
    expect(voiceMaxPrice(older)).toBe('0.05');
  });
});

describe('ProtectConfigurationId, Keyword, DestinationCountryParameters', () => {
  it("the key list is the SDK's DestinationCountryParameterKey enum, member for member", () => {
    expect([...DESTINATION_COUNTRY_PARAMETER_KEYS].sort()).toEqual(
      Object.values(DestinationCountryParameterKey).sort(),
    );
  });

  it('the policy refuses what the API would refuse, naming the field', () => {
    expect(() => config({ keyword: 'k'.repeat(31) })).toThrow(/policies\.otp\.keyword/);
    expect(() => config({ protectConfigurationId: 'has space' })).toThrow(/policies\.otp\.protectConfigurationId/);
    expect(() => config({ destinationCountryParameters: { US_ENTITY_ID: '1' } })).toThrow(
      /policies\.otp\.destinationCountryParameters/,
    );
    expect(() => config({ destinationCountryParameters: { IN_ENTITY_ID: 'a b' } })).toThrow(/no spaces/);
  });

  it('India parameters apply to Indian numbers only', () => {
    const p = { IN_ENTITY_ID: '1101', IN_TEMPLATE_ID: '1107' };
    expect(countryParametersFor(p, 'IN')).toEqual(p);
    expect(countryParametersFor(p, 'US')).toBeUndefined();
    expect(countryParametersFor(undefined, 'IN')).toBeUndefined();
  });

  it('the plan carries them; the SMS send gets Keyword only on a US short code', () => {
    const cfg = config({
      protectConfigurationId: 'pc-otp',
      keyword: 'ACMEOTP',
      destinationCountryParameters: { IN_ENTITY_ID: '1101', IN_TEMPLATE_ID: '1107' },
    });
    const us = resolveMessage(cfg, { destination: '+14255550123', body: 'x' }).plan;
    expect(us.policy).toMatchObject({ protectConfigurationId: 'pc-otp', keyword: 'ACMEOTP' });
    expect(us.policy).not.toHaveProperty('destinationCountryParameters');
    const [shortCode, tenDlc] = us.rungs;
    expect(shortCode.originatorType).toBe('short-code');
    expect(smsParameters(shortCode, us)).toEqual({ protectConfigurationId: 'pc-otp', keyword: 'ACMEOTP' });
    expect(smsParameters(tenDlc, us)).toEqual({ protectConfigurationId: 'pc-otp' });

    const india = resolveMessage(cfg, { destination: '+919876543210', body: 'x' }).plan;
    expect(smsParameters(india.rungs[0], india)).toEqual({
      protectConfigurationId: 'pc-otp',
      destinationCountryParameters: { IN_ENTITY_ID: '1101', IN_TEMPLATE_ID: '1107' },
    });
  });

  it('a plan without them (older plans too) sends none of them', () => {
    const plan = usPlan();
    expect(smsParameters(plan.rungs[0], plan)).toEqual({});
  });
});

describe('WhatsApp authentication template', () => {
  const whatsapp = {
    account: 'primary',
    region: 'us-east-1',
    originationPhoneNumberId: 'phone-number-id-1',
    templateName: 'otp_code',
  };

  it('the plan names the kind only for an authentication template', () => {
    const request = {
      destination: '+14255550123',
      body: 'Your code is 123456',
      contacts: { whatsapp: '+14255550123' },
    };
    const auth = config(
      { channels: ['whatsapp'] },
      { channels: { whatsapp: { ...whatsapp, templateKind: 'authentication' } } },
    );
    expect(resolveMessage(auth, request).plan.whatsapp).toMatchObject({ templateKind: 'authentication' });
    const standard = config({ channels: ['whatsapp'] }, { channels: { whatsapp } });
    expect(resolveMessage(standard, request).plan.whatsapp).not.toHaveProperty('templateKind');
  });

  it('refuses a request whose authentication template would have no code', () => {
    const auth = config(
      { channels: ['whatsapp'] },
      { channels: { whatsapp: { ...whatsapp, templateKind: 'authentication' } } },
    );
    expect(() =>
      resolveMessage(auth, {
        destination: '+14255550123',
        body: 'Please call us',
        contacts: { whatsapp: '+14255550123' },
      }),
    ).toThrow(InvalidInputError);
  });
});
