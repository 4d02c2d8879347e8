import { AcmeError, type Identifier } from './errors';
import { type ChallengeData, type ChallengeType, type DomainEvent, event, type ProblemData } from './events';

/** The authorization aggregate: one identifier, its challenges, and their validation. */
export interface ChallengeState extends ChallengeData {
  status: 'pending' | 'processing' | 'valid' | 'invalid';
  keyAuthorization: string | null;
  validated: string | null;
  error: ProblemData | null;
}

export interface AuthorizationState {
  authzId: string;
  accountId: string;
  identifier: Identifier;
  wildcard: boolean;
  expires: string;
  status: 'pending' | 'valid' | 'invalid' | 'deactivated' | 'expired';
  challenges: ChallengeState[];
}

export type AuthorizationStatus = AuthorizationState['status'];

export function evolveAuthorization(state: AuthorizationState | null, e: DomainEvent): AuthorizationState | null {
  const withChallenge = (s: AuthorizationState, id: string, change: Partial<ChallengeState>) => ({
    ...s,
    challenges: s.challenges.map((c) => (c.challengeId === id ? { ...c, ...change } : c)),
  });
  switch (e.type) {
    case 'AuthorizationCreated':
      return {
        authzId: e.data.authzId,
        accountId: e.data.accountId,
        identifier: e.data.identifier,
        wildcard: e.data.wildcard,
        expires: e.data.expires,
        status: 'pending',
        challenges: e.data.challenges.map((c) => ({ ...c, status: 'pending', keyAuthorization: null, validated: null, error: null })),
      };
    case 'ChallengeValidationRequested':
      return state && withChallenge(state, e.data.challengeId, { status: 'processing', keyAuthorization: e.data.keyAuthorization });
    case 'ChallengeValidated':
      return state && { ...withChallenge(state, e.data.challengeId, { status: 'valid', validated: String(e.data.record.validatedAt ?? '') || null }), status: 'valid', expires: e.data.expires };
    case 'ChallengeFailed':
      return state && { ...withChallenge(state, e.data.challengeId, { status: 'invalid', error: e.data.error }), status: 'invalid' };
    case 'AuthorizationDeactivated':
      return state && { ...state, status: 'deactivated' };
    case 'AuthorizationExpired':
      return state && { ...state, status: 'expired' };
    default:
      return state;
  }
}

/** Pending and valid authorizations past their expiry read as expired (RFC 8555 §7.1.6). */
export function authorizationStatus(s: AuthorizationState, now: Date): AuthorizationStatus {
  if ((s.status === 'pending' || s.status === 'valid') && new Date(s.expires) <= now) return 'expired';
  return s.status;
}

/** Challenge types offered for an identifier: wildcards can only be proven through DNS. */
export function offeredChallengeTypes(wildcard: boolean): ChallengeType[] {
  return wildcard ? ['dns-01'] : ['http-01', 'dns-01', 'tls-alpn-01'];
}

/**
 * A client POSTs {} to a challenge to start validation. Repeating it while processing, or after
 * success, changes nothing (idempotent); on an authorization that is no longer pending it is refused.
 */
export function decideRequestValidation(s: AuthorizationState, challengeId: string, keyAuthorization: string, now: Date): DomainEvent[] {
  const challenge = s.challenges.find((c) => c.challengeId === challengeId);
  if (!challenge) throw new AcmeError('malformed', `no challenge ${challengeId} in this authorization`, [], { status: 404 });
  if (challenge.status === 'processing' || challenge.status === 'valid') return [];
  const status = authorizationStatus(s, now);
  if (status !== 'pending') throw new AcmeError('malformed', `the authorization is ${status}; its challenges can no longer be answered`);
  if (s.challenges.some((c) => c.status === 'processing')) return [];
  return [event('ChallengeValidationRequested', { challengeId, type: challenge.type, keyAuthorization })];
}

/** The outcome of a validation, applied only if the challenge is still being processed. */
export function decideValidationResult(
  s: AuthorizationState,
  challengeId: string,
  result: { ok: true; record: Record<string, unknown>; validFor: number; now: Date } | { ok: false; error: ProblemData; record: Record<string, unknown> },
): DomainEvent[] {
  const challenge = s.challenges.find((c) => c.challengeId === challengeId);
  if (!challenge || challenge.status !== 'processing' || s.status !== 'pending') return [];
  if (result.ok) {
    return [event('ChallengeValidated', { challengeId, record: result.record, expires: new Date(result.now.getTime() + result.validFor).toISOString() })];
  }
  return [event('ChallengeFailed', { challengeId, error: result.error, record: result.record })];
}

export function decideDeactivateAuthorization(s: AuthorizationState, now: Date, by: 'account' | 'admin'): DomainEvent[] {
  const status = authorizationStatus(s, now);
  if (status !== 'pending' && status !== 'valid') {
    throw new AcmeError('malformed', `an authorization that is ${status} cannot be deactivated`);
  }
  return [event('AuthorizationDeactivated', { by })];
}

/** Cleanup records the expiry of a pending authorization as an event (it already reads as expired). */
export function decideExpireAuthorization(s: AuthorizationState, now: Date): DomainEvent[] {
  if (s.status !== 'pending' || new Date(s.expires) > now) return [];
  return [event('AuthorizationExpired', { expires: s.expires })];
}
