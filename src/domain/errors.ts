/**
 * The one typed error of the product. Raised anywhere (domain, commands, validation, CA) and
 * rendered as an RFC 8555 problem document (RFC 7807) only at the web edge, where the problem
 * filter alone chooses the HTTP status and headers from the problem type and its reason.
 */

/** ACME error types of RFC 8555 §6.7 (plus the ones later drafts added that clients understand). */
export const ACME_ERROR_TYPES = [
  'accountDoesNotExist',
  'alreadyReplaced',
  'alreadyRevoked',
  'badCSR',
  'badNonce',
  'badPublicKey',
  'badRevocationReason',
  'badSignatureAlgorithm',
  'caa',
  'compound',
  'connection',
  'dns',
  'externalAccountRequired',
  'incorrectResponse',
  'invalidContact',
  'invalidProfile',
  'malformed',
  'orderNotReady',
  'rateLimited',
  'rejectedIdentifier',
  'serverInternal',
  'tls',
  'unauthorized',
  'unsupportedContact',
  'unsupportedIdentifier',
  'userActionRequired',
] as const;

export type AcmeErrorType = (typeof ACME_ERROR_TYPES)[number];

export const ACME_URN_PREFIX = 'urn:ietf:params:acme:error:';

/**
 * The `status` member each problem type carries in its document (RFC 7807 §3.1), as Boulder and
 * Pebble give them. The history records failed validations and finalizations with this member,
 * so it belongs to the problem itself; the problem filter starts from it and lets a reason
 * override it for the response.
 */
const PROBLEM_STATUS: Record<AcmeErrorType, number> = {
  accountDoesNotExist: 400,
  alreadyReplaced: 409,
  alreadyRevoked: 400,
  badCSR: 400,
  badNonce: 400,
  badPublicKey: 400,
  badRevocationReason: 400,
  badSignatureAlgorithm: 400,
  caa: 403,
  compound: 400,
  connection: 400,
  dns: 400,
  externalAccountRequired: 400,
  incorrectResponse: 400,
  invalidContact: 400,
  invalidProfile: 400,
  malformed: 400,
  orderNotReady: 403,
  rateLimited: 429,
  rejectedIdentifier: 400,
  serverInternal: 500,
  tls: 400,
  unauthorized: 403,
  unsupportedContact: 400,
  unsupportedIdentifier: 400,
  userActionRequired: 403,
};

export const problemStatus = (type: AcmeErrorType): number => PROBLEM_STATUS[type];

/**
 * Why a request failed, beyond its problem type, when the client must be told more than the type
 * says: the resource does not exist, it conflicts with another, the caller is not signed in, or
 * the request may be retried later. The problem filter turns each into an HTTP status and headers.
 */
export type ProblemReason =
  | { kind: 'notFound' }
  | { kind: 'conflict' }
  /** The new key of a key change belongs to this other account (RFC 8555 §7.3.5). */
  | { kind: 'keyInUse'; accountId: string }
  | { kind: 'methodNotAllowed'; allowed: string[] }
  | { kind: 'unsupportedMediaType' }
  /** No valid credentials: a deactivated account, a failed login. */
  | { kind: 'unauthenticated' }
  /** The admin API needs a bearer token it did not get (or could not accept). */
  | { kind: 'bearerTokenRequired' }
  /** The service is unavailable for a while (maintenance, database trouble). */
  | { kind: 'unavailable'; retryAfterMs: number }
  /** A limit refused the request until it clears; helpUrl documents the limits. */
  | { kind: 'limited'; retryAfterMs: number; helpUrl?: string };

export interface Identifier {
  type: string;
  value: string;
}

/** A subproblem of a compound error (RFC 8555 §6.7.1), tied to one identifier. */
export interface Subproblem {
  type: AcmeErrorType;
  detail: string;
  identifier?: Identifier;
}

/** A problem as the history records it (an order's or a challenge's error). */
export interface ProblemDocument {
  type: string;
  detail: string;
  status: number;
  subproblems?: Array<{ type: string; detail: string; identifier?: Identifier }>;
  [extra: string]: unknown;
}

export interface AcmeErrorOptions {
  reason?: ProblemReason;
  /** Extra members of the problem document (e.g. `algorithms`, `validationRecord`). */
  extra?: Record<string, unknown>;
}

export class AcmeError extends Error {
  readonly reason: ProblemReason | null;
  /** Extra members of the problem document. */
  readonly extra: Record<string, unknown>;

  constructor(
    readonly type: AcmeErrorType,
    readonly detail: string,
    readonly subproblems: Subproblem[] = [],
    options: AcmeErrorOptions = {},
  ) {
    super(`${type}: ${detail}`);
    this.name = 'AcmeError';
    this.reason = options.reason ?? null;
    this.extra = options.extra ?? {};
  }

  /** The problem as the history records it; its status is the type's own. */
  toProblem(): ProblemDocument {
    const problem: ProblemDocument = {
      ...this.extra,
      type: ACME_URN_PREFIX + this.type,
      detail: this.detail,
      status: problemStatus(this.type),
    };
    if (this.subproblems.length > 0) {
      problem.subproblems = this.subproblems.map((s) => ({
        type: ACME_URN_PREFIX + s.type,
        detail: s.detail,
        ...(s.identifier ? { identifier: s.identifier } : {}),
      }));
    }
    return problem;
  }
}

export const isAcmeError = (e: unknown): e is AcmeError => e instanceof AcmeError;

