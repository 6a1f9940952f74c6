/**
 * Starts ONE Temporal dev server for the whole jest run and publishes its address in
 * process.env.TEMPORAL_TEST_ADDRESS (jest workers are forked after this and inherit it).
 * Set TEMPORAL_TEST_ADDRESS yourself to run the tests against a server you started.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTE_KEYS } from '../src/domain/search-attributes';
import { requireTemporalCli } from '../src/tools/temporal-cli';
import { buildLib } from './helpers/build-lib';
import { installTestRuntime } from './helpers/temporal-env';

declare global {
  // Shared with test/global-teardown.ts (same process).
  var __TEMPORAL_TEST_ENV__: TestWorkflowEnvironment | undefined;
}

export default async function globalSetup(): Promise<void> {
  // Once, before any suite runs a stack from lib/ (see test/helpers/build-lib.ts).
  buildLib();
  if (process.env.TEMPORAL_TEST_ADDRESS) {
    console.log(`\n[temporal] using existing server at ${process.env.TEMPORAL_TEST_ADDRESS}`);
    return;
  }
  const executable = requireTemporalCli();
  installTestRuntime();
  const started = Date.now();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: executable },
      ip: '127.0.0.1',
      // Server logs are mostly noise in tests (e.g. "context canceled" when a worker stops mid-poll); failures
      // surface through the client anyway. TEMPORAL_TEST_SERVER_LOG_LEVEL=warn|error|info to see them.
      log: { format: 'pretty', level: process.env.TEMPORAL_TEST_SERVER_LOG_LEVEL ?? 'never' },
      searchAttributes: [...SEARCH_ATTRIBUTE_KEYS],
      extraArgs: [
        '--dynamic-config-value',
        'system.forceSearchAttributesCacheRefreshOnRead=true',
        '--dynamic-config-value',
        'frontend.enableUpdateWorkflowExecution=true',
        '--dynamic-config-value',
        'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
      ],
    },
  });
  globalThis.__TEMPORAL_TEST_ENV__ = env;
  process.env.TEMPORAL_TEST_ADDRESS = env.address;
  console.log(`\n[temporal] dev server ready at ${env.address} in ${Date.now() - started} ms (${executable})`);
}
