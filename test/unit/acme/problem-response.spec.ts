import { frameworkProblem, httpStatusOf, problemResponse, retryAfterSeconds } from '../../../src/acme/http/problem-response';
import { AcmeUrls } from '../../../src/acme/urls';
import { ACME_ERROR_TYPES, AcmeError, type AcmeErrorType, type ProblemReason } from '../../../src/domain/errors';

const urls = new AcmeUrls('https://ca.test');
const withReason = (type: AcmeErrorType, reason: ProblemReason) => new AcmeError(type, 'detail', [], { reason });

describe('problem mapping: the type alone', () => {
  test.each([
    ['malformed', 400],
    ['badNonce', 400],
    ['badCSR', 400],
    ['unauthorized', 403],
    ['orderNotReady', 403],
    ['caa', 403],
    ['userActionRequired', 403],
    ['alreadyReplaced', 409],
    ['rateLimited', 429],
    ['serverInternal', 500],
  ] as Array<[AcmeErrorType, number]>)('%s answers %d with no headers of its own', (type, status) => {
    const r = problemResponse(new AcmeError(type, 'detail'), urls);
    expect(r.status).toBe(status);
    expect(r.headers).toEqual({});
    expect(r.body).toEqual({ type: `urn:ietf:params:acme:error:${type}`, detail: 'detail', status });
  });

  test('every ACME error type has a client or server error status', () => {
    for (const type of ACME_ERROR_TYPES) expect(httpStatusOf(new AcmeError(type, 'x'))).toBeGreaterThanOrEqual(400);
  });
});

describe('problem mapping: reasons choose status and headers', () => {
  test.each([
    [{ kind: 'notFound' }, 404, {}],
    [{ kind: 'conflict' }, 409, {}],
    [{ kind: 'keyInUse', accountId: 'a9' }, 409, { Location: 'https://ca.test/acme/acct/a9' }],
    [{ kind: 'methodNotAllowed', allowed: ['POST'] }, 405, { Allow: 'POST' }],
    [{ kind: 'unsupportedMediaType' }, 415, {}],
    [{ kind: 'unauthenticated' }, 401, {}],
    [{ kind: 'bearerTokenRequired' }, 401, { 'WWW-Authenticate': 'Bearer' }],
    [{ kind: 'unavailable', retryAfterMs: 60_000 }, 503, { 'Retry-After': '60' }],
  ] as Array<[ProblemReason, number, Record<string, string>]>)('%j answers %d', (reason, status, headers) => {
    const r = problemResponse(withReason('malformed', reason), urls);
    expect(r.status).toBe(status);
    expect(r.headers).toEqual(headers);
    expect(r.body.status).toBe(status);
    expect(r.body).not.toHaveProperty('reason');
  });

  test('a rate limit answers 429 with Retry-After in whole seconds, rounded up, and its help page', () => {
    const r = problemResponse(new AcmeError('rateLimited', 'too many', [], { reason: { kind: 'limited', retryAfterMs: 359_001, helpUrl: 'https://ca.test/docs/rate-limits' }, extra: { limit: 'new_orders_per_account' } }), urls);
    expect(r.status).toBe(429);
    expect(r.headers).toEqual({ 'Retry-After': '360', Link: '<https://ca.test/docs/rate-limits>;rel="help"' });
    expect(r.body).toEqual({ limit: 'new_orders_per_account', type: 'urn:ietf:params:acme:error:rateLimited', detail: 'too many', status: 429 });
    expect(problemResponse(new AcmeError('rateLimited', 'login', [], { reason: { kind: 'limited', retryAfterMs: 2_000 } })).headers).toEqual({ 'Retry-After': '2' });
  });

  test('Retry-After is never 0: a delay under a second still asks the client to pause', () => {
    expect(retryAfterSeconds(10)).toBe('1');
    expect(retryAfterSeconds(0)).toBe('1');
    expect(retryAfterSeconds(1_000)).toBe('1');
    expect(retryAfterSeconds(1_001)).toBe('2');
  });

  test('the history records a problem with its type status, whatever reason the request had', () => {
    expect(withReason('malformed', { kind: 'notFound' }).toProblem().status).toBe(400);
    expect(withReason('caa', { kind: 'conflict' }).toProblem().status).toBe(403);
  });
});

describe('problem mapping: failures of the web framework', () => {
  test('an oversized body is a malformed problem with the framework status', () => {
    expect(frameworkProblem(413, 'too large')).toEqual({ status: 413, headers: {}, body: { type: 'urn:ietf:params:acme:error:malformed', detail: 'too large', status: 413 } });
  });
});
