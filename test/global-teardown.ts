/** Stops the Temporal dev server started by test/global-setup.ts. */
export default async function globalTeardown(): Promise<void> {
  const env = globalThis.__TEMPORAL_TEST_ENV__;
  globalThis.__TEMPORAL_TEST_ENV__ = undefined;
  await env?.teardown();
}
