/**
 * The first connection never hangs (src/temporal/connect.ts): against a server that accepts and never answers, the
 * client connection fails after the settings' connect timeout with the reason, over TLS and in plain TCP. A
 * TCP listener in this process stands in for the server.
 */
import net from 'node:net';
import { connectClient } from '../../src/temporal/connect';
import { TemporalUnreachableError } from '../../src/temporal/errors';
import type { TemporalSettings } from '../../src/temporal/settings';

let silent: net.Server;
const sockets = new Set<net.Socket>();
let address: string;

beforeAll(async () => {
  silent = net.createServer((s) => sockets.add(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  address = `127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
});

async function failure(s: TemporalSettings): Promise<Error> {
  try {
    await connectClient(s);
  } catch (err) {
    return err as Error;
  }
  throw new Error('connected to a server that never answers');
}

it.each([
  ['TLS', { tls: { serverNameOverride: 'temporal.test' } }],
  ['plain TCP', {}],
])('%s: a server that never answers fails with the connect timeout, naming it', async (_what, extra) => {
  const err = await failure({ address, namespace: 'default', connectTimeoutMs: 300, fields: {}, ...extra });
  expect(err).toBeInstanceOf(TemporalUnreachableError);
  expect(err.message).toBe(
    `no answer from Temporal at ${address} within 300 ms (temporal.connectTimeout): is the address right and the server up?`,
  );
});
