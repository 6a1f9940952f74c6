/**
 * A transparent HTTP proxy in front of an emulator (moto, the simulator) that records every request the real SDK
 * client sends, so a test can assert "exactly one request per send" and inspect the wire body. It can also answer
 * the next request(s) itself with a canned response, for service errors the emulator cannot produce (throttling,
 * 5xx): the SDK then parses a real wire-format error.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** SigV4 credential scope of the Authorization header. */
  accessKeyId?: string;
  region?: string;
  signingService?: string;
  /** Answered by an injected response instead of the emulator. */
  injected: boolean;
}

export interface CannedResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export interface RecordingProxy {
  url: string;
  requests: ProxiedRequest[];
  /** Answer the next `count` requests (default 1) with `response` instead of forwarding them. */
  inject(response: CannedResponse, count?: number): void;
  reset(): void;
  close(): Promise<void>;
}

const SCOPE = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const requests: ProxiedRequest[] = [];
  const canned: CannedResponse[] = [];

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const scope = SCOPE.exec(String(req.headers.authorization ?? ''));
      const injectedResponse = canned.shift();
      requests.push({
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: body.toString('utf8'),
        ...(scope ? { accessKeyId: scope[1], region: scope[2], signingService: scope[3] } : {}),
        injected: injectedResponse !== undefined,
      });
      if (injectedResponse) {
        res.writeHead(injectedResponse.status, {
          'Content-Length': String(Buffer.byteLength(injectedResponse.body)),
          ...injectedResponse.headers,
        });
        res.end(injectedResponse.body);
        return;
      }
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      forward.on('error', () => req.socket.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inject(response, count = 1) {
      for (let i = 0; i < count; i++) canned.push(response);
    },
    reset() {
      requests.length = 0;
      canned.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
