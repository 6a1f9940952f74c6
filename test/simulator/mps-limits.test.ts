/**
 * The simulator's per-originator MPS (src/simulator/mps-limits.ts), on a clock the test moves: a bucket of one
 * second of MPS, full at start, refilled at the MPS; a send takes a token per message part; over the limit the
 * answer is AWS's ThrottlingException. Only with the config's `pacing` section.
 */
import { configSchema, type ConfigInput } from '../../src/domain/config';
import { MpsLimits, mpsLimitsFor } from '../../src/simulator/mps-limits';
import { AwsError } from '../../src/simulator/protocol';

const input: ConfigInput = {
  accounts: { primary: {} },
  routes: [
    { id: 'use1', account: 'primary', region: 'us-east-1' },
    { id: 'usw2', account: 'primary', region: 'us-west-2' },
  ],
  originators: {
    US: [
      { route: 'use1', identity: 'tf-1', type: 'toll-free' },
      { route: 'usw2', identity: 'tf-1', type: 'toll-free', mps: 5 },
    ],
    CA: [{ route: 'use1', identity: 'tf-1', type: 'toll-free', mps: 2 }],
  },
  policies: { otp: {} },
  pacing: { enabled: true },
};

function limits() {
  let now = 1_000_000;
  const l = new MpsLimits(configSchema.parse(input), () => now);
  return { l, tick: (ms: number) => (now += ms) };
}

const throttled = (f: () => void) => {
  try {
    f();
  } catch (err) {
    return err instanceof AwsError && err.status === 400 && err.type === 'ThrottlingException';
  }
  return false;
};

it('lets one second of MPS through at once, then throttles until the bucket refills', () => {
  const { l, tick } = limits();
  // tf-1 in us-east-1 is listed twice (3 MPS by type, 2 configured for CA): the lower limit applies.
  expect(l.mpsOf('primary', 'us-east-1', 'tf-1')).toBe(2);
  l.take('primary', 'us-east-1', 'tf-1', 1);
  l.take('primary', 'us-east-1', 'tf-1', 1);
  expect(throttled(() => l.take('primary', 'us-east-1', 'tf-1', 1))).toBe(true);
  tick(499);
  expect(throttled(() => l.take('primary', 'us-east-1', 'tf-1', 1))).toBe(true);
  tick(1);
  expect(throttled(() => l.take('primary', 'us-east-1', 'tf-1', 1))).toBe(false);
});

it('keeps a bucket per account x Region x originator', () => {
  const { l } = limits();
  for (let i = 0; i < 5; i++) l.take('primary', 'us-west-2', 'tf-1', 1);
  expect(throttled(() => l.take('primary', 'us-west-2', 'tf-1', 1))).toBe(true);
  expect(throttled(() => l.take('primary', 'us-east-1', 'tf-1', 1))).toBe(false);
});

it('counts message parts, and lets a body of more parts than the bucket holds go when it is full', () => {
  const { l, tick } = limits();
  l.take('primary', 'us-west-2', 'tf-1', 3);
  expect(throttled(() => l.take('primary', 'us-west-2', 'tf-1', 3))).toBe(true);
  tick(1_000);
  l.take('primary', 'us-west-2', 'tf-1', 7); // 5 tokens: goes, leaves the bucket in debt
  tick(200);
  expect(throttled(() => l.take('primary', 'us-west-2', 'tf-1', 1))).toBe(true);
});

it('never limits an originator the config does not list', () => {
  const { l } = limits();
  for (let i = 0; i < 1_000; i++) l.take('primary', 'us-east-1', 'unknown', 1);
  expect(l.mpsOf('primary', 'us-east-1', 'unknown')).toBeUndefined();
});

it('enforces nothing without the pacing section', () => {
  const { pacing: _pacing, ...rest } = input;
  expect(mpsLimitsFor(configSchema.parse(rest))).toBeUndefined();
  expect(mpsLimitsFor(configSchema.parse({ ...rest, pacing: { enabled: false } }))).toBeDefined();
});
