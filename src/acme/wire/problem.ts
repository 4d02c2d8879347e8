/** An identifier as it goes on the wire (RFC 8555 §9.7.7: `dns`, RFC 8738: `ip`). */
export interface WireIdentifier {
  type: string;
  value: string;
}

/** A subproblem of a compound problem (RFC 8555 §6.7.1). */
export interface WireSubproblem {
  type: string;
  detail: string;
  identifier?: WireIdentifier;
}

/**
 * A problem document (RFC 7807, RFC 8555 §6.7) as sent with `application/problem+json` or
 * embedded as an order's or a challenge's `error`. Extension members (`algorithms` of
 * badSignatureAlgorithm, `limit` of rateLimited, `validationRecord`, `orderStatus`) ride along.
 */
export interface WireProblem {
  type: string;
  detail: string;
  status?: number;
  subproblems?: WireSubproblem[];
  [extension: string]: unknown;
}
