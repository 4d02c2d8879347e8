import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import { PoolGuard } from './pool-guard';

/** Paths never shed or rate limited: orchestrators must always be able to ask. */
const EXEMPT = new Set(['/livez', '/healthz', '/readyz']);
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFor(header: unknown): string {
  return typeof header === 'string' && SAFE_REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * Request id (X-Request-ID echoed or generated), load shedding before any database work, access
 * logs and HTTP metrics, on the Fastify instance under Nest.
 */
export function installHttpHooks(app: FastifyInstance, opts: { pool: { totalCount: number; idleCount: number; waitingCount: number }; poolMax: number; log: Logger; metrics: Metrics; metricsPath: string; hsts?: boolean }): void {
  const guard = new PoolGuard(opts.poolMax);
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    reply.header('X-Request-ID', req.id);
    // Security headers on every response, shed and error responses included.
    reply.header('X-Content-Type-Options', 'nosniff');
    if (opts.hsts) reply.header('Strict-Transport-Security', 'max-age=31536000');
    if (req.url.startsWith('/api')) {
      reply.header('X-Frame-Options', 'DENY');
      reply.header('Content-Security-Policy', "frame-ancestors 'none'");
    }
    (req as FastifyRequest & { startedAt: bigint }).startedAt = process.hrtime.bigint();
    const path = req.url.split('?')[0];
    if (EXEMPT.has(path) || path === opts.metricsPath) return;
    const p = opts.pool;
    const decision = guard.decide({ max: opts.poolMax, size: p.totalCount, available: p.idleCount, waiting: p.waitingCount });
    if (decision.allow) return;
    opts.metrics.shed.inc({ tier: decision.tier });
    opts.log.warn({ reqId: req.id, tier: decision.tier, pool: { size: p.totalCount, idle: p.idleCount, waiting: p.waitingCount } }, 'request shed: database pool under pressure');
    reply
      .code(503)
      .header('Retry-After', String(decision.retryAfter))
      .header('Cache-Control', 'no-store')
      .type('application/problem+json')
      .send(JSON.stringify({ type: 'urn:ietf:params:acme:error:serverInternal', detail: 'the server is temporarily overloaded; retry after the delay in Retry-After', status: 503 }));
    return reply;
  });
  app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    const started = (req as FastifyRequest & { startedAt?: bigint }).startedAt;
    const seconds = started ? Number(process.hrtime.bigint() - started) / 1e9 : 0;
    const route = (req.routeOptions?.url as string | undefined) ?? 'unmatched';
    opts.metrics.httpRequests.inc({ method: req.method, status: String(reply.statusCode) });
    opts.metrics.httpDuration.observe({ method: req.method, route }, seconds);
    opts.log.info({ reqId: req.id, method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(seconds * 1000), ip: req.ip }, 'request');
  });
}
