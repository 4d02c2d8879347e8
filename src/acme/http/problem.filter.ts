import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AcmeError } from '../../domain/errors';
import { isDatabaseUnavailable } from '../../db/pool-errors';
import { NODE_STATUS, type NodeStatus } from '../../ops/node-status';
import { ACME_CONTEXT, type AcmeContext } from './acme-context';
import { frameworkProblem, problemResponse, type ProblemResponse } from './problem-response';

/**
 * The one place where errors become HTTP: AcmeError as an RFC 8555 problem document with the status
 * and headers its type and reason call for (problem-response.ts), framework
 * errors (unknown route, wrong method, oversized body) as the matching ACME problem, anything else
 * as serverInternal with the cause logged, never shown. Every ACME response, errors included,
 * carries a fresh Replay-Nonce so clients can retry badNonce at once.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(
    @Inject(NODE_STATUS) private readonly rt: NodeStatus,
    @Inject(ACME_CONTEXT) private readonly acme: AcmeContext,
  ) {}

  async catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const req = ctx.getRequest<FastifyRequest>();
    const problem = this.toProblemResponse(exception, req);
    for (const [k, v] of Object.entries(problem.headers)) reply.header(k, v);
    reply.header('Cache-Control', 'no-store');
    const acmeRoute = !req.url.startsWith('/api/');
    // A problem's own Link (rel="help" of a rate limit) goes out next to the directory's.
    if (acmeRoute) reply.header('Link', [`<${this.acme.urls.directory()}>;rel="index"`, ...(problem.headers.Link ? [problem.headers.Link] : [])]);
    // An overloaded or unreachable database gets no extra query: the problem goes out without a nonce.
    if (acmeRoute && problem.status !== 503) {
      try {
        reply.header('Replay-Nonce', await this.acme.nonces.issue());
      } catch {
        // The database is down: the problem document still goes out, without a nonce.
      }
    }
    reply.status(problem.status).type('application/problem+json').send(JSON.stringify(problem.body));
  }

  private toProblemResponse(e: unknown, req: FastifyRequest): ProblemResponse {
    if (e instanceof AcmeError) return problemResponse(e, this.acme.urls);
    if (e instanceof HttpException) {
      const status = e.getStatus();
      if (status === 404) return frameworkProblem(404, `no resource at ${req.url}`);
      if (status === 405) return frameworkProblem(405, `method ${req.method} not allowed on ${req.url}`);
      // Validation errors carry one message per bad field.
      const body = e.getResponse() as { message?: string | string[] };
      const detail = Array.isArray(body?.message) ? body.message.join('; ') : (body?.message ?? e.message);
      return frameworkProblem(status, String(detail));
    }
    const fastifyCode = (e as { code?: string })?.code;
    if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') return frameworkProblem(413, 'request body is larger than the server accepts');
    if (fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return frameworkProblem(415, 'Content-Type must be application/jose+json');
    // Waiting too long for a pool connection is overload, not a bug: clients retry after the delay.
    if (/timeout exceeded when trying to connect|Connection terminated due to connection timeout/i.test(String((e as Error)?.message))) {
      this.rt.log.warn({ url: req.url, reqId: req.id }, 'database pool acquire timed out');
      return this.unavailable('the server is temporarily overloaded; retry after the delay in Retry-After', POOL_OVERLOAD_RETRY_MS);
    }
    // The database is restarting, failing over or unreachable. A write whose COMMIT was cut off may
    // or may not have committed: the client is told to retry, never that it succeeded; its retry
    // meets the committed state (idempotent commands, expected revisions) if there is one.
    if (isDatabaseUnavailable(e)) {
      this.rt.log.warn({ url: req.url, method: req.method, reqId: req.id, err: (e as Error)?.message, code: (e as { code?: string })?.code }, 'database unavailable during request');
      return this.unavailable('the database is temporarily unavailable; retry after the delay in Retry-After', DATABASE_DOWN_RETRY_MS);
    }
    this.rt.log.error({ err: e, url: req.url, method: req.method, reqId: req.id }, 'unhandled error in request');
    return problemResponse(new AcmeError('serverInternal', 'the server could not process the request; the error has been logged'), this.acme.urls);
  }

  private unavailable(detail: string, retryAfterMs: number): ProblemResponse {
    return problemResponse(new AcmeError('serverInternal', detail, [], { reason: { kind: 'unavailable', retryAfterMs } }), this.acme.urls);
  }
}

const POOL_OVERLOAD_RETRY_MS = 5_000;
const DATABASE_DOWN_RETRY_MS = 2_000;
