import { Controller, Get, Res, type Type } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RATE_LIMITS_DOCS_PATH } from '../../config/derive';
import { rateLimitsPage } from '../../ratelimit/docs-page';
import type { RateLimitSettings } from '../../ratelimit/limits';

/** GET /docs/rate-limits: the page rateLimited problems link to when rate_limits.docs_url is not set. */
export function rateLimitsPageController(limits: RateLimitSettings): Type<unknown> {
  const text = rateLimitsPage(limits);
  @Controller()
  class RateLimitsPageController {
    @Get(RATE_LIMITS_DOCS_PATH)
    page(@Res() reply: FastifyReply) {
      return reply.type('text/plain; charset=utf-8').send(text);
    }
  }
  return RateLimitsPageController;
}
