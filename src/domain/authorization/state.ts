import type { Identifier } from '../errors';
import { assertStreamEvent, type ChallengeData, type DomainEvent, type ProblemData, requireCreated, StreamIntegrityError } from '../events';

/** The authorization aggregate (stream `authz-<id>`): one identifier, its challenges, their validation. */
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
  preAuthorization: boolean;
  /** As recorded by events; `authorizationStatus` adds expiry by time. */
  status: 'pending' | 'valid' | 'invalid' | 'deactivated' | 'expired';
  challenges: ChallengeState[];
  /** When CAA last allowed issuance for this authorization (null: never checked, e.g. before CAA checking). */
  caaCheckedAt: string | null;
}

export const initialAuthorizationState: AuthorizationState | null = null;

export function evolveAuthorization(state: AuthorizationState | null, e: DomainEvent): AuthorizationState | null {
  assertStreamEvent('authz', e);
  if (e.type === 'AuthorizationCreated') {
    if (state) throw new StreamIntegrityError(`authorization ${state.authzId} is created twice`);
    const { challenges, ...rest } = e.data;
    return { ...rest, status: 'pending', caaCheckedAt: null, challenges: challenges.map((c) => ({ ...c, status: 'pending', keyAuthorization: null, validated: null, error: null })) };
  }
  const s = requireCreated(state, e);
  switch (e.type) {
    case 'ChallengeValidationRequested':
      return withChallenge(s, e.data.challengeId, { status: 'processing', keyAuthorization: e.data.keyAuthorization });
    case 'ChallengeValidated': {
      const validatedAt = typeof e.data.record.validatedAt === 'string' ? e.data.record.validatedAt : null;
      const caaCheckedAt = e.data.caa?.allowed ? e.data.caa.checkedAt : null;
      return { ...withChallenge(s, e.data.challengeId, { status: 'valid', validated: validatedAt }), status: 'valid', expires: e.data.expires, caaCheckedAt };
    }
    case 'ChallengeFailed':
      return { ...withChallenge(s, e.data.challengeId, { status: 'invalid', error: e.data.error }), status: 'invalid' };
    case 'AuthorizationCaaRechecked':
      return e.data.caa.allowed ? { ...s, caaCheckedAt: e.data.caa.checkedAt } : s;
    case 'AuthorizationDeactivated':
      return { ...s, status: 'deactivated' };
    case 'AuthorizationExpired':
      return { ...s, status: 'expired' };
  }
}

function withChallenge(s: AuthorizationState, challengeId: string, change: Partial<ChallengeState>): AuthorizationState {
  if (!s.challenges.some((c) => c.challengeId === challengeId)) {
    throw new StreamIntegrityError(`authorization ${s.authzId} has no challenge ${challengeId}`);
  }
  return { ...s, challenges: s.challenges.map((c) => (c.challengeId === challengeId ? { ...c, ...change } : c)) };
}
