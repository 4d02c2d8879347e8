/**
 * The one typed error of the product. Raised anywhere (domain, commands, validation, CA) and
 * rendered as an RFC 8555 problem document (RFC 7807) only at the web edge.
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

/** Problem documents that are not ACME URNs (HTTP-level failures). */
export type HttpProblemType = 'about:blank';

export const ACME_URN_PREFIX = 'urn:ietf:params:acme:error:';

/** HTTP status for each ACME error type, as Boulder and Pebble answer them. */
const DEFAULT_STATUS: Record<AcmeErrorType, number> = {
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

/** The JSON body of a problem document. */
export interface ProblemDocument {
  type: string;
  detail: string;
  status: number;
  subproblems?: Array<{ type: string; detail: string; identifier?: Identifier }>;
  [extra: string]: unknown;
}

export class AcmeError extends Error {
  readonly status: number;

  constructor(
    readonly type: AcmeErrorType,
    readonly detail: string,
    readonly subproblems: Subproblem[] = [],
    options: { status?: number; headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
  ) {
    super(`${type}: ${detail}`);
    this.name = 'AcmeError';
    this.status = options.status ?? DEFAULT_STATUS[type];
    this.headers = options.headers ?? {};
    this.extra = options.extra ?? {};
  }

  /** Extra response headers (Location for a key conflict, Retry-After for rate limits). */
  readonly headers: Record<string, string>;
  /** Extra members of the problem document. */
  readonly extra: Record<string, unknown>;

  toProblem(): ProblemDocument {
    const problem: ProblemDocument = {
      ...this.extra,
      type: ACME_URN_PREFIX + this.type,
      detail: this.detail,
      status: this.status,
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
