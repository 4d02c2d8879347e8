import { offerChallenges } from '../challenge';
import { addMs, type DecideContext, isPast } from '../decider';
import { authorizationName, isWildcard } from '../dns-name';
import { AcmeError, type Identifier } from '../errors';
import { type CaaCheckData, type DomainEvent, event, type ProblemData } from '../events';
import type { AuthorizationState } from './state';
import { authorizationStatus } from './status';

export interface AuthorizationPolicy {
  /** How long a new authorization may stay pending. */
  pendingAuthorizationLifetimeMs: number;
  /** How long a validated authorization stays valid (and reusable). */
  validAuthorizationLifetimeMs: number;
}

export interface AuthorizationContext extends DecideContext {
  newId(): string;
  newToken(): string;
  policy: AuthorizationPolicy;
}

export type ValidationOutcome =
  | { ok: true; record: Record<string, unknown>; caa?: CaaCheckData }
  | { ok: false; error: ProblemData; record: Record<string, unknown>; caa?: CaaCheckData };

export type AuthorizationCommand =
  | { type: 'CreateAuthorization'; authzId: string; accountId: string; identifier: Identifier; preAuthorization: boolean }
  | { type: 'RequestValidation'; challengeId: string; keyAuthorization: string }
  | { type: 'RecordValidation'; challengeId: string; outcome: ValidationOutcome }
  | { type: 'DeactivateAuthorization'; by: 'account' | 'admin' }
  | { type: 'ExpireAuthorization' };

export function decideAuthorization(state: AuthorizationState | null, command: AuthorizationCommand, ctx: AuthorizationContext): DomainEvent[] {
  if (command.type === 'CreateAuthorization') {
    if (state) throw new AcmeError('malformed', `authorization ${state.authzId} already exists`, [], { reason: { kind: 'conflict' } });
    return decideCreateAuthorization(command, ctx);
  }
  if (!state) throw new AcmeError('malformed', 'no such authorization', [], { reason: { kind: 'notFound' } });
  switch (command.type) {
    case 'RequestValidation':
      return decideRequestValidation(state, command.challengeId, command.keyAuthorization, ctx.now);
    case 'RecordValidation':
      return decideValidationResult(
        state,
        command.challengeId,
        command.outcome.ok ? { ...command.outcome, validFor: ctx.policy.validAuthorizationLifetimeMs, now: ctx.now } : command.outcome,
      );
    case 'DeactivateAuthorization':
      return decideDeactivateAuthorization(state, ctx.now, command.by);
    case 'ExpireAuthorization':
      return decideExpireAuthorization(state, ctx.now);
  }
}

/**
 * A new authorization for one (normalized) identifier: a wildcard is authorized at its base
 * domain and offered dns-01 only. Wildcards cannot be pre-authorized (RFC 8555 §7.4.1).
 */
export function decideCreateAuthorization(
  cmd: { authzId: string; accountId: string; identifier: Identifier; preAuthorization: boolean },
  ctx: AuthorizationContext,
): DomainEvent[] {
  const wildcard = isWildcard(cmd.identifier.value);
  if (wildcard && cmd.preAuthorization) {
    throw new AcmeError('rejectedIdentifier', 'wildcard identifiers cannot be pre-authorized; request them in an order', [
      { type: 'rejectedIdentifier', detail: 'wildcard names are authorized through orders only', identifier: cmd.identifier },
    ]);
  }
  return [
    event('AuthorizationCreated', {
      authzId: cmd.authzId,
      accountId: cmd.accountId,
      identifier: { type: cmd.identifier.type, value: authorizationName(cmd.identifier.value) },
      wildcard,
      expires: addMs(ctx.now, ctx.policy.pendingAuthorizationLifetimeMs),
      challenges: offerChallenges(wildcard, ctx, cmd.identifier.type === 'ip'),
      preAuthorization: cmd.preAuthorization,
    }),
  ];
}

/**
 * A client POSTs {} to a challenge to start validation. Repeating it while a validation runs, or
 * once the authorization is valid, changes nothing (clients retry); on an authorization that is
 * invalid, deactivated or expired it is refused.
 */
export function decideRequestValidation(s: AuthorizationState, challengeId: string, keyAuthorization: string, now: Date): DomainEvent[] {
  const challenge = s.challenges.find((c) => c.challengeId === challengeId);
  if (!challenge) throw new AcmeError('malformed', `no challenge ${challengeId} in this authorization`, [], { reason: { kind: 'notFound' } });
  const status = authorizationStatus(s, now);
  if (status === 'valid') return [];
  if (status !== 'pending') throw new AcmeError('malformed', `the authorization is ${status}; its challenges can no longer be answered`);
  // One validation at a time: the first challenge answered decides the authorization.
  if (s.challenges.some((c) => c.status === 'processing')) return [];
  return [event('ChallengeValidationRequested', { challengeId, type: challenge.type, keyAuthorization })];
}

/** The outcome of a validation, recorded only while that challenge is being processed. */
export function decideValidationResult(
  s: AuthorizationState,
  challengeId: string,
  result: { ok: true; record: Record<string, unknown>; validFor: number; now: Date; caa?: CaaCheckData } | { ok: false; error: ProblemData; record: Record<string, unknown>; caa?: CaaCheckData },
): DomainEvent[] {
  const challenge = s.challenges.find((c) => c.challengeId === challengeId);
  if (!challenge || challenge.status !== 'processing' || s.status !== 'pending') return [];
  const caa = result.caa ? { caa: result.caa } : {};
  if (result.ok) {
    // A passed challenge whose CAA check refused issuance is no proof: the caller reports it failed.
    if (result.caa && !result.caa.allowed) throw new AcmeError('serverInternal', 'a CAA refusal must be recorded as a failed validation');
    return [event('ChallengeValidated', { challengeId, record: result.record, expires: addMs(result.now, result.validFor), ...caa })];
  }
  return [event('ChallengeFailed', { challengeId, error: result.error, record: result.record, ...caa })];
}

/** Whether the CAA check of a valid authorization is too old to issue on (BR 3.2.2.8: 8 hours). */
export function caaRecheckDue(s: AuthorizationState, now: Date, maxAgeMs: number): boolean {
  return s.caaCheckedAt === null || now.getTime() - new Date(s.caaCheckedAt).getTime() > maxAgeMs;
}

/** The repeated CAA check before issuance is recorded whatever its verdict; a refusal stops the issuance. */
export function decideCaaRecheck(s: AuthorizationState, caa: CaaCheckData): DomainEvent[] {
  if (s.status !== 'valid') throw new AcmeError('malformed', `authorization ${s.authzId} is ${s.status}: there is nothing to recheck`);
  return [event('AuthorizationCaaRechecked', { caa })];
}

/** RFC 8555 §7.5.2: only a pending or valid authorization can be deactivated. */
export function decideDeactivateAuthorization(s: AuthorizationState, now: Date, by: 'account' | 'admin'): DomainEvent[] {
  const status = authorizationStatus(s, now);
  if (status !== 'pending' && status !== 'valid') {
    throw new AcmeError('malformed', `an authorization that is ${status} cannot be deactivated`);
  }
  return [event('AuthorizationDeactivated', { by })];
}

/** Cleanup records the expiry of a pending authorization as an event (it already reads as expired). */
export function decideExpireAuthorization(s: AuthorizationState, now: Date): DomainEvent[] {
  if (s.status !== 'pending' || !isPast(s.expires, now)) return [];
  return [event('AuthorizationExpired', { expires: s.expires })];
}
