import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ACME_DEPS, type AcmeDeps } from '../../commands/acme-deps';
import { certificateByCertId } from '../../commands/renewal-info';
import { suggestedWindow } from '../../domain/policy/renewal-info';
import { ACME_PATHS } from '../urls';
import { renderRenewalInfo } from './render';

/** Clients are asked to check again after six hours, as Boulder does (RFC 9773 §4.3.2). */
const RETRY_AFTER_SECONDS = 6 * 3600;

/** ACME Renewal Information (RFC 9773 §4.3): an unauthenticated GET per certificate. */
@Controller()
export class RenewalInfoController {
  constructor(@Inject(ACME_DEPS) private readonly deps: AcmeDeps) {}

  @Get(`${ACME_PATHS.renewalInfo}/:certId`)
  async renewalInfo(@Param('certId') certId: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const cert = await certificateByCertId(this.deps, certId);
    reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
    return renderRenewalInfo(suggestedWindow(cert, this.deps.now()));
  }
}
