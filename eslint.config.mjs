// @ts-check
import { builtinModules } from 'node:module';
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [...new Set(builtinModules.filter((m) => !m.startsWith('_')))];

/** Workflow code runs in Temporal's deterministic sandbox and is bundled by the worker: no I/O, no SDK clients. */
const workflowImportRestrictions = {
  paths: [
    ...NODE_BUILTINS.map((name) => ({
      name,
      message: 'Workflow code must be deterministic: no Node built-ins. Do I/O in an activity.',
    })),
    ...['@temporalio/activity', '@temporalio/worker', '@temporalio/client'].map((name) => ({
      name,
      message: 'Workflows may only import @temporalio/workflow and @temporalio/common.',
    })),
  ],
  patterns: [
    {
      group: ['node:*'],
      message: 'Workflow code must be deterministic: no Node built-ins. Do I/O in an activity.',
    },
    {
      group: ['@aws-sdk/*', '@smithy/*', 'aws-sdk', 'aws-sdk/*'],
      message: 'Workflows never call AWS: do it in an activity.',
    },
    {
      regex: '^\\.{1,2}/(?:.*/)?activities(?:/.*)?$',
      allowTypeImports: true,
      message:
        'Workflows import activity *types* only: `import type { createActivities } from ...` + proxyActivities<ReturnType<typeof createActivities>>().',
    },
  ],
};

export default tseslint.config(
  {
    ignores: ['lib/', 'node_modules/', '.tools/', '.data/', 'coverage/', 'test-results/'],
  },
  eslint.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // jest's asymmetric matchers (expect.anything(), expect.objectContaining()) are typed `any`, and
    // expect(mock.method) is not an unbound call.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // A function a newcomer can hold in their head, a file of one idea (tests are exempt: a table of cases is long).
    files: ['src/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', workflowImportRestrictions],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
  },
);
