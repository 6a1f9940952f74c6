/**
 * SendSpacing (src/workers/send-spacing.ts): a paced Worker's sends no closer together than 1000 / MPS ms in one
 * process, on a fake clock: a bunch is released at the MPS, sends already further apart never wait, a quiet spell
 * gives no credit for a burst afterwards, and the order of the calls is kept.
 */
import { SendSpacing, spaced, type SpacingClock } from '../../src/workers/send-spacing';
import { pacedActivities } from '../../src/workers/paced-workers';

/** A clock whose sleeps are recorded and advance it at once. */
function fakeClock(start = 1_000_000) {
  let t = start;
  const slept: number[] = [];
  const clock: SpacingClock = {
    now: () => t,
    sleep: (ms) => {
      slept.push(ms);
      return Promise.resolve();
    },
  };
  return { clock, slept, advance: (ms: number) => (t += ms), at: () => t };
}

describe('SendSpacing', () => {
  it('releases a bunch taken at once at the MPS: 0, 200, 400, 600 ms for 5 MPS', async () => {
    const c = fakeClock();
    const s = new SendSpacing(200, c.clock);
    await Promise.all([s.turn(), s.turn(), s.turn(), s.turn()]);
    expect(c.slept).toEqual([200, 400, 600]);
  });

  it('never waits for sends already further apart than the interval', async () => {
    const c = fakeClock();
    const s = new SendSpacing(200, c.clock);
    for (let i = 0; i < 5; i++) {
      await s.turn();
      c.advance(250);
    }
    expect(c.slept).toEqual([]);
  });

  it('gives no burst credit for a quiet spell: after 10 s idle, two at once are still 200 ms apart', async () => {
    const c = fakeClock();
    const s = new SendSpacing(200, c.clock);
    await s.turn();
    c.advance(10_000);
    await Promise.all([s.turn(), s.turn()]);
    expect(c.slept).toEqual([200]);
  });

  it('keeps the order of the calls', async () => {
    const order: number[] = [];
    const s = new SendSpacing(200, fakeClock().clock);
    const send = spaced((i: number) => Promise.resolve(order.push(i)), s);
    await Promise.all([send(1), send(2), send(3)]);
    expect(order).toEqual([1, 2, 3]);
  });

  it('refuses an interval that is not a finite number of ms >= 0, naming it', () => {
    expect(() => new SendSpacing(-1)).toThrow('interval must be a finite number of ms >= 0, got -1');
    expect(() => new SendSpacing(Infinity)).toThrow('got Infinity');
    expect(() => new SendSpacing(NaN)).toThrow('got NaN');
  });
});

describe('pacedActivities', () => {
  it('spaces sendSms only; the other activities are the same functions', () => {
    const sendSms = () => Promise.resolve('sent');
    const sendVoice = () => Promise.resolve('called');
    const out = pacedActivities({ sendSms, sendVoice }, 5) as Record<string, unknown>;
    expect(out.sendVoice).toBe(sendVoice);
    expect(out.sendSms).not.toBe(sendSms);
  });

  it('passes the arguments and the result through', async () => {
    const sendSms = (input: { n: number }) => Promise.resolve(input.n * 2);
    const out = pacedActivities({ sendSms }, 1000) as { sendSms: (i: { n: number }) => Promise<number> };
    await expect(out.sendSms({ n: 21 })).resolves.toBe(42);
  });
});
