import { AcmeError, type Identifier } from '../errors';
import { assertStreamEvent, type DomainEvent, event, requireCreated, StreamIntegrityError } from '../events/catalog';

/** An External Account Binding key as its stream tells it: created, bound to one account, or revoked. */
export interface EabKeyState {
  keyId: string;
  allowedIdentifiers: string[];
  revoked: boolean;
  boundAccountId: string | null;
}

export const initialEabKeyState: EabKeyState | null = null;

export function evolveEabKey(state: EabKeyState | null, e: DomainEvent): EabKeyState | null {
  assertStreamEvent('eab', e);
  if (e.type === 'EabKeyCreated') {
    if (state) throw new StreamIntegrityError(`EAB key ${state.keyId} is created twice`);
    return { keyId: e.data.keyId, allowedIdentifiers: e.data.allowedIdentifiers, revoked: false, boundAccountId: null };
  }
  const s = requireCreated(state, e);
  switch (e.type) {
    case 'EabKeyBound':
      return { ...s, boundAccountId: e.data.accountId };
    case 'EabKeyRevoked':
      return { ...s, revoked: true };
  }
}

/** A new key, with the names it allows (already checked and lower-cased by the caller). */
export function decideCreateEabKey(state: EabKeyState | null, keyId: string, allowedIdentifiers: string[], note: string | null): DomainEvent[] {
  if (state) throw new AcmeError('malformed', `EAB key ${keyId} already exists`, [], { reason: { kind: 'conflict' } });
  return [event('EabKeyCreated', { keyId, allowedIdentifiers, note })];
}

/** Revocation, once: the caller then deactivates the account the key bound. */
export function decideRevokeEabKey(state: EabKeyState | null, keyId: string, reason: string | null): DomainEvent[] {
  if (!state) throw new AcmeError('malformed', `no EAB key ${keyId}`, [], { reason: { kind: 'notFound' } });
  if (state.revoked) throw new AcmeError('malformed', `EAB key ${keyId} is already revoked`, [], { reason: { kind: 'conflict' } });
  return [event('EabKeyRevoked', { keyId, reason })];
}

/** A key binds exactly one account; a revoked or used key binds none. */
export function decideBindEabKey(state: EabKeyState | null, accountId: string): DomainEvent[] {
  if (!state) throw new AcmeError('unauthorized', 'the external account binding names an unknown key');
  if (state.revoked) throw new AcmeError('unauthorized', `external account binding key ${state.keyId} was revoked`);
  if (state.boundAccountId) throw new AcmeError('unauthorized', `external account binding key ${state.keyId} is already bound to an account`);
  return [event('EabKeyBound', { keyId: state.keyId, accountId })];
}

/**
 * Identifiers an EAB key allows: "example.com" allows exactly that name (and "*.example.com"
 * only when listed); "*.example.com" allows any name below example.com, wildcards included.
 * An empty list allows everything.
 */
export function assertIdentifiersAllowed(identifiers: Identifier[], patterns: string[]): void {
  if (patterns.length === 0) return;
  const refused = identifiers.filter((id) => !patterns.some((p) => matches(id.value, p)));
  if (refused.length > 0) {
    throw new AcmeError(
      'rejectedIdentifier',
      `this account's external account binding does not allow ${refused.map((r) => r.value).join(', ')}`,
      refused.map((identifier) => ({ type: 'rejectedIdentifier' as const, detail: `not allowed by the account's EAB key`, identifier })),
    );
  }
}

function matches(name: string, pattern: string): boolean {
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) return name.endsWith(p.slice(1)) && name.length > p.length - 1;
  return name === p;
}
