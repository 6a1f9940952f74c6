/**
 * A TLS-terminating gRPC proxy in front of the Temporal dev server, as production puts one (or Temporal Cloud's
 * front door): Debian's nginx with `grpc_pass`, HTTP/2 and the certificates of test/helpers/tls-certs.ts.
 * - `mtlsAddress`: mutual TLS, `ssl_verify_client on` with the test CA (nginx answers HTTP 400 to a request
 *   without a client certificate, or with one its CA did not sign);
 * - `apiKeyAddress`: server-side TLS, and the API key checked the way Temporal Cloud answers a wrong one: gRPC
 *   status 16 (UNAUTHENTICATED).
 * Needs nginx (scripts/ensure-tools.sh installs Debian's package where it may; NGINX_PATH overrides).
 */
import fs from 'node:fs';
import path from 'node:path';
import { startService, tcpProbe, type ServiceProcess } from '../../src/tools/service-process';
import { freePorts } from '../../src/tools/free-ports';
import type { TestCerts } from './tls-certs';

export const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';

export function haveNginx(): boolean {
  return fs.existsSync(NGINX);
}

export interface GrpcTlsProxy {
  mtlsAddress: string;
  apiKeyAddress: string;
  stop(): Promise<void>;
}

function nginxConf(o: { dir: string; certs: TestCerts; upstream: string; ports: number[]; apiKey: string }): string {
  const tls = `ssl_certificate ${o.certs.serverPem};\n    ssl_certificate_key ${o.certs.serverKey};`;
  return `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
pid ${path.join(o.dir, 'nginx.pid')};
error_log ${path.join(o.dir, 'error.log')} info;
events { worker_connections 256; }
http {
  access_log ${path.join(o.dir, 'access.log')};
  client_body_temp_path ${path.join(o.dir, 'body')};
  proxy_temp_path ${path.join(o.dir, 'proxy')};
  fastcgi_temp_path ${path.join(o.dir, 'fastcgi')};
  uwsgi_temp_path ${path.join(o.dir, 'uwsgi')};
  scgi_temp_path ${path.join(o.dir, 'scgi')};
  # Long polls (workflow and activity tasks) are held up to a minute by the server.
  grpc_read_timeout 120s;
  grpc_send_timeout 120s;
  server {
    listen 127.0.0.1:${o.ports[0]} ssl http2;
    ${tls}
    ssl_client_certificate ${o.certs.caPem};
    ssl_verify_client on;
    location / { grpc_pass grpc://${o.upstream}; }
  }
  server {
    listen 127.0.0.1:${o.ports[1]} ssl http2;
    ${tls}
    location / {
      error_page 418 = @unauthenticated;
      if ($http_authorization != "Bearer ${o.apiKey}") { return 418; }
      grpc_pass grpc://${o.upstream};
    }
    location @unauthenticated {
      default_type application/grpc;
      add_header grpc-status 16 always;
      add_header grpc-message "Request unauthorized" always;
      return 200;
    }
  }
}
`;
}

export async function startGrpcTlsProxy(o: {
  certs: TestCerts;
  upstream: string;
  apiKey: string;
}): Promise<GrpcTlsProxy> {
  const dir = fs.mkdtempSync(path.join(o.certs.dir, 'nginx-'));
  const ports = await freePorts(2);
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(conf, nginxConf({ dir, ports, ...o }));
  const service: ServiceProcess = await startService({
    name: 'nginx',
    command: NGINX,
    // -e: the error log from the first line on (else /var/log/nginx, which may not be writable).
    args: ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log'), '-g', 'daemon off;'],
    log: path.join(dir, 'stderr.log'),
    ready: async () => (await tcpProbe('127.0.0.1', ports[0])) && tcpProbe('127.0.0.1', ports[1]),
    startTimeoutMs: 15_000,
  });
  return {
    mtlsAddress: `127.0.0.1:${ports[0]}`,
    apiKeyAddress: `127.0.0.1:${ports[1]}`,
    stop: () => service.stop(),
  };
}
