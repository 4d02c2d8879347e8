import { Controller, Get, Req, Res, type Type } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { scrape } from './cluster-metrics';
import type { Metrics } from './metrics';
import { bearerMatches } from './secure-compare';

/** metrics.enabled and metrics.token as they stand now: SIGHUP may change them. */
export type MetricsAccess = () => { enabled: boolean; token: string | null };

/**
 * GET <metrics.path>: the Prometheus text of this process (of the whole fleet of worker processes
 * when clustered). The path comes from configuration, so the controller class is made for it.
 */
export function metricsController(path: string, metrics: Metrics, access: MetricsAccess): Type<unknown> {
  @Controller()
  class MetricsController {
    @Get(path)
    async scrape(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
      const settings = access();
      if (!settings.enabled) return reply.code(404).send({ detail: 'metrics are disabled (metrics.enabled: false)' });
      if (settings.token && !bearerMatches(req.headers.authorization, settings.token)) {
        return reply.code(401).header('WWW-Authenticate', 'Bearer').send({ detail: 'metrics need a bearer token' });
      }
      reply.header('Content-Type', metrics.registry.contentType);
      return reply.send(await scrape(metrics));
    }
  }
  return MetricsController;
}
