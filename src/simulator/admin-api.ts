/**
 * The simulator's admin API under `/_sim/`, for operators, tests and the chaos runner:
 *
 * - `GET /_sim/health`: counts of messages, faults and pending delivery events.
 * - `/_sim/faults`: `GET` lists, `POST` adds (./faults), `DELETE` clears; `/_sim/faults/<id>`: `GET`, `DELETE`.
 * - `GET /_sim/messages` (filters: account, region, originator, destination, outcome, messageId, operation; `limit`
 *   keeps the newest); `GET /_sim/messages/<messageId>`.
 * - `/_sim/chaos`: DLR chaos (./chaos), `GET` describes, `POST` sets, `DELETE` clears and answers its stats.
 * - `POST /_sim/reset`: clears messages, faults and DLR chaos and cancels events still to come.
 * - `POST /_sim/inbound`, `POST /_sim/opt-out-links`: two-way SMS and opt-out list links (./inbound.ts, its own route).
 * - `POST /_sim/aws-health`: publishes an AWS Health event to the route-health event queue (./aws-health.ts, its own
 *   route, matched before this one).
 *
 * Errors are `HttpError`s (plain `{ error }`) the router answers; a bad fault or chaos body is an `InvalidInputError`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, sendJson, type Route } from './http';
import type { Emit } from './log';
import type { MessageFilter, MessageRecord } from './message-log';
import type { SimulatorState } from './state';

const MESSAGE_FILTERS = [
  'account',
  'region',
  'originator',
  'destination',
  'outcome',
  'messageId',
  'operation',
] as const;

/** The admin API's resources, as the index page and a 404 list them. */
export const ADMIN_PATHS = [
  '/_sim/health',
  '/_sim/faults',
  '/_sim/chaos',
  '/_sim/messages',
  '/_sim/reset',
  '/_sim/aws-health',
  '/_sim/inbound',
  '/_sim/opt-out-links',
  '/_sim/protect-configurations',
];

/** One admin request: its resource id (the path segment after the resource), method and body. */
interface AdminRequest {
  res: ServerResponse;
  url: URL;
  method: string;
  id: string | undefined;
  raw: string;
}

function adminJsonBody(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new HttpError(400, `body is not valid JSON: ${(err as Error).message}`);
  }
}

function allow(request: AdminRequest, methods: string[]): void {
  if (!methods.includes(request.method)) {
    const { method, url } = request;
    throw new HttpError(405, `${method} not allowed on ${url.pathname} (allowed: ${methods.join(', ')})`);
  }
}

/** `?originator=+1206...` arrives as a space when the client did not encode `+`: restore it. */
function queryValue(params: URLSearchParams, name: string): string | undefined {
  const v = params.get(name);
  if (v === null) return undefined;
  return /^ \d/.test(v) ? `+${v.slice(1)}` : v;
}

function listMessages(
  state: SimulatorState,
  params: URLSearchParams,
): { messages: MessageRecord[]; total: number; trimmed: number } {
  const filter: MessageFilter = {};
  let limit: number | undefined;
  for (const name of params.keys()) {
    if (name === 'limit') continue;
    if (!(MESSAGE_FILTERS as readonly string[]).includes(name)) {
      throw new HttpError(400, `unknown query parameter "${name}" (filters: ${MESSAGE_FILTERS.join(', ')}, limit)`);
    }
  }
  for (const name of MESSAGE_FILTERS) {
    const v = queryValue(params, name);
    if (v !== undefined) filter[name] = v;
  }
  const rawLimit = params.get('limit');
  if (rawLimit !== null) {
    limit = Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1) throw new HttpError(400, 'limit: must be a positive integer');
  }
  const all = state.messages.list(filter);
  const list = limit !== undefined ? all.slice(-limit) : all;
  return { messages: list, total: all.length, trimmed: state.messages.trimmed };
}

function faultsResource(state: SimulatorState, emit: Emit, request: AdminRequest): void {
  const { faults } = state;
  const { res, method, id } = request;
  if (id === undefined) {
    allow(request, ['GET', 'POST', 'DELETE']);
    if (method === 'GET') {
      sendJson(res, 200, { faults: faults.list() });
    } else if (method === 'POST') {
      const fault = faults.add(adminJsonBody(request.raw));
      emit('info', 'fault added', { fault });
      sendJson(res, 201, fault);
    } else {
      const deleted = faults.clear();
      emit('info', 'faults deleted', { deleted });
      sendJson(res, 200, { deleted });
    }
    return;
  }
  allow(request, ['GET', 'DELETE']);
  const fault = faults.list().find((f) => f.id === id);
  if (!fault) throw new HttpError(404, `no fault with id "${id}"`);
  if (method === 'DELETE') {
    faults.remove(id);
    emit('info', 'fault deleted', { id });
    sendJson(res, 200, { deleted: id });
  } else {
    sendJson(res, 200, fault);
  }
}

function messagesResource(state: SimulatorState, request: AdminRequest): void {
  allow(request, ['GET']);
  const { res, id } = request;
  if (id === undefined) {
    sendJson(res, 200, listMessages(state, request.url.searchParams));
    return;
  }
  const record = state.messages.byId(id);
  if (!record) throw new HttpError(404, `no message with id "${id}"`);
  sendJson(res, 200, record);
}

function chaosResource(state: SimulatorState, emit: Emit, request: AdminRequest): void {
  allow(request, ['GET', 'POST', 'DELETE']);
  const { chaos } = state;
  const { res, method } = request;
  if (method === 'GET') {
    sendJson(res, 200, chaos.describe());
  } else if (method === 'POST') {
    const settings = chaos.configure(adminJsonBody(request.raw));
    emit('info', 'DLR chaos set', { settings });
    sendJson(res, 201, { settings });
  } else {
    const stats = chaos.clear();
    emit('info', 'DLR chaos cleared', { stats });
    sendJson(res, 200, { cleared: true, stats });
  }
}

/** Runs the admin request; false when no resource has that path. */
function dispatch(state: SimulatorState, emit: Emit, resource: string | undefined, request: AdminRequest): boolean {
  const { res, id } = request;
  switch (resource) {
    case 'health':
      allow(request, ['GET']);
      sendJson(res, 200, {
        status: 'ok',
        messages: state.messages.size,
        faults: state.faults.size,
        pendingEvents: state.pendingTimers(),
      });
      return true;
    case 'faults':
      faultsResource(state, emit, request);
      return true;
    case 'messages':
      messagesResource(state, request);
      return true;
    case 'chaos':
      if (id !== undefined) return false;
      chaosResource(state, emit, request);
      return true;
    case 'reset':
      if (id !== undefined) return false;
      allow(request, ['POST']);
      state.reset();
      emit('info', 'reset');
      sendJson(res, 200, { reset: true });
      return true;
  }
  return false;
}

/** Every request to `/_sim` and under `/_sim/`. */
export function adminApi(state: SimulatorState, emit: Emit): Route {
  function handle(req: IncomingMessage, res: ServerResponse, url: URL, raw: string): void {
    const [resource, id, ...rest] = url.pathname.split('/').filter(Boolean).slice(1); // drop "_sim"
    if (rest.length > 0) throw new HttpError(404, `no such path ${url.pathname}`);
    const request: AdminRequest = { res, url, method: req.method ?? 'GET', id, raw };
    if (dispatch(state, emit, resource, request)) return;
    throw new HttpError(404, `no such path ${url.pathname} (see ${ADMIN_PATHS.join(', ')})`);
  }

  return { matches: (_req, url) => url.pathname === '/_sim' || url.pathname.startsWith('/_sim/'), handle };
}
