/**
 * PumpingOperators (src/pumping/operators.ts) over a client double: a key that is not blocked, or whose block ends
 * between the view and the update (the workflow's validator refuses it), is a NothingToUnblockError (API 404), not
 * an internal error; a blocked key is unblocked with the caller named.
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { NothingToUnblockError, PumpingOperators } from '../../src/pumping/operators';
import type { PumpingView } from '../../src/workflows/pumping-definitions';
import { apiTestConfig } from '../api/doubles';

const block = { key: 'prefix:+1900234', since: 1, until: 2, why: 'conversion 0%' };
const VIEW: PumpingView = { at: 1, blocks: [block], keys: [] };

function operators(update: () => Promise<unknown>, updates: unknown[] = []): PumpingOperators {
  const handle = {
    query: () => Promise.resolve(VIEW),
    executeUpdate: (_def: unknown, opts: { args: unknown[] }) => {
      updates.push(...opts.args);
      return update();
    },
  };
  const client = { workflow: { getHandle: () => handle } } as unknown as Pick<Client, 'workflow'>;
  return new PumpingOperators({ client, config: apiTestConfig() });
}

it('unblocks a blocked key, naming who', async () => {
  const updates: unknown[] = [];
  const answer = await operators(() => Promise.resolve(block), updates).unblock('+1900234', 'api:ops');
  expect(answer).toEqual({ workflowId: expect.stringMatching(/^pumping-guard:/), unblocked: block });
  expect(updates).toEqual([{ key: 'prefix:+1900234', by: 'api:ops' }]);
});

it('refuses a key that is not blocked without an update', async () => {
  const updates: unknown[] = [];
  await expect(operators(() => Promise.resolve(block), updates).unblock('GB', 'api:ops')).rejects.toThrow(
    new NothingToUnblockError('country:GB'),
  );
  expect(updates).toEqual([]);
});

it('answers NothingToUnblockError when the block ended before the update (the validator refused it)', async () => {
  const refused = () =>
    Promise.reject(
      new WorkflowUpdateFailedError('Workflow Update failed', new Error('prefix:+1900234 is not blocked')),
    );
  const err = await operators(refused)
    .unblock('+1900234', 'api:ops')
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(NothingToUnblockError);
  expect((err as Error).message).toBe('nothing to unblock: prefix:+1900234 is not blocked');
});

it('lets any other failure through (the API maps Temporal being unreachable to 503)', async () => {
  const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  await expect(operators(() => Promise.reject(down)).unblock('+1900234', 'api:ops')).rejects.toBe(down);
});
