/**
 * Two jest projects, chosen by one rule: a test that needs a server (the Temporal dev server, moto, a spawned
 * process or the whole local stack) is listed in INTEGRATION below; every other test is in the `unit` project.
 * `npm run test:unit` (`jest --selectProjects unit`) therefore starts no server; plain `jest` runs both.
 *
 * The `integration` project alone has the global setup that starts one Temporal dev server (Temporal CLI,
 * in-memory SQLite) for the run; tests reach it through process.env.TEMPORAL_TEST_ADDRESS (see
 * test/helpers/temporal-env.ts). Jest runs a project's global setup only when a test of that project is selected.
 * @type {import('jest').Config}
 */
const path = require('node:path');

// The AWS SDK's "will require node >=22" warning, silenced as in src/cli/main.ts (jest's workers inherit this).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Folders (ending in `/`) and files, relative to the repository root, whose tests need a server. */
const INTEGRATION = [
  'test/e2e/',
  'test/browser/',
  'test/compose/',
  'test/package/',
  'test/bench/',
  'test/activities/email.test.ts',
  'test/aws/keep-alive.test.ts',
  'test/canaries/schedules.test.ts',
  'test/activities/push.test.ts',
  'test/activities/voice.test.ts',
  'test/api/end-to-end.test.ts',
  'test/health/backlog.test.ts',
  'test/api/local-stack-security.test.ts',
  'test/api/schemathesis.test.ts',
  'test/chaos/chaos.test.ts',
  'test/chaos/dlr-chaos.test.ts',
  'test/cli/node-version-warning.test.ts',
  'test/cli/config-check.test.ts',
  'test/cli/send-wait.test.ts',
  'test/health/operators.test.ts',
  'test/gameday/gameday.test.ts',
  'test/hostile/lifecycle.test.ts',
  'test/health/worker.test.ts',
  'test/hostile/receipts.test.ts',
  'test/ingester/health-events.test.ts',
  'test/ingester/ingester.test.ts',
  'test/infra/cfn-lint.test.ts',
  'test/observability/metrics-endpoint.test.ts',
  'test/observability/setup.test.ts',
  'test/report/report.test.ts',
  'test/simulator/simulator.test.ts',
  'test/simulator/send-parameters-sdk.test.ts',
  'test/simulator/mps-limits-sdk.test.ts',
  'test/simulator/whatsapp-statuses.test.ts',
  'test/simulator/ses-events.test.ts',
  'test/simulator/ses-setup.test.ts',
  'test/stack/signals.test.ts',
  'test/temporal/tls-endpoint.test.ts',
  'test/tools/dev-server.test.ts',
  'test/tools/moto.test.ts',
  'test/tools/start-dev-server.test.ts',
  'test/workflows/deliver-message.test.ts',
  'test/workflows/deliver-message-health.test.ts',
  'test/workflows/deliver-message-request.test.ts',
  'test/workflows/deliver-message-pacing.test.ts',
  'test/workflows/route-health.test.ts',
  'test/workers/shared-state-worker.test.ts',
  'test/workflows/opt-out-propagation.test.ts',
  'test/ingester/inbound-sms.test.ts',
  'test/webhooks/delivery.test.ts',
  'test/webhooks/python-snippet.test.ts',
];

/** A regular expression matching the absolute paths of one INTEGRATION entry. */
function integrationPattern(entry) {
  const escaped = path.join(__dirname, entry).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return entry.endsWith('/') ? `^${escaped}.*\\.test\\.ts$` : `^${escaped}$`;
}
const integrationPatterns = INTEGRATION.map(integrationPattern);

const ignored = ['/node_modules/', '<rootDir>/lib/', '<rootDir>/.tools/', '<rootDir>/.data/'];

/** What both projects share. */
const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/src'],
  modulePathIgnorePatterns: ['<rootDir>/lib/', '<rootDir>/.tools/', '<rootDir>/.data/'],
  transform: {
    '^.+\\.tsx?$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json', 'node'],
  // Node's own errors (ECONNREFUSED, ...) must stay `instanceof Error` inside jest's sandbox, as in production.
  setupFiles: ['<rootDir>/test/helpers/cross-realm-errors.ts'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: [...ignored, ...integrationPatterns],
    },
    {
      ...common,
      displayName: 'integration',
      testRegex: integrationPatterns,
      testPathIgnorePatterns: ignored,
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
  ],
  testTimeout: 60_000,
  // A passing run fits on a screen: the tests' console output (worker and server logs, errors the code under test
  // logs on purpose) is not printed, and the summary reporter prints one line per failed suite, each failure with
  // its message and stack, and the totals. RSMS_TEST_VERBOSE=1 prints the console and every suite's result again.
  silent: !process.env.RSMS_TEST_VERBOSE,
  reporters: [process.env.RSMS_TEST_VERBOSE ? 'default' : ['summary', { summaryThreshold: 0 }]],
  // 2-core machines: the dev server and the workflow bundler need CPU too. Override with --maxWorkers / --runInBand.
  maxWorkers: 2,
};
