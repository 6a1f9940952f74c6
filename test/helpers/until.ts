/**
 * Polls `read` every 200 ms until `ok` accepts its value, for the tests that wait on processes (a status, a send
 * log). A read that throws counts as "not yet". Fails after `ms`, naming `what` and the last value read.
 */
export async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < end) {
    try {
      last = await read();
      if (ok(last)) return last;
    } catch (err) {
      lastError = err; // not there yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const error = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last, null, 1)?.slice(0, 4000)}${error}`);
}
