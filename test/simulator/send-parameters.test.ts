/**
 * The simulator's checks of the use-case send parameters (src/simulator/send-parameters.ts), without a server: the
 * model's constraints on MaxPrice / MaxPricePerMinute, ProtectConfigurationId, Keyword and DestinationCountryParameters,
 * answered with the ValidationException AWS's request validation gives; and the carrier fee its SMS events carry.
 */
import { DestinationCountryParameterKey } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { deliveryEventSchema } from '../../src/domain/delivery-event';
import { buildEvent, carrierFeeOf, US_CARRIER_FEE_PER_PART } from '../../src/simulator/events';
import { AwsError, parseSendRequest } from '../../src/simulator/protocol';
import { parseSendParameters } from '../../src/simulator/send-parameters';

function rejection(fn: () => unknown): AwsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AwsError) return err;
    throw err;
  }
  throw new Error('not rejected');
}

describe('parseSendParameters', () => {
  it.each(['1', '10', '100.0', '0.123456', '1.5e2', '0,50', '', '.'])('refuses MaxPrice "%s"', (price) => {
    const err = rejection(() => parseSendParameters('SendTextMessage', { MaxPrice: price }));
    expect(err.body()).toMatchObject({
      __type: 'com.amazonaws.pinpointsmsvoicev2#ValidationException',
      Reason: 'FIELD_VALIDATION_FAILED',
      Fields: [{ Name: 'MaxPrice' }],
    });
    expect(err.message).toMatch(/^1 validation error detected: Value '.*' at 'maxPrice' failed to satisfy constraint/);
    expect(err.status).toBe(400);
  });

  it.each(['0.50', '.5', '99.99999', '0.00581'])('accepts MaxPrice "%s"', (price) => {
    expect(parseSendParameters('SendTextMessage', { MaxPrice: price })).toEqual({ maxPrice: price });
  });

  it("checks voice's MaxPricePerMinute with the same pattern, and ignores members voice does not have", () => {
    const err = rejection(() => parseSendParameters('SendVoiceMessage', { MaxPricePerMinute: '10' }));
    expect(err.body()).toMatchObject({ Fields: [{ Name: 'MaxPricePerMinute' }] });
    expect(err.message).toContain('regular expression pattern: [0-9]{0,2}\\.[0-9]{1,5}');
    expect(
      parseSendParameters('SendVoiceMessage', {
        MaxPricePerMinute: '0.05',
        MaxPrice: 'x',
        Keyword: 'k',
        ProtectConfigurationId: 'p-1',
      }),
    ).toEqual({ maxPricePerMinute: '0.05', protectConfigurationId: 'p-1' });
  });

  it('checks ProtectConfigurationId, Keyword and DestinationCountryParameters against the model', () => {
    const fieldOf = (body: Record<string, unknown>) =>
      (rejection(() => parseSendParameters('SendTextMessage', body)).body().Fields as { Name: string }[])[0].Name;
    expect(fieldOf({ ProtectConfigurationId: 'has space' })).toBe('ProtectConfigurationId');
    expect(fieldOf({ ProtectConfigurationId: 'x'.repeat(257) })).toBe('ProtectConfigurationId');
    expect(fieldOf({ Keyword: 'k'.repeat(31) })).toBe('Keyword');
    expect(fieldOf({ Keyword: 'tab\there' })).toBe('Keyword');
    expect(fieldOf({ DestinationCountryParameters: { US_ENTITY_ID: '1' } })).toBe('DestinationCountryParameters');
    expect(fieldOf({ DestinationCountryParameters: { IN_ENTITY_ID: 'has space' } })).toBe(
      'DestinationCountryParameters.IN_ENTITY_ID',
    );
    expect(fieldOf({ DestinationCountryParameters: { IN_TEMPLATE_ID: 'x'.repeat(65) } })).toBe(
      'DestinationCountryParameters.IN_TEMPLATE_ID',
    );
    expect(
      parseSendParameters('SendTextMessage', {
        ProtectConfigurationId: 'arn:aws:sms-voice:us-east-1:111111111111:protect-configuration/pc-1',
        Keyword: 'ACME OTP',
        DestinationCountryParameters: { IN_ENTITY_ID: '1101', IN_TEMPLATE_ID: '1107' },
      }),
    ).toEqual({
      protectConfigurationId: 'arn:aws:sms-voice:us-east-1:111111111111:protect-configuration/pc-1',
      keyword: 'ACME OTP',
      destinationCountryParameters: { IN_ENTITY_ID: '1101', IN_TEMPLATE_ID: '1107' },
    });
  });

  it("accepts every key of the SDK's DestinationCountryParameterKey enum", () => {
    const all = Object.fromEntries(Object.values(DestinationCountryParameterKey).map((k) => [k, 'v1']));
    expect(parseSendParameters('SendTextMessage', { DestinationCountryParameters: all })).toEqual({
      destinationCountryParameters: all,
    });
  });
});

describe('carrier fees in SMS events', () => {
  const text = (destination: string, body = 'Your code is 1234') =>
    parseSendRequest('SendTextMessage', {
      DestinationPhoneNumber: destination,
      OriginationIdentity: 'p',
      MessageBody: body,
    });

  it('a text to a US number carries a carrier fee per part; elsewhere the fee is 0', () => {
    const us = buildEvent(
      { messageId: 'm-1', request: text('+14255550156', 'x'.repeat(200)), isoCountryCode: 'US', acceptedAt: 1 },
      { eventType: 'TEXT_DELIVERED', isFinal: true, atMs: 1 },
      2,
    );
    expect(deliveryEventSchema.parse(us)).toMatchObject({
      totalMessageParts: 2,
      totalCarrierFee: 2 * US_CARRIER_FEE_PER_PART,
    });
    const gb = buildEvent(
      { messageId: 'm-2', request: text('+447700900123'), isoCountryCode: 'GB', acceptedAt: 1 },
      { eventType: 'TEXT_DELIVERED', isFinal: true, atMs: 1 },
      2,
    );
    expect(gb.totalCarrierFee).toBe(0);
    expect(carrierFeeOf(undefined, 3)).toBe(0);
  });
});
