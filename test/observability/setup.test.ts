/**
 * `resilient-sms setup` on the real Temporal dev server: registers the custom search attributes in a fresh
 * namespace, is idempotent, refuses an attribute of the wrong type, and the CLI command says what it did.
 */
import { randomUUID } from 'node:crypto';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { main } from '../../src/cli/main';
import { SEARCH_ATTRIBUTE_KEYS } from '../../src/domain/search-attributes';
import { ensureSearchAttributes, SearchAttributeConflictError } from '../../src/observability/setup';
import { connectTestEnv, testServerAddress } from '../helpers/temporal-env';

const { IndexedValueType } = temporal.api.enums.v1;
const NAMES = SEARCH_ATTRIBUTE_KEYS.map((k) => k.name);

let env: TestWorkflowEnvironment;

async function freshNamespace(): Promise<string> {
  const namespace = `rsms-setup-${randomUUID().slice(0, 8)}`;
  await env.connection.workflowService.registerNamespace({
    namespace,
    workflowExecutionRetentionPeriod: msToTs('1 day'),
  });
  // The namespace cache of the frontend refreshes asynchronously.
  const until = Date.now() + 15_000;
  for (;;) {
    try {
      await env.connection.operatorService.listSearchAttributes({ namespace });
      return namespace;
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function customAttributes(namespace: string): Promise<Record<string, number>> {
  const res = await env.connection.operatorService.listSearchAttributes({ namespace });
  return res.customAttributes;
}

beforeAll(async () => {
  env = await connectTestEnv();
});

afterAll(async () => {
  await env?.teardown();
});

it('registers every custom search attribute in a fresh namespace, then does nothing the second time', async () => {
  const namespace = await freshNamespace();
  const before = await customAttributes(namespace);
  expect(NAMES.filter((n) => n in before)).toEqual([]);

  const first = await ensureSearchAttributes({ connection: env.connection, namespace });
  expect(first.added.sort()).toEqual([...NAMES].sort());
  expect(first.present).toEqual([]);

  const after = await customAttributes(namespace);
  expect(after).toMatchObject({
    SmsStatus: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    SmsChannel: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    SmsRoute: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    SmsLevel: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    SmsAttempts: IndexedValueType.INDEXED_VALUE_TYPE_INT,
    SmsCountry: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    SmsUseCase: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  });

  const second = await ensureSearchAttributes({ connection: env.connection, namespace });
  expect(second.added).toEqual([]);
  expect(second.present.sort()).toEqual([...NAMES].sort());
});

it('is a no-op on the default namespace of the test server (registered at start)', async () => {
  const r = await ensureSearchAttributes({ connection: env.connection, namespace: 'default' });
  expect(r.added).toEqual([]);
  expect(r.present.sort()).toEqual([...NAMES].sort());
});

it('refuses an attribute that exists with another type', async () => {
  const namespace = await freshNamespace();
  await env.connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: { SmsLevel: IndexedValueType.INDEXED_VALUE_TYPE_INT },
  });
  await expect(ensureSearchAttributes({ connection: env.connection, namespace })).rejects.toThrow(
    SearchAttributeConflictError,
  );
  await expect(ensureSearchAttributes({ connection: env.connection, namespace })).rejects.toThrow(
    /SmsLevel is INT, deliverMessage needs KEYWORD/,
  );
  // Nothing else was added either: the operator fixes the conflict first.
  expect(Object.keys(await customAttributes(namespace))).not.toContain('SmsStatus');
});

it('`resilient-sms setup --address … --namespace …` works without a config file and is idempotent', async () => {
  const namespace = await freshNamespace();
  const run = async (): Promise<{ code: number; out: string }> => {
    const printed: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((s: unknown) => void printed.push(String(s)));
    const saved = process.env.RESILIENT_SMS_CONFIG;
    delete process.env.RESILIENT_SMS_CONFIG;
    try {
      const code = await main([
        'node',
        'resilient-sms',
        '--address',
        testServerAddress(),
        '--namespace',
        namespace,
        'setup',
      ]);
      return { code, out: printed.join('\n') };
    } finally {
      log.mockRestore();
      if (saved !== undefined) process.env.RESILIENT_SMS_CONFIG = saved;
    }
  };
  const first = await run();
  expect(first.code).toBe(0);
  expect(first.out).toContain(`namespace ${namespace}: added SmsStatus`);
  const second = await run();
  expect(second.code).toBe(0);
  expect(second.out).toContain('nothing to add; already present: SmsStatus');
});
