/**
 * The shared-state task queue (src/domain/shared-state.ts): `<taskQueue>-shared-state`; where a shared-state workflow
 * continues as new (a run on the main queue moves over, a run already there stays); a main task queue that ends like
 * a shared-state queue is refused by the config, naming the field and why.
 */
import { configSchema } from '../../src/domain/config';
import { parseOrThrow } from '../../src/domain/errors';
import { continuationTaskQueue, isSharedStateTaskQueue, sharedStateTaskQueue } from '../../src/domain/shared-state';

it('names the shared-state queue after the main one', () => {
  expect(sharedStateTaskQueue('resilient-sms')).toBe('resilient-sms-shared-state');
  expect(isSharedStateTaskQueue('resilient-sms-shared-state')).toBe(true);
  expect(isSharedStateTaskQueue('resilient-sms')).toBe(false);
});

it('continues a run of the main queue on the shared-state queue, and one already there where it is', () => {
  expect(continuationTaskQueue('resilient-sms')).toBe('resilient-sms-shared-state');
  expect(continuationTaskQueue('resilient-sms-shared-state')).toBe('resilient-sms-shared-state');
});

it('refuses a main task queue ending in -shared-state, saying why', () => {
  const base = {
    accounts: { primary: { credentials: { type: 'static', accessKeyId: 'AKID', secretAccessKey: 'x' } } },
    routes: [{ id: 'r', account: 'primary', region: 'us-east-1', endpoint: 'http://127.0.0.1:4599' }],
    originators: { US: [{ route: 'r', identity: 'pool-1', type: 'short-code' }] },
    policies: { otp: {} },
  };
  expect(() => parseOrThrow(configSchema, { ...base, temporal: { taskQueue: 'sms-shared-state' } }, 'config')).toThrow(
    /temporal\.taskQueue.*must not end with "-shared-state": that suffix names the queue of the shared-state workflows/s,
  );
  expect(parseOrThrow(configSchema, { ...base, temporal: { taskQueue: 'sms' } }, 'config').temporal.taskQueue).toBe(
    'sms',
  );
});
