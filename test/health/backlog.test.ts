/**
 * The message workflows' task backlog age, read from the real Temporal dev server (`DescribeTaskQueue` with
 * `reportStats`): 0 when nothing waits, at least the time waited when workflow tasks wait for a worker that is not
 * there, and undefined (not an error) when Temporal does not answer.
 */
import { Client, Connection } from '@temporalio/client';
import { durationMs, workflowBacklogAge } from '../../src/health/backlog';
import { testServerAddress, uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal-env';

describe('durationMs', () => {
  it('reads seconds as a Long, a number or a string, and nanos', () => {
    expect(durationMs({ seconds: { toNumber: () => 3 }, nanos: 54_084_041 })).toBe(3054);
    expect(durationMs({ seconds: 2 })).toBe(2000);
    expect(durationMs({ seconds: '1', nanos: 0 })).toBe(1000);
    expect(durationMs({ nanos: 999_999 })).toBe(0);
  });

  it('refuses what is not a duration, and caps an absurd one at an hour', () => {
    expect(durationMs(undefined)).toBeUndefined();
    expect(durationMs({ seconds: 'soon' })).toBeUndefined();
    expect(durationMs({ seconds: -5 })).toBeUndefined();
    expect(durationMs({ seconds: 86_400 })).toBe(3_600_000);
  });
});

describe('workflowBacklogAge on the dev server', () => {
  let connection: Connection;
  let client: Client;

  beforeAll(async () => {
    connection = await Connection.connect({ address: testServerAddress() });
    client = new Client({ connection });
  });

  afterAll(async () => {
    await connection.close();
  });

  it('is 0 for a task queue where nothing waits', async () => {
    await expect(workflowBacklogAge(client, 'default', uniqueTaskQueue('backlog-none'))()).resolves.toBe(0);
  });

  it('is at least the time the oldest workflow task has waited for a worker', async () => {
    const taskQueue = uniqueTaskQueue('backlog');
    const handles = [];
    for (let i = 0; i < 3; i++) {
      handles.push(
        await client.workflow.start('nobodyRunsThis', { taskQueue, workflowId: uniqueWorkflowId('backlog') }),
      );
    }
    const waitedFrom = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const age = await workflowBacklogAge(client, 'default', taskQueue)();
    const waited = Date.now() - waitedFrom;
    expect(age).toBeGreaterThanOrEqual(1000);
    expect(age).toBeLessThanOrEqual(waited + 5000);
    await Promise.all(handles.map((h) => h.terminate('test over')));
  });

  it('resolves undefined when Temporal does not answer', async () => {
    const unreachable = await Connection.connect({ address: testServerAddress() });
    const probe = workflowBacklogAge(new Client({ connection: unreachable }), 'default', 'tq', 500);
    await unreachable.close();
    await expect(probe()).resolves.toBeUndefined();
  });
});
