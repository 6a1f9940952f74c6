/**
 * Route health on the HTTP API, authenticated like every other route (the server's onRequest hook):
 *
 *   GET  /routes           the keys route health holds -> 200 { workflowId, running, enabled, routes: RouteView[] }
 *   POST /routes/drain     { target, reason, for? }    -> 200 { workflowId, target, enabled, routes }
 *   POST /routes/undrain   { target }                  -> 200 the same (404 when route health has seen nothing yet)
 *
 * A bad body or a target that names nothing in the config -> 400 naming the field; nothing reaches Temporal then.
 * Every change is logged by this process too (who: the API key's id; what: target and keys; why: the reason).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidInputError, parseOrThrow } from '../domain/errors';
import { BadTargetError } from '../domain/route-targets';
import type { RouteOperators } from '../health/operators';
import { drainRequestSchema, undrainRequestSchema } from './schemas';

/** What the API needs of the operators (tests pass a double). */
export type RouteOperations = Pick<RouteOperators, 'routes' | 'drain' | 'undrain'>;

/** A BadTargetError as the 400 the API documents: `invalid drain request: target: bad target "x": …`. */
async function targeted<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof BadTargetError) throw new InvalidInputError(what, [{ path: 'target', message: err.message }]);
    throw err;
  }
}

export function registerRouteHealthApi(
  app: FastifyInstance,
  ops: RouteOperations,
  callerOf: (req: FastifyRequest) => string,
): void {
  app.get('/routes', async () => ops.routes());

  app.post('/routes/drain', async (req) => {
    const body = parseOrThrow(drainRequestSchema, req.body, 'drain request');
    const by = `api:${callerOf(req)}`;
    const answer = await targeted('drain request', () =>
      ops.drain({ target: body.target, reason: body.reason, by, forMs: body.for }),
    );
    req.log.info(
      { by, target: body.target, keys: answer.routes.map((r) => r.key), reason: body.reason, forMs: body.for },
      'route drained',
    );
    return answer;
  });

  app.post('/routes/undrain', async (req) => {
    const body = parseOrThrow(undrainRequestSchema, req.body, 'undrain request');
    const by = `api:${callerOf(req)}`;
    const answer = await targeted('undrain request', () => ops.undrain({ target: body.target, by }));
    req.log.info({ by, target: body.target, keys: answer.routes.map((r) => r.key) }, 'route undrained');
    return answer;
  });
}
