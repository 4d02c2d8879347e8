import type { ChallengeData, ChallengeType } from './events/types';

export { CHALLENGE_TYPES, type ChallengeType } from './events/types';

/**
 * Challenge types offered for an identifier (RFC 8555 §8): a wildcard can only be proven through
 * DNS (dns-01); an IP address never through DNS (RFC 8738 §7: http-01 and tls-alpn-01); any
 * other name is offered every type we validate.
 */
export function offeredChallengeTypes(wildcard: boolean, ip = false): ChallengeType[] {
  if (ip) return ['http-01', 'tls-alpn-01'];
  return wildcard ? ['dns-01'] : ['http-01', 'dns-01', 'tls-alpn-01'];
}

/** Ids and tokens come from the caller: tokens need ≥128 bits of randomness (RFC 8555 §8.3), which pure code must not draw. */
export interface ChallengeFactory {
  newId(): string;
  newToken(): string;
}

export function offerChallenges(wildcard: boolean, factory: ChallengeFactory, ip = false): ChallengeData[] {
  return offeredChallengeTypes(wildcard, ip).map((type) => ({ challengeId: factory.newId(), type, token: factory.newToken() }));
}
