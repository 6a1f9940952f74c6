/**
 * One TLS handshake with exactly the settings a connection will use (CA, client certificate and key, server name,
 * ALPN h2), made with node's tls before the SDK connects. The SDK's gRPC channel reports a failed handshake only as
 * "Failed to connect before the deadline", after the whole connect timeout; node's handshake says at once which
 * check failed (an unknown issuer, a name the certificate does not hold, a server without TLS), which
 * ./explain.ts turns into the config field to fix.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { TemporalSettings } from './settings';

export type ProbeResult =
  | { kind: 'ok'; alpn: string | false }
  | { kind: 'tls-error'; code: string; message: string }
  | { kind: 'unreachable'; code: string; message: string };

/** host and port of a gRPC address: `host:port`, `[v6]:port`, or a host alone (port 7233). */
export function hostPort(address: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(address) ?? /^([^:]+)(?::(\d+))?$/.exec(address);
  if (!m) return { host: address, port: 7233 };
  return { host: m[1], port: m[2] ? Number(m[2]) : 7233 };
}

/** Errors that say nothing about the settings: nobody listens, the name does not resolve, no route, no answer. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);

export interface ProbeOptions {
  timeoutMs: number;
  /** Verify the server (default true); false asks only whether it speaks TLS at all. */
  verify?: boolean;
}

export function probeTls(s: TemporalSettings, opts: ProbeOptions): Promise<ProbeResult> {
  const { host, port } = hostPort(s.address);
  const t = s.tls ?? {};
  const servername = t.serverNameOverride ?? (net.isIP(host) ? undefined : host);
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const socket = tls.connect({
      host,
      port,
      servername,
      ALPNProtocols: ['h2'],
      rejectUnauthorized: opts.verify !== false,
      ...(t.serverRootCACertificate ? { ca: Buffer.from(t.serverRootCACertificate) } : {}),
      ...(t.clientCertPair ? { cert: Buffer.from(t.clientCertPair.crt), key: Buffer.from(t.clientCertPair.key) } : {}),
      // node checks the certificate against servername when set (else the host; an IP against its IP SANs).
    });
    const timer = setTimeout(
      () => done({ kind: 'unreachable', code: 'TIMEOUT', message: `no TLS handshake within ${opts.timeoutMs} ms` }),
      opts.timeoutMs,
    );
    socket.once('secureConnect', () => done({ kind: 'ok', alpn: socket.alpnProtocol ?? false }));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'ERROR';
      done({ kind: UNREACHABLE.has(code) ? 'unreachable' : 'tls-error', code, message: err.message });
    });
    socket.once('close', () =>
      done({ kind: 'tls-error', code: 'ECONNRESET', message: 'the server closed the connection during the handshake' }),
    );
  });
}
