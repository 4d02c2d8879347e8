import { Controller, Get, Res, type Type } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { CrlBuilder } from '../../ca/crl-builder';
import { isDatabaseUnavailable } from '../../db/pool-errors';

/**
 * GET <crl.path>: the current CRL in DER, cacheable until half its remaining validity. 503 with
 * Retry-After before the first build or while the database is unreachable. The path comes from
 * configuration, so the controller class is made for it.
 */
export function crlController(path: string, crl: Pick<CrlBuilder, 'current'>): Type<unknown> {
  @Controller()
  class CrlController {
    @Get(path)
    async current(@Res() reply: FastifyReply) {
      let current;
      try {
        current = await crl.current();
      } catch (e) {
        if (!isDatabaseUnavailable(e)) throw e;
        return reply.code(503).header('Retry-After', '2').send({ detail: 'the database is temporarily unavailable; retry shortly' });
      }
      if (!current) return reply.code(503).header('Retry-After', '5').send({ detail: 'the CRL has not been built yet; retry shortly' });
      reply.header('Content-Type', 'application/pkix-crl');
      reply.header('Last-Modified', current.thisUpdate.toUTCString());
      reply.header('Cache-Control', `public, max-age=${Math.max(0, Math.floor((current.nextUpdate.getTime() - Date.now()) / 2000))}`);
      return reply.send(current.der);
    }
  }
  return CrlController;
}
