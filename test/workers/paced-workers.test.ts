/**
 * The paced originators of a worker (src/workers/paced-workers.ts): every SMS originator once per account x Region x
 * identity, its MPS (the lowest of its entries) and the dispatch rate its Worker asks the server for; none without
 * pacing on.
 */
import { configSchema, type ConfigInput } from '../../src/domain/config';
import { pacedOriginators, pacedSlots } from '../../src/workers/paced-workers';

const input: ConfigInput = {
  accounts: { primary: {} },
  routes: [{ id: 'use1', account: 'primary', region: 'us-east-1' }],
  originators: {
    US: [
      { route: 'use1', identity: 'sc-1', type: 'short-code' },
      { route: 'use1', identity: 'tf-1', type: 'toll-free' },
    ],
    CA: [{ route: 'use1', identity: 'tf-1', type: 'toll-free', mps: 2 }],
  },
  policies: { otp: {} },
  pacing: { enabled: true },
};

it('lists each originator once, with the lowest MPS of its entries and its dispatch rate', () => {
  expect(pacedOriginators(configSchema.parse(input), 'rsms')).toEqual([
    {
      account: 'primary',
      region: 'us-east-1',
      originator: 'sc-1',
      mps: 100,
      rate: 91.5,
      taskQueue: 'rsms/send/primary/us-east-1/sc-1',
    },
    {
      account: 'primary',
      region: 'us-east-1',
      originator: 'tf-1',
      mps: 2,
      rate: 1,
      taskQueue: 'rsms/send/primary/us-east-1/tf-1',
    },
  ]);
});

it('runs no paced worker without pacing on', () => {
  expect(pacedOriginators(configSchema.parse({ ...input, pacing: { enabled: false } }), 'rsms')).toEqual([]);
  const { pacing: _pacing, ...off } = input;
  expect(pacedOriginators(configSchema.parse(off), 'rsms')).toEqual([]);
});

test('a paced Worker runs one second of MPS plus one sends at once, so waiting sends stay on the server', () => {
  expect(pacedSlots(1)).toBe(2);
  expect(pacedSlots(5)).toBe(6);
  expect(pacedSlots(2.5)).toBe(4);
  expect(pacedSlots(100)).toBe(101);
});
