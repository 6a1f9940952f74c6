/**
 * Access to the Temporal dev server started once per jest run by test/global-setup.ts.
 *
 *   const env = await connectTestEnv();           // in beforeAll
 *   const taskQueue = uniqueTaskQueue('deliver');  // per test: no cross-talk between tests/workers
 *   await env.teardown();                          // in afterAll (closes connections, not the server)
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type LogLevel, type Logger } from '@temporalio/worker';

/** For `bundleWorkflowCode({ logger })`: the bundler's progress lines would only add noise to test output. */
export const SILENT_BUNDLER_LOGGER: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

/**
 * Installs the Temporal Runtime with a quiet logger (ERROR; override with TEMPORAL_TEST_LOG_LEVEL=WARN|INFO|DEBUG…)
 * unless a Runtime already exists in this process. Must run before the first Worker/connection: connectTestEnv()
 * calls it. Not WARN: the tests provoke failed sends on purpose, and each one's WARN lines ("SMS send failed",
 * "Activity failed" with its stack, ~40 lines) go straight to stderr, past jest's `silent`; a failing test shows
 * its own assertion instead.
 */
export function installTestRuntime(): void {
  const level = (process.env.TEMPORAL_TEST_LOG_LEVEL ?? 'ERROR').toUpperCase() as LogLevel;
  try {
    Runtime.install({ logger: new DefaultLogger(level) });
  } catch {
    // Already installed or instantiated in this process (e.g. --runInBand after global setup): keep it.
  }
}

export function testServerAddress(): string {
  const address = process.env.TEMPORAL_TEST_ADDRESS;
  if (!address) {
    throw new Error(
      'TEMPORAL_TEST_ADDRESS is not set: a test that needs Temporal belongs to the integration project (list it in ' +
        'INTEGRATION in jest.config.js; its global setup starts the dev server), or set it to a running server.',
    );
  }
  return address;
}

export async function connectTestEnv(namespace = 'default'): Promise<TestWorkflowEnvironment> {
  installTestRuntime();
  return await TestWorkflowEnvironment.createFromExistingServer({ address: testServerAddress(), namespace });
}

/** A task queue name unique to this call, e.g. `deliver-lx3k9a-1f2e3d4c`. */
export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
}

/** A workflow id unique to this call. */
export function uniqueWorkflowId(prefix = 'wf'): string {
  return `${prefix}-${randomUUID()}`;
}
