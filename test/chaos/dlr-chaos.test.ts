/**
 * The simulator's DLR chaos (`/_sim/chaos`): the knobs on their own (pure), then over HTTP with the real SMS v2 SDK
 * client and moto: what reaches the DLR queue when receipts are duplicated, reordered, held late or dropped.
 */
import '../helpers/cross-realm-errors';
import { SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { Config } from '../../src/domain/config';
import { CONTEXT_ATTEMPT, CONTEXT_WORKFLOW_ID } from '../../src/domain/sending';
import { DlrChaos, seededRandom } from '../../src/simulator/chaos';
import { eventSchedule } from '../../src/simulator/events';
import { startSimulator, type Simulator } from '../../src/simulator/server';
import { startMoto, type Moto } from '../../src/tools/moto';
import { provisionDlrQueues, type ProvisionedQueue } from '../../src/tools/provision-emulator';
import { admin, destroyClients, DlrReader, provisionedPart, simConfig, smsClient } from '../simulator/harness';

const schedule = eventSchedule('SendTextMessage', undefined, 100);

describe('DlrChaos (pure)', () => {
  const chaosWith = (settings: unknown) => {
    const c = new DlrChaos();
    c.configure(settings);
    return c;
  };

  it('leaves the events alone when off or when no knob fires', () => {
    expect(new DlrChaos().apply('m', schedule)).toEqual(schedule);
    expect(chaosWith({ duplicate: 0, reorder: 0, drop: 0 }).apply('m', schedule)).toEqual(schedule);
  });

  it('drop removes the final event; late delays it; reorder puts it first, timestamps kept', () => {
    expect(
      chaosWith({ drop: 1 })
        .apply('m', schedule)
        .map((e) => e.eventType),
    ).toEqual(['TEXT_PENDING']);
    const late = chaosWith({ late: { probability: 1, delayMs: '5s' } }).apply('m', schedule);
    expect(late.map((e) => [e.eventType, e.atMs])).toEqual([
      ['TEXT_PENDING', 0],
      ['TEXT_DELIVERED', 5_100],
    ]);
    const reordered = chaosWith({ reorder: 1 }).apply('m', schedule);
    expect(reordered.map((e) => [e.eventType, e.atMs, e.happenedAtMs])).toEqual([
      ['TEXT_DELIVERED', 100, undefined],
      ['TEXT_PENDING', 101, 0],
    ]);
  });

  it('duplicate publishes the final event twice, and may combine with the others', () => {
    const dup = chaosWith({ duplicate: 1 }).apply('m', schedule);
    expect(dup.map((e) => [e.eventType, e.copies])).toEqual([
      ['TEXT_PENDING', undefined],
      ['TEXT_DELIVERED', 2],
    ]);
    const c = chaosWith({ duplicate: 1, drop: 1 });
    expect(c.apply('m', schedule).map((e) => [e.eventType, e.copies])).toEqual([['TEXT_PENDING', 2]]);
    expect(c.actionsFor('m')).toEqual(['drop', 'duplicate']);
    expect(c.describe().stats).toMatchObject({ messages: 1, drop: 1, duplicate: 1, late: 0, reorder: 0 });
  });

  it('rolls at the configured rates, reproducibly with a seed', () => {
    const settings = {
      duplicate: 0.05,
      reorder: 0.05,
      late: { probability: 0.02, delayMs: 5000 },
      drop: 0.02,
      seed: 42,
    };
    const run = () => {
      const c = chaosWith(settings);
      for (let i = 0; i < 10_000; i++) c.apply(`m${i}`, schedule);
      return c.describe().stats;
    };
    const stats = run();
    expect(stats).toEqual(run());
    expect(stats.messages).toBe(10_000);
    expect(stats.duplicate / 10_000).toBeCloseTo(0.05, 1);
    expect(stats.reorder / 10_000).toBeCloseTo(0.05, 1);
    expect(stats.late / 10_000).toBeCloseTo(0.02, 1);
    expect(stats.drop / 10_000).toBeCloseTo(0.02, 1);
    const r = seededRandom(1);
    expect([r(), r()]).not.toEqual([r(), r()]);
    // The fault dice follow the seed while chaos is set, Math.random otherwise.
    const dice = () => {
      const c = chaosWith({ seed: 9 });
      return [c.faultRandom(), c.faultRandom()];
    };
    expect(dice()).toEqual(dice());
    const c = chaosWith({ seed: 9 });
    c.clear();
    expect(c.faultRandom()).not.toBe(dice()[0]);
  });

  it('refuses bad settings, naming the field', () => {
    const c = new DlrChaos();
    expect(() => c.configure({ duplicate: 2 })).toThrow(/duplicate:/);
    expect(() => c.configure({ late: { probability: 0.1 } })).toThrow(/late\.delayMs/);
    expect(() => c.configure({ late: { probability: 0.1, delayMs: 'soon' } })).toThrow(/late\.delayMs: not a duration/);
    expect(() => c.configure({ drop: 0.6, reorder: 0.6 })).toThrow(/drop: drop \+ late\.probability \+ reorder/);
    expect(() => c.configure({ shuffle: 1 })).toThrow(/shuffle|unrecognized/i);
    expect(c.active).toBe(false);
  });
});

describe('/_sim/chaos over moto', () => {
  let moto: Moto;
  let config: Config;
  let queue: ProvisionedQueue;
  let sim: Simulator;
  let reader: DlrReader;

  beforeAll(async () => {
    moto = await startMoto();
    config = simConfig(moto.endpoint);
    const queues = await provisionDlrQueues(provisionedPart(config));
    queue = queues.find((q) => q.account === 'primary' && q.region === 'us-east-1')!;
    sim = await startSimulator({ config, deliveryDelayMs: 100, eventTypes: 'all' });
    reader = new DlrReader(moto.endpoint);
  }, 60_000);

  afterAll(async () => {
    destroyClients();
    reader?.destroy();
    await sim?.stop();
    await moto?.stop();
  });

  afterEach(async () => {
    await admin(sim.url, 'DELETE', '/_sim/chaos');
  });

  const send = async (n: number) => {
    const sms = smsClient(sim.url, 'primary', 'us-east-1');
    const out = await sms.send(
      new SendTextMessageCommand({
        DestinationPhoneNumber: '+14255550156',
        OriginationIdentity: 'pool-chaos',
        MessageBody: 'Your code is 123456',
        Context: { [CONTEXT_WORKFLOW_ID]: `wf-chaos-${n}`, [CONTEXT_ATTEMPT]: '1' },
      }),
    );
    return out.MessageId!;
  };

  it('answers 400 naming the field, and GET/DELETE show and clear the settings and counts', async () => {
    const bad = await admin<{ error: string }>(sim.url, 'POST', '/_sim/chaos', {
      late: { probability: 2, delayMs: 1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/late\.probability/);
    expect((await admin(sim.url, 'POST', '/_sim/chaos', '{nope')).status).toBe(400);
    const ok = await admin<{ settings: unknown }>(sim.url, 'POST', '/_sim/chaos', { drop: 1, seed: 3 });
    expect(ok.status).toBe(201);
    expect(ok.json.settings).toEqual({ duplicate: 0, reorder: 0, drop: 1, seed: 3 });
    const id = await send(1);
    const got = await admin<{ stats: { drop: number }; messages: { messageId: string; actions: string[] }[] }>(
      sim.url,
      'GET',
      '/_sim/chaos',
    );
    expect(got.json.stats.drop).toBe(1);
    expect(got.json.messages).toEqual([{ messageId: id, actions: ['drop'] }]);
    const cleared = await admin<{ stats: { drop: number } }>(sim.url, 'DELETE', '/_sim/chaos');
    expect(cleared.json.stats.drop).toBe(1);
    expect((await admin<{ settings: null }>(sim.url, 'GET', '/_sim/chaos')).json.settings).toBeNull();
    expect((await admin(sim.url, 'PUT', '/_sim/chaos')).status).toBe(405);
    // The dropped receipt never comes; the intermediate one does.
    const events = await reader.settle(queue, id, 1_000);
    expect(events.map((e) => e.event.eventType)).toEqual(['TEXT_PENDING']);
  });

  it('duplicate: the very same final event twice; reorder: final first, timestamps in order', async () => {
    await admin(sim.url, 'POST', '/_sim/chaos', { duplicate: 1 });
    const dup = await send(2);
    const dupEvents = await reader.waitFor(queue, dup, 3);
    expect(dupEvents.map((e) => e.event.eventType).sort()).toEqual([
      'TEXT_DELIVERED',
      'TEXT_DELIVERED',
      'TEXT_PENDING',
    ]);
    const finals = dupEvents.filter((e) => e.event.isFinal).map((e) => e.json);
    expect(finals[0]).toEqual(finals[1]);

    await admin(sim.url, 'POST', '/_sim/chaos', { reorder: 1 });
    const re = await send(3);
    const reEvents = await reader.waitFor(queue, re, 2);
    expect(reEvents.map((e) => e.event.eventType)).toEqual(['TEXT_DELIVERED', 'TEXT_PENDING']);
    expect(reEvents[1].event.eventTimestamp).toBeLessThan(reEvents[0].event.eventTimestamp);
  });

  it('late: the final event comes delayMs later', async () => {
    await admin(sim.url, 'POST', '/_sim/chaos', { late: { probability: 1, delayMs: '1500ms' } });
    const sentAt = Date.now();
    const id = await send(4);
    const events = await reader.waitFor(queue, id, 2, 10_000);
    expect(events.map((e) => e.event.eventType)).toEqual(['TEXT_PENDING', 'TEXT_DELIVERED']);
    expect(events[1].event.eventTimestamp - sentAt).toBeGreaterThanOrEqual(1_500);
  });
});
