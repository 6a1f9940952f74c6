/**
 * The SMS pumping guard on the HTTP API, authenticated like every other route (docs/pumping.md#operators):
 *
 *   GET  /pumping          -> 200 { workflowId, running, enabled, view? }
 *   POST /pumping/unblock  { key: "+4470" | "prefix:+4470" | "GB" | "country:GB" } -> 200 { workflowId, unblocked }
 *
 * A bad body or key -> 400 naming it; a key that is not blocked (or a guard that has counted nothing) -> 404.
 * The unblock is logged by this process (who: the API key's id) and by the pumpingGuard workflow.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseOrThrow } from '../domain/errors';
import type { PumpingOperators } from '../pumping/operators';

export type PumpingOperations = Pick<PumpingOperators, 'list' | 'unblock'>;

export const unblockRequestSchema = z
  .object({ key: z.string().min(1, 'must not be empty').max(40, 'must be at most 40 characters') })
  .strict();

export function registerPumpingApi(
  app: FastifyInstance,
  ops: PumpingOperations,
  callerOf: (req: FastifyRequest) => string,
): void {
  app.get('/pumping', async () => ops.list());
  app.post('/pumping/unblock', async (req) => {
    const body = parseOrThrow(unblockRequestSchema, req.body, 'unblock request');
    const by = `api:${callerOf(req)}`;
    const answer = await ops.unblock(body.key, by);
    req.log.info({ by, key: answer.unblocked.key }, 'pumping unblocked');
    return answer;
  });
}
