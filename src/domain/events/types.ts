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

/** Who revoked a certificate, by the proof they gave (RFC 8555 §7.6). */
export type RevokedBy = 'account' | 'authorized-account' | 'certificate-key' | 'admin';
