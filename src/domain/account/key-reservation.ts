import type { DecideContext } from '../decider';
import { AcmeError } from '../errors';
import { assertStreamEvent, type DomainEvent, event } from '../events';

/**
 * The reservation stream `account-key-<thumbprint>` makes one key belong to at most one account:
 * a first reservation is appended with "no stream" expected, so two concurrent registrations with
 * the same key cannot both succeed. Key rollover reserves the new key and releases the old one.
 */
export interface AccountKeyState {
  thumbprint: string;
  /** The account holding the key now; null once released. */
  accountId: string | null;
}

export const initialAccountKeyState: AccountKeyState | null = null;

export function evolveAccountKey(state: AccountKeyState | null, e: DomainEvent): AccountKeyState | null {
  assertStreamEvent('account-key', e);
  switch (e.type) {
    case 'AccountKeyReserved':
      return { thumbprint: e.data.thumbprint, accountId: e.data.accountId };
    case 'AccountKeyReleased':
      return { thumbprint: e.data.thumbprint, accountId: null };
  }
}

export type AccountKeyCommand =
  | { type: 'ReserveAccountKey'; thumbprint: string; accountId: string }
  | { type: 'ReleaseAccountKey'; thumbprint: string; accountId: string };

export function decideAccountKey(state: AccountKeyState | null, command: AccountKeyCommand, _ctx?: DecideContext): DomainEvent[] {
  const owner = state?.accountId ?? null;
  switch (command.type) {
    case 'ReserveAccountKey':
      if (owner === command.accountId) return [];
      // RFC 8555 §7.3.5: 409 Conflict; the caller adds the Location of the owning account.
      if (owner) throw new AcmeError('malformed', 'this key is already in use by another account', [], { reason: { kind: 'conflict' } });
      return [event('AccountKeyReserved', { accountId: command.accountId, thumbprint: command.thumbprint })];
    case 'ReleaseAccountKey':
      if (owner !== command.accountId) return [];
      return [event('AccountKeyReleased', { accountId: command.accountId, thumbprint: command.thumbprint })];
  }
}

/** Which account a key belongs to, from its reservation stream. */
export function reservedAccount(events: DomainEvent[]): string | null {
  return events.reduce<AccountKeyState | null>((s, e) => evolveAccountKey(s, e), null)?.accountId ?? null;
}
