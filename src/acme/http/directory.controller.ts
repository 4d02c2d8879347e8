import { Controller, Get, Head, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ACME_DEPS, type AcmeDeps } from '../../commands/acme-deps';
import { ACME_PATHS } from '../urls';
import { ACME_CONTEXT, type AcmeContext } from './acme-context';
import { DIRECTORY_META, type DirectoryMeta } from './directory-meta';
import { renderDirectory } from './render';

/**
 * RFC 8555 §7.1.1 directory and §7.2 newNonce. Both are public, so a POST-as-GET (which some
 * clients send for every request) gets the same answer as a GET, without a JWS check. An explicit
 * newNonce request counts against the per-address nonce limit.
 */
@Controller()
export class DirectoryController {
  constructor(
    @Inject(ACME_CONTEXT) private readonly acme: AcmeContext,
    @Inject(DIRECTORY_META) private readonly meta: DirectoryMeta,
    @Inject(ACME_DEPS) private readonly deps: AcmeDeps,
  ) {}

  @Post(ACME_PATHS.directory)
  @HttpCode(200)
  postDirectory(@Res({ passthrough: true }) reply: FastifyReply) {
    return this.directory(reply);
  }

  @Get(ACME_PATHS.directory)
  async directory(@Res({ passthrough: true }) reply: FastifyReply) {
    reply.header('Cache-Control', 'public, max-age=0, no-cache');
    reply.header('Replay-Nonce', await this.acme.nonces.issue());
    return renderDirectory(this.acme.urls, this.meta);
  }

  @Post(ACME_PATHS.newNonce)
  @HttpCode(200)
  postNonce(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.headNonce(req, reply);
  }

  @Head(ACME_PATHS.newNonce)
  @HttpCode(200)
  async headNonce(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.deps.limits?.newNonce({ ip: req.ip, requestId: String(req.id) });
    await this.nonceHeaders(reply);
    return '';
  }

  @Get(ACME_PATHS.newNonce)
  @HttpCode(204)
  async getNonce(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.deps.limits?.newNonce({ ip: req.ip, requestId: String(req.id) });
    await this.nonceHeaders(reply);
    return '';
  }

  private async nonceHeaders(reply: FastifyReply) {
    reply.header('Replay-Nonce', await this.acme.nonces.issue());
    reply.header('Cache-Control', 'no-store');
    reply.header('Link', `<${this.acme.urls.directory()}>;rel="index"`);
  }
}
