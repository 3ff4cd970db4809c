/**
 * The dashboard's actions, through remote control: revoke (optionally terminate with a signal), rate limit, pool
 * grow/shrink, shutdown. Each needs the configured token as `Authorization: Bearer <token>`; without a configured
 * token every action answers 403 (the dashboard is read-only), with a wrong or missing one 401.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from './route-context.js';
import { emptyBody, poolBody, rateLimitBody, revokeBody, taskParams, workerParams } from './schemas.js';

/** Registers the action routes under `/api`, each behind the bearer check. */
export function registerActionRoutes(server: FastifyInstance, ctx: RouteContext): void {
  const guard = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const denial = ctx.authorize(request.headers.authorization);
    if (denial === 'disabled') {
      await reply.code(403).send({ statusCode: 403, error: 'Forbidden', message: 'actions are disabled: start the dashboard with a token (--token or Q_DASHBOARD_TOKEN)' });
    } else if (denial === 'unauthorized') {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ statusCode: 401, error: 'Unauthorized', message: 'send the dashboard token as "Authorization: Bearer <token>"' });
    }
  };

  server.post('/api/tasks/:id/revoke', { schema: { params: taskParams, body: revokeBody }, onRequest: guard }, async (request) => {
    const { id } = request.params as { id: string };
    const { terminate, signal } = request.body as { terminate: boolean; signal: string };
    return { ok: true, replies: await ctx.control.revoke(id, { terminate, signal }) };
  });

  server.post('/api/rate-limit', { schema: { body: rateLimitBody }, onRequest: guard }, async (request) => {
    const { taskName, rate, destination } = request.body as { taskName: string; rate: string; destination?: string };
    return { ok: true, replies: await ctx.control.rateLimit(taskName, rate, destination === undefined ? {} : { destination }) };
  });

  server.post('/api/workers/:hostname/pool/grow', { schema: { params: workerParams, body: poolBody }, onRequest: guard }, async (request) => {
    const { hostname } = request.params as { hostname: string };
    const { n } = request.body as { n: number };
    const replies = await ctx.control.poolGrow(n, { destination: hostname });
    void ctx.cache.refresh();
    return { ok: true, replies };
  });

  server.post('/api/workers/:hostname/pool/shrink', { schema: { params: workerParams, body: poolBody }, onRequest: guard }, async (request) => {
    const { hostname } = request.params as { hostname: string };
    const { n } = request.body as { n: number };
    const replies = await ctx.control.poolShrink(n, { destination: hostname });
    void ctx.cache.refresh();
    return { ok: true, replies };
  });

  server.post('/api/workers/:hostname/shutdown', { schema: { params: workerParams, body: emptyBody }, onRequest: guard }, async (request) => {
    const { hostname } = request.params as { hostname: string };
    await ctx.control.shutdown({ destination: hostname });
    return { ok: true, replies: [] };
  });
}
