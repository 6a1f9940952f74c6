/**
 * A query cut off at its deadline is reported as "no answer within …, is a worker running", whatever status the
 * client fails it with: under load the SDK's "Failed to query Workflow" came back with another status than
 * DEADLINE_EXCEEDED (a fake client here; the dev-server case is in operators.test.ts).
 */
import type { Client } from '@temporalio/client';
import { configSchema } from '../../src/domain/config';
import { RouteOperators } from '../../src/health/operators';

const config = configSchema.parse({
  accounts: { primary: { credentials: { type: 'default' } } },
  routes: [{ id: 'r', account: 'primary', region: 'us-east-1' }],
  originators: { US: [{ route: 'r', identity: 'pool-1', kind: 'pool', type: 'short-code' }] },
  policies: { otp: {} },
  temporal: { taskQueue: 'tq' },
  routeHealth: { enabled: true },
});

/** A client whose query fails with `error` once `afterMs` have passed. */
function failingClient(error: Error, afterMs: number): Client {
  return {
    withDeadline: <R>(_deadline: number, fn: () => Promise<R>) => fn(),
    workflow: {
      getHandle: () => ({
        query: () => new Promise((_resolve, reject) => setTimeout(() => reject(error), afterMs)),
      }),
    },
  } as unknown as Client;
}

const serviceError = () => Object.assign(new Error('Failed to query Workflow'), { cause: { code: 1 } });

it('names the task queues when the query failed at its deadline with another status', async () => {
  const ops = new RouteOperators({ client: failingClient(serviceError(), 80), config, timeoutMs: 50 });
  await expect(ops.routes()).rejects.toThrow(
    'routes: no answer from route-health:tq within 50 ms (is a worker running for task queue tq? ' +
      'route health runs on tq-shared-state)',
  );
});

it('passes on an error that came before the deadline', async () => {
  const ops = new RouteOperators({ client: failingClient(serviceError(), 0), config, timeoutMs: 5_000 });
  await expect(ops.routes()).rejects.toThrow(/^Failed to query Workflow$/);
});
