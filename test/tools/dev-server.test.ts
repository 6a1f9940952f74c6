/** Smoke test: the jest-wide dev server is reachable and runs a bundled workflow on a real Worker. */
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { connectTestEnv, uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal-env';
import { smokeNameSignal, smokeStateQuery, smokeWorkflow } from '../helpers/temporal-smoke-workflow';

describe('Temporal dev server (jest global setup)', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await connectTestEnv();
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('answers system info and has the custom search attributes', async () => {
    const info = await env.connection.workflowService.getSystemInfo({});
    expect(info.serverVersion).toBeTruthy();
    const attrs = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    expect(Object.keys(attrs.customAttributes)).toEqual(expect.arrayContaining(['SmsStatus', 'SmsUseCase']));
  });

  it('runs a workflow on a Worker (workflowsPath + runUntil), with a signal and a query', async () => {
    const taskQueue = uniqueTaskQueue('smoke');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../helpers/temporal-smoke-workflow'),
    });
    const result = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(smokeWorkflow, {
        taskQueue,
        workflowId: uniqueWorkflowId('smoke'),
        args: ['Hello'],
      });
      expect(await handle.query(smokeStateQuery)).toBe('waiting');
      await handle.signal(smokeNameSignal, 'Temporal');
      return await handle.result();
    });
    expect(result).toBe('Hello, Temporal!');
  });
});
