/** SignalledCache: which receipts the ingester may acknowledge without a signal, bounded, and undone on failure. */
import type { DlrSignal } from '../../src/domain/delivery-event';
import { SignalledCache } from '../../src/ingester/signalled-cache';

const base: DlrSignal = {
  attempt: 1,
  eventType: 'TEXT_DELIVERED',
  status: 'DELIVERED',
  isFinal: true,
  messageId: 'm-1',
  eventTimestamp: 1,
  origin: { account: 'primary', region: 'us-east-1' },
  destinationTag: '0123456789abcdef',
};

describe('SignalledCache', () => {
  it('drops exact duplicates and further settling receipts of a settled attempt, counting each', () => {
    const cache = new SignalledCache();
    expect(cache.dropCount('w', base)).toBeUndefined();
    cache.remember('w', base);
    expect(cache.dropCount('w', base)).toBe(0);
    expect(cache.dropCount('w', base)).toBe(1);
    // 600 distinct final receipts for the same attempt: all dropped.
    for (let i = 2; i < 602; i++) expect(cache.dropCount('w', { ...base, eventTimestamp: i })).toBeDefined();
    expect(cache.dropCount('w', { ...base, status: 'BLOCKED', eventType: 'TEXT_BLOCKED' })).toBeDefined();
  });

  it('signals what could change the workflow: another attempt, message id, destination or workflow', () => {
    const cache = new SignalledCache();
    cache.remember('w', base);
    expect(cache.dropCount('w', { ...base, attempt: 2 })).toBeUndefined();
    expect(cache.dropCount('w', { ...base, messageId: 'm-2' })).toBeUndefined();
    expect(cache.dropCount('w', { ...base, destinationTag: 'fedcba9876543210' })).toBeUndefined();
    expect(cache.dropCount('w2', base)).toBeUndefined();
  });

  it('after an intermediate or unknown-status receipt, a settling one is still signalled', () => {
    const cache = new SignalledCache();
    cache.remember('w', { ...base, isFinal: false, status: 'PENDING', eventType: 'TEXT_PENDING' });
    cache.remember('w', { ...base, status: 'SOMETHING_NEW', eventTimestamp: 5 });
    expect(cache.dropCount('w', base)).toBeUndefined();
  });

  it('forgets a receipt whose signal did not succeed, and the oldest entries past its capacity', () => {
    const cache = new SignalledCache(4);
    const keys = cache.remember('w', base);
    expect(keys).toHaveLength(2);
    cache.forget(keys);
    expect(cache.dropCount('w', base)).toBeUndefined();
    cache.remember('w', base);
    for (let i = 2; i < 5; i++) cache.remember('w', { ...base, attempt: i });
    expect(cache.dropCount('w', base)).toBeUndefined();
    expect(cache.dropCount('w', { ...base, attempt: 4 })).toBe(0);
  });
});
