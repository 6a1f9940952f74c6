/**
 * The HTTP plumbing every part of the simulator shares: the bounded request body, JSON answers (plain and in the
 * shape AWS services answer), and the router that hands each request to the first front that claims it.
 *
 * The router reads the whole body before routing (an oversized one is refused with 413 whatever the path) and turns
 * what a front throws into an answer: `HttpError` -> its status with `{ error }`, `InvalidInputError` -> 400 with
 * `{ error, issues }`, anything else -> 500. The AWS fronts answer their own errors in their protocol's shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidInputError } from '../domain/errors';
import type { Emit } from './log';

/** Larger request bodies are refused (413); a valid SMS v2 request is a few KB. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** A plain `{ error }` answer with this status (admin API, unknown paths, oversized bodies). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(payload)),
    ...headers,
  });
  res.end(payload);
}

/** An AWS service's answer: JSON carrying the request id (`x-amzn-RequestId`), plus the protocol's own headers. */
export function sendAwsJson(
  res: ServerResponse,
  requestId: string,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, body, { 'x-amzn-RequestId': requestId, ...headers });
}

/** The whole request body as UTF-8; rejects with a 413 `HttpError` past `MAX_REQUEST_BYTES`. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        reject(new HttpError(413, `request body larger than ${MAX_REQUEST_BYTES} bytes`));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A request body as JSON, or undefined when it is not JSON (the front answers with its own error). */
export function parseJsonBody(raw: string): unknown {
  try {
    return JSON.parse(raw || '{}');
  } catch {
    return undefined;
  }
}

/** One front of the simulator: the requests it claims, and how it answers them. */
export interface Route {
  matches(req: IncomingMessage, url: URL): boolean;
  /** May be async (`POST /_sim/aws-health` awaits SQS); what it throws or rejects with is answered. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, raw: string): void | Promise<void>;
}

/** The server's request listener: reads the body, runs the first route that matches, answers what it throws. */
export function createRouter(routes: readonly Route[], emit: Emit) {
  return async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    try {
      const raw = await readBody(req);
      const front = routes.find((r) => r.matches(req, url));
      if (!front) throw new HttpError(404, `no such path ${url.pathname}`);
      await front.handle(req, res, url, raw);
    } catch (err) {
      if (err instanceof HttpError) {
        sendJson(res, err.status, { error: err.message });
        if (err.status === 413) res.once('finish', () => req.socket.destroy());
      } else if (err instanceof InvalidInputError) {
        sendJson(res, 400, { error: err.message, issues: err.issues });
      } else {
        emit('error', 'request failed', { path: url.pathname, error: String(err) });
        sendJson(res, 500, { error: `simulator error: ${(err as Error).message}` });
      }
    }
  };
}
