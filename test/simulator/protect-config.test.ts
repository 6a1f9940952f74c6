/**
 * The simulator registers the config's protect configurations (`protectConfigurations`) under each of their ids at
 * start (src/simulator/protect.ts `registerConfigured`), so a send naming one meets its country rules through the real
 * SDK client (in-process simulator, no emulator): BLOCK → the ConflictException, FILTER → `TEXT_PROTECT_BLOCKED` for
 * a stand-in AIT prefix, anything else delivered; `PUT /_sim/protect-configurations/<id>` still replaces one.
 */
import { ConflictException, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { configSchema } from '../../src/domain/config';
import { DEFAULT_AIT_PREFIXES, ProtectConfigurations, registerConfigured } from '../../src/simulator/protect';
import { startSimulator, type Simulator } from '../../src/simulator/server';
import type { MessageRecord } from '../../src/simulator/message-log';
import { admin, destroyClients, inProcessConfigInput, rejection, smsClient } from './harness';

const config = configSchema.parse(
  inProcessConfigInput({
    policies: { otp: { protectConfiguration: 'otp-protect' } },
    protectConfigurations: {
      'otp-protect': {
        sms: { US: 'FILTER', GB: 'MONITOR', FR: 'BLOCK' },
        ids: { 'primary/us-east-1': 'protect-p1', 'secondary/us-east-1': 'protect-s1' },
      },
    },
  }),
);

describe('registerConfigured', () => {
  it('registers each protect configuration under every id it has, with the stand-in AIT prefixes', () => {
    const store = new ProtectConfigurations();
    expect(registerConfigured(store, config.protectConfigurations)).toEqual([
      { id: 'protect-p1', name: 'otp-protect' },
      { id: 'protect-s1', name: 'otp-protect' },
    ]);
    const rules = { sms: { US: 'FILTER', GB: 'MONITOR', FR: 'BLOCK' }, aitPrefixes: [...DEFAULT_AIT_PREFIXES] };
    expect(store.list()).toEqual({
      'protect-p1': { ...rules, numberOverrides: {} },
      'protect-s1': { ...rules, numberOverrides: {} },
    });
    expect(registerConfigured(new ProtectConfigurations(), undefined)).toEqual([]);
  });
});

describe('the simulator enforces the config’s protect configurations', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ config, deliveryDelayMs: 10 });
  });
  afterEach(async () => {
    destroyClients();
    await sim.stop();
  });

  const send = (to: string, protect: string) =>
    smsClient(sim.url, 'primary', 'us-east-1').send(
      new SendTextMessageCommand({
        DestinationPhoneNumber: to,
        OriginationIdentity: 'pool-1',
        MessageBody: 'Your code is 123456',
        ProtectConfigurationId: protect,
      }),
    );

  async function finalEvent(messageId: string): Promise<string> {
    for (;;) {
      const { json: body } = await admin<{ messages: MessageRecord[] }>(
        sim.url,
        'GET',
        `/_sim/messages?messageId=${messageId}`,
      );
      const final = body.messages[0]?.events.find((e) => e.isFinal);
      if (final) return final.eventType;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('FILTER: a stand-in AIT prefix ends TEXT_PROTECT_BLOCKED, another number of the country is delivered', async () => {
    const suspect = await send('+19002345678', 'protect-p1');
    expect(await finalEvent(suspect.MessageId!)).toBe('TEXT_PROTECT_BLOCKED');
    const normal = await send('+14255550123', 'protect-p1');
    expect(await finalEvent(normal.MessageId!)).toBe('TEXT_DELIVERED');
  });

  it('BLOCK: the send is refused with the ConflictException AWS lists, under either id', async () => {
    for (const id of ['protect-p1', 'protect-s1']) {
      const err = await rejection(send('+33612345678', id));
      expect(err).toBeInstanceOf(ConflictException);
      expect(err).toMatchObject({
        Reason: 'DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION',
        ResourceType: 'protect-configuration',
        ResourceId: id,
      });
    }
  });

  it('PUT /_sim/protect-configurations/<id> still replaces a registered one', async () => {
    const put = await admin(sim.url, 'PUT', '/_sim/protect-configurations/protect-p1', { sms: { US: 'BLOCK' } });
    expect(put.status).toBe(200);
    const err = await rejection(send('+14255550123', 'protect-p1'));
    expect(err).toMatchObject({ Reason: 'DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION' });
    const { json: body } = await admin<{ protectConfigurations: Record<string, unknown> }>(
      sim.url,
      'GET',
      '/_sim/protect-configurations',
    );
    expect(Object.keys(body.protectConfigurations).sort()).toEqual(['protect-p1', 'protect-s1']);
  });
});
