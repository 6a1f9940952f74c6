/**
 * One Temporal dev server (Temporal CLI, in-memory SQLite) is started for the whole run by test/global-setup.ts;
 * tests reach it through process.env.TEMPORAL_TEST_ADDRESS (see test/helpers/temporal-env.ts).
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/src'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/lib/', '<rootDir>/.tools/', '<rootDir>/.data/'],
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
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60_000,
  // 2-core machines: the dev server and the workflow bundler need CPU too. Override with --maxWorkers / --runInBand.
  maxWorkers: 2,
};
