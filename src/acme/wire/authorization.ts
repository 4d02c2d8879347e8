import type { WireIdentifier, WireProblem } from './problem';

export type WireChallengeStatus = 'pending' | 'processing' | 'valid' | 'invalid';

/** A challenge object (RFC 8555 §7.1.5, §8.3, §8.4, RFC 8737). */
export interface WireChallenge {
  type: string;
  url: string;
  status: WireChallengeStatus;
  token: string;
  validated?: string;
  error?: WireProblem;
}

export type WireAuthorizationStatus = 'pending' | 'valid' | 'invalid' | 'deactivated' | 'expired' | 'revoked';

/** An authorization object (RFC 8555 §7.1.4). */
export interface WireAuthorization {
  identifier: WireIdentifier;
  status: WireAuthorizationStatus;
  expires: string;
  challenges: WireChallenge[];
  wildcard?: true;
}
