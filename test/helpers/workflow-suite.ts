/**
 * The setup every dev-server suite of deliverMessage repeats: a connection to the run's Temporal dev server, a fake
 * AWS End User Messaging SMS endpoint (./sms-v2-endpoint.ts) and the workflow bundle, made once per file and torn
 * down after it. Call it at the top level of a suite; its fields are set once `beforeAll` has run.
 *
 *   const suite = useWorkflowSuite();
 *   it('…', async () => { suite.sms.on('SendTextMessage', …); await suite.env.client.workflow.start(…); });
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { workflowsPath } from '../../src/workers/worker';
import { startSmsV2Endpoint, type SmsV2Endpoint } from './sms-v2-endpoint';
import { connectTestEnv, SILENT_BUNDLER_LOGGER } from './temporal-env';

export interface WorkflowSuite {
  env: TestWorkflowEnvironment;
  sms: SmsV2Endpoint;
  bundle: WorkflowBundleWithSourceMap;
}

export interface WorkflowSuiteOptions {
  /** For a suite whose workflow failures are encrypted too (`failureConverterPath()` of src/codec). */
  failureConverterPath?: string;
  /** The setup's timeout, ms (bundling takes a while on a loaded machine). Default 240 000. */
  setupTimeoutMs?: number;
}

export function useWorkflowSuite(opts: WorkflowSuiteOptions = {}): WorkflowSuite {
  const suite = {} as WorkflowSuite;
  beforeAll(async () => {
    suite.env = await connectTestEnv();
    suite.sms = await startSmsV2Endpoint();
    suite.bundle = await bundleWorkflowCode({
      workflowsPath: workflowsPath(),
      failureConverterPath: opts.failureConverterPath,
      logger: SILENT_BUNDLER_LOGGER,
    });
  }, opts.setupTimeoutMs ?? 240_000);
  afterAll(async () => {
    await suite.sms?.close();
    await suite.env?.teardown();
  });
  return suite;
}
