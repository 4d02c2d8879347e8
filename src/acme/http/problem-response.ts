import { AcmeError, problemStatus, type ProblemReason } from '../../domain/errors';
import type { AcmeUrls } from '../urls';
import type { WireProblem } from '../wire';
import { renderProblem } from './render';

/** What an AcmeError becomes on HTTP: status, headers of its own, and the problem document. */
export interface ProblemResponse {
  status: number;
  headers: Record<string, string>;
  body: WireProblem;
}

/** The HTTP status of an error: its reason's when it has one that says more than the type. */
export function httpStatusOf(err: AcmeError): number {
  return err.reason ? (reasonStatus(err.reason) ?? problemStatus(err.type)) : problemStatus(err.type);
}

function reasonStatus(reason: ProblemReason): number | null {
  switch (reason.kind) {
    case 'notFound':
      return 404;
    case 'conflict':
    case 'keyInUse':
      return 409;
    case 'methodNotAllowed':
      return 405;
    case 'unsupportedMediaType':
      return 415;
    case 'unauthenticated':
    case 'bearerTokenRequired':
      return 401;
    case 'unavailable':
      return 503;
    case 'limited':
      return null; // the type (rateLimited) already says 429
  }
}

/** Headers a reason asks for: where the conflicting account is, what is allowed, when to retry. */
function reasonHeaders(reason: ProblemReason, urls?: Pick<AcmeUrls, 'account'>): Record<string, string> {
  switch (reason.kind) {
    case 'keyInUse':
      return urls ? { Location: urls.account(reason.accountId) } : {};
    case 'methodNotAllowed':
      return { Allow: reason.allowed.join(', ') };
    case 'bearerTokenRequired':
      return { 'WWW-Authenticate': 'Bearer' };
    case 'unavailable':
      return { 'Retry-After': retryAfterSeconds(reason.retryAfterMs) };
    case 'limited':
      return { 'Retry-After': retryAfterSeconds(reason.retryAfterMs), ...(reason.helpUrl ? { Link: `<${reason.helpUrl}>;rel="help"` } : {}) };
    default:
      return {};
  }
}

/** Retry-After in whole seconds (RFC 9110 §10.2.3), never 0 so clients do pause. */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}

/** `urls` points at the resources a reason names (the account that holds a key); hooks outside the ACME routes may omit it. */
export function problemResponse(err: AcmeError, urls?: Pick<AcmeUrls, 'account'>): ProblemResponse {
  const status = httpStatusOf(err);
  return { status, headers: err.reason ? reasonHeaders(err.reason, urls) : {}, body: renderProblem(err, status) };
}

/** A failure the web framework itself reports (unknown route, oversized body…), as a malformed problem. */
export function frameworkProblem(status: number, detail: string): ProblemResponse {
  return { status, headers: {}, body: renderProblem(new AcmeError('malformed', detail), status) };
}
