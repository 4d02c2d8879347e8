import type { ChallengeData, ChallengeType } from './events/types';

export { CHALLENGE_TYPES, type ChallengeType } from './events/types';

/**
 * Challenge types offered for an identifier (RFC 8555 §8): a wildcard can only be proven through
 * DNS (dns-01); any other name is offered every type we validate.
 */
export function offeredChallengeTypes(wildcard: boolean): ChallengeType[] {
  return wildcard ? ['dns-01'] : ['http-01', 'dns-01', 'tls-alpn-01'];
}

/** Ids and tokens come from the caller: tokens need ≥128 bits of randomness (RFC 8555 §8.3), which pure code must not draw. */
export interface ChallengeFactory {
  newId(): string;
  newToken(): string;
}

export function offerChallenges(wildcard: boolean, factory: ChallengeFactory): ChallengeData[] {
  return offeredChallengeTypes(wildcard).map((type) => ({ challengeId: factory.newId(), type, token: factory.newToken() }));
}
