/** A simulator fault with `forMs` expires on its own: the game day's safety net should its driver die. */
import { FaultStore } from '../../src/simulator/faults';

const send = {
  operation: 'SendTextMessage' as const,
  account: 'primary',
  region: 'us-east-1',
  originator: 'p',
  destination: '+12065550100',
};
const T = Date.parse('2026-01-01T00:00:00Z');

describe('fault forMs', () => {
  it('applies until its time runs out, then is gone from the store', () => {
    const store = new FaultStore(['primary'], () => 0);
    const fault = store.add(
      { match: { region: 'us-east-1' }, effect: { api: 'internal-error' }, forMs: '60s' },
      new Date(T),
    );
    expect(fault.expiresAt).toBe('2026-01-01T00:01:00.000Z');
    expect(store.take(send, T + 59_999)?.id).toBe(fault.id);
    expect(store.take(send, T + 60_000)).toBeUndefined();
    expect(store.list(T + 60_000)).toEqual([]);
  });

  it('without forMs, a fault stays until deleted', () => {
    const store = new FaultStore(['primary'], () => 0);
    const fault = store.add({ match: {}, effect: { api: 'spend-limit' } }, new Date(T));
    expect(fault.expiresAt).toBeUndefined();
    expect(store.take(send, T + 365 * 86_400_000)?.id).toBe(fault.id);
  });

  it('refuses a forMs that is not a duration, naming it', () => {
    const store = new FaultStore(['primary'], () => 0);
    expect(() => store.add({ match: {}, effect: { api: 'throttle' }, forMs: 'a while' })).toThrow(/forMs/);
  });
});
