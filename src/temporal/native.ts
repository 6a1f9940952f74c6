/**
 * The worker's NativeConnection (Temporal Core), from the same settings as every client connection (./connect.ts):
 * NativeConnectionOptions take the same `tls` and `apiKey`. Core has no connect timeout of its own here, so the
 * connect is raced against the settings' one; a bad setting fails with the field to fix (./explain.ts).
 */
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { checkTls, connectTimeoutOf, type ConnectOptions } from './connect';
import { explainConnectError, unreachable } from './explain';
import type { TemporalSettings } from './settings';

export function nativeConnectionOptions(s: TemporalSettings): NativeConnectionOptions {
  return {
    address: s.address,
    tls: s.tls ?? null,
    ...(s.apiKey !== undefined ? { apiKey: s.apiKey } : {}),
  };
}

export interface NativeConnectOptions extends ConnectOptions {
  /** The caller tried the settings already (./connect.ts `preflight`, before the Runtime): no TLS handshake first. */
  checked?: boolean;
}

export async function connectNative(s: TemporalSettings, opts: NativeConnectOptions = {}): Promise<NativeConnection> {
  const timeoutMs = connectTimeoutOf(s, opts.defaultTimeoutMs);
  if (!opts.checked) await checkTls(s, timeoutMs);
  const connecting = NativeConnection.connect(nativeConnectionOptions(s));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  try {
    const first = await Promise.race([connecting, timedOut]);
    if (first === 'timeout') {
      // A connection that still comes is closed, not leaked.
      connecting
        .then(
          (c) => c.close(),
          () => undefined,
        )
        .catch(() => undefined);
      throw unreachable(s, undefined, timeoutMs);
    }
    return first;
  } catch (err) {
    throw await explainConnectError(s, err, timeoutMs);
  } finally {
    clearTimeout(timer);
  }
}
