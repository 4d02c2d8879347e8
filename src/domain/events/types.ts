/** Value shapes that several events carry. */

/** A public JWK as the client sent it (RFC 7517); only `kty` is guaranteed. */
export interface JwkPublic {
  kty: string;
  [member: string]: unknown;
}

/** An RFC 7807 problem as recorded in an event (what the client was or will be told). */
export interface ProblemData {
  type: string;
  detail: string;
  status?: number;
  subproblems?: unknown[];
}

export const CHALLENGE_TYPES = ['http-01', 'dns-01', 'tls-alpn-01'] as const;
export type ChallengeType = (typeof CHALLENGE_TYPES)[number];

/** A challenge as offered when its authorization was created. */
export interface ChallengeData {
  challengeId: string;
  type: ChallengeType;
  token: string;
}

/**
 * A CAA check (RFC 8659, RFC 8657) as recorded in authorization events: what was asked, which
 * resolver answered, the relevant record set seen (the closest name up the tree that had one),
 * and the verdict with its reason.
 */
export interface CaaCheckData {
  checkedAt: string;
  /** The name checked: the authorization's identifier (a wildcard's base domain). */
  domain: string;
  wildcard: boolean;
  method: string;
  accountUri: string;
  /** This CA's issuer domain names (acme.caa_identities) at the time. */
  identities: string[];
  /** Where the relevant record set was found; null when no name up the tree had CAA records. */
  relevantName: string | null;
  resolverUsed: string | null;
  records: Array<{ flags: number; tag: string; value: string }>;
  allowed: boolean;
  reason: string;
}

/** Who revoked a certificate, by the proof they gave (RFC 8555 §7.6). */
export type RevokedBy = 'account' | 'authorized-account' | 'certificate-key' | 'admin';
