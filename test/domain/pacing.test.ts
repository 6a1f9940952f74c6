/**
 * Pacing in the config and the plan (src/domain/pacing.ts): each originator's MPS (its own, else AWS's published
 * figure for its type), the dispatch rate the workers ask for, and the plan fields a config with `pacing` gives
 * SMS rungs (`mps`) and the policy (`priorityKey`); without the section a plan is exactly what it was before.
 */
import { configSchema, type ConfigInput } from '../../src/domain/config';
import { DEFAULT_MPS, dispatchRate, originatorMps, pacedTaskQueue, priorityOf } from '../../src/domain/pacing';
import { resolveMessage } from '../../src/domain/resolve';
import { fixtureConfigInput } from '../helpers/fixtures';

function pacedInput(): ConfigInput {
  const input = fixtureConfigInput();
  input.originators.US[0] = { ...input.originators.US[0], mps: 20 };
  return {
    ...input,
    pacing: { enabled: true },
    policies: { otp: {}, notice: {}, digest: { priority: 'low' } },
  };
}

const send = (useCase: string) => ({ destination: '+14255550123', body: 'hello', useCase, idempotencyKey: 'k1' });

describe('originator MPS', () => {
  it('takes the originator’s own mps, else AWS’s published figure for its type', () => {
    expect(originatorMps({ type: 'short-code' })).toBe(100);
    expect(originatorMps({ type: 'toll-free' })).toBe(3);
    expect(originatorMps({ type: '10dlc' })).toBe(1);
    expect(originatorMps({ type: '10dlc', mps: 15 })).toBe(15);
    expect(DEFAULT_MPS['sender-id']).toBe(10);
  });

  it('refuses an mps that is not a positive number, naming the field', () => {
    const input = fixtureConfigInput();
    input.originators.US[0] = { ...input.originators.US[0], mps: 0 };
    const result = configSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].path).toEqual(['originators', 'US', 0, 'mps']);
  });

  it('refuses an unknown key in the pacing section', () => {
    const result = configSchema.safeParse({ ...fixtureConfigInput(), pacing: { enabled: true, mpss: 3 } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].path).toEqual(['pacing']);
  });
});

describe('dispatchRate', () => {
  it('keeps the server’s opening burst within one second of MPS and any 5 s within 110 %', () => {
    expect(dispatchRate(100)).toBe(91.5);
    expect(dispatchRate(20)).toBe(18.166);
    expect(dispatchRate(10)).toBe(9);
    expect(dispatchRate(3)).toBe(2);
    expect(dispatchRate(2)).toBe(1);
    expect(dispatchRate(1)).toBe(0.476);
  });
});

describe('the plan with pacing on', () => {
  it('gives every SMS rung its originator’s MPS and OTPs the high priority', () => {
    const { plan } = resolveMessage(configSchema.parse(pacedInput()), send('otp'));
    expect(plan.rungs.map((r) => r.mps)).toEqual([20, 1, 100, 3, 100, 1]);
    expect(plan.policy.priorityKey).toBe(1);
  });

  it('gives other use cases the normal priority unless their policy names one', () => {
    const config = configSchema.parse(pacedInput());
    expect(resolveMessage(config, send('notice')).plan.policy.priorityKey).toBe(3);
    expect(resolveMessage(config, send('digest')).plan.policy.priorityKey).toBe(5);
    expect(priorityOf('otp', 'low')).toBe('low');
  });

  it('adds nothing without the pacing section (plans as before)', () => {
    const { plan } = resolveMessage(configSchema.parse(fixtureConfigInput()), send('otp'));
    expect(plan.rungs.some((r) => 'mps' in r)).toBe(false);
    expect('priorityKey' in plan.policy).toBe(false);
  });

  it('adds nothing with pacing switched off', () => {
    const config = configSchema.parse({ ...pacedInput(), pacing: { enabled: false } });
    const { plan } = resolveMessage(config, send('otp'));
    expect(plan.rungs.some((r) => 'mps' in r)).toBe(false);
  });
});

describe('pacedTaskQueue', () => {
  it('names one queue per account x Region x originator under the worker’s task queue', () => {
    expect(pacedTaskQueue('rsms', { account: 'primary', region: 'us-east-1', originator: 'pool-1' })).toBe(
      'rsms/send/primary/us-east-1/pool-1',
    );
  });
});
