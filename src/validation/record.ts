import type { ChallengeType } from '../domain/events';

/**
 * One HTTP request of an http-01 validation: the first GET, then one per redirect followed.
 * Kept so an auditor can see every name looked up and every address connected to.
 */
export interface HttpRequestRecord {
  url: string;
  hostname: string;
  port: number;
  addressesResolved: string[];
  /** Addresses a connection was attempted to, in order (an IPv6 failure falls back to IPv4). */
  addressesTried: string[];
  addressUsed?: string;
  resolverUsed?: string;
  /** HTTP status received (absent when no response came). */
  status?: number;
}

/**
 * What an auditor needs to know about a validation: what was looked up, through which resolver,
 * where we connected and what we saw. It goes into the ChallengeValidated / ChallengeFailed
 * events, so it holds plain JSON values only.
 */
export interface ValidationRecord {
  type: ChallengeType;
  /** The identifier validated (the base domain for a wildcard). */
  hostname: string;
  port?: number;
  /** http-01: the first URL fetched. */
  url?: string;
  /** DNS name queried when it differs from hostname (dns-01: _acme-challenge.<domain>). */
  queriedName?: string;
  addressesResolved: string[];
  addressesTried?: string[];
  addressUsed?: string;
  /** The configured resolvers (or the system's). */
  resolvers: string[];
  /** The resolver that gave the answer used for hostname (each http-01 request records its own). */
  resolverUsed?: string;
  /** http-01: every request made, the first one included. */
  requests?: HttpRequestRecord[];
  /** http-01: redirect targets followed, in order. */
  redirects?: string[];
  /** dns-01: the TXT values found (at most 10, each cut at 255 characters). */
  txtRecords?: string[];
  /** tls-alpn-01: the protocol the server negotiated, the certificate's SHA-256 and names. */
  alpnProtocol?: string;
  certificateSha256?: string;
  certificateNames?: string[];
  /** What was compared with the expected value (body, TXT value or extension hex), cut short. */
  observed?: string;
  /** Set on success only. */
  validatedAt?: string;
}
