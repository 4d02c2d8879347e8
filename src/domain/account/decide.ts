import { validateContact } from '../contact';
import type { DecideContext } from '../decider';
import { AcmeError } from '../errors';
import { type DomainEvent, event, type JwkPublic } from '../events';
import type { AccountState } from './state';

/** Registration policy of the server (RFC 8555 §7.3). */
export interface AccountPolicy {
  termsOfServiceRequired: boolean;
}

export interface AccountContext extends DecideContext {
  policy: AccountPolicy;
}

export type AccountCommand =
  | {
      type: 'RegisterAccount';
      /** Chosen by the caller: the key's reservation stream must name it in the same append. */
      accountId: string;
      jwk: JwkPublic;
      thumbprint: string;
      contact: unknown;
      termsOfServiceAgreed: unknown;
      eabKeyId: string | null;
    }
  /** A POST to the account URL (RFC 8555 §7.3.2, §7.3.6): contact change and/or deactivation. */
  | { type: 'UpdateAccount'; payload: Record<string, unknown> }
  | { type: 'UpdateContact'; contact: unknown }
  | { type: 'DeactivateAccount'; by: 'account' | 'admin'; reason: string | null }
  | { type: 'ChangeAccountKey'; newJwk: JwkPublic; newThumbprint: string };

export function decideAccount(state: AccountState | null, command: AccountCommand, ctx: AccountContext): DomainEvent[] {
  switch (command.type) {
    case 'RegisterAccount':
      if (state) throw new AcmeError('malformed', `account ${state.accountId} already exists`, [], { reason: { kind: 'conflict' } });
      return decideRegisterAccount({ ...command, termsOfServiceRequired: ctx.policy.termsOfServiceRequired }).account;
    case 'UpdateAccount':
      return decideUpdateAccount(state, command.payload);
    case 'UpdateContact':
      return decideUpdateAccount(state, { contact: command.contact });
    case 'DeactivateAccount':
      assertAccountActive(state);
      return [event('AccountDeactivated', { by: command.by, reason: command.reason })];
    case 'ChangeAccountKey':
      return decideKeyChange(state, command.newJwk, command.newThumbprint);
  }
}

/** Refuses unknown and deactivated accounts (RFC 8555 §7.3.6: a deactivated account can do nothing). */
export function assertAccountActive(state: AccountState | null): asserts state is AccountState {
  if (!state) throw new AcmeError('accountDoesNotExist', 'no account exists for this key or URL');
  if (state.status !== 'valid') throw deactivatedAccount();
}

/** RFC 8555 §7.3.6 and §6.7: a request authorized by a deactivated account's key is 401 unauthorized. */
export function deactivatedAccount(): AcmeError {
  return new AcmeError('unauthorized', 'Account is deactivated', [], { reason: { kind: 'unauthenticated' } });
}

export interface RegisterAccount {
  accountId: string;
  jwk: JwkPublic;
  thumbprint: string;
  contact: unknown;
  termsOfServiceAgreed: unknown;
  termsOfServiceRequired: boolean;
  eabKeyId: string | null;
}

/** The account's first event, and the reservation of its key (stream `account-key-<thumbprint>`). */
export function decideRegisterAccount(cmd: RegisterAccount): { account: DomainEvent[]; reservation: DomainEvent[] } {
  const contact = validateContact(cmd.contact);
  if (cmd.termsOfServiceAgreed !== undefined && typeof cmd.termsOfServiceAgreed !== 'boolean') {
    throw new AcmeError('malformed', 'termsOfServiceAgreed must be a boolean');
  }
  if (cmd.termsOfServiceRequired && cmd.termsOfServiceAgreed !== true) {
    throw new AcmeError('userActionRequired', 'you must agree to the terms of service (termsOfServiceAgreed: true)');
  }
  return {
    account: [
      event('AccountRegistered', {
        accountId: cmd.accountId,
        jwk: cmd.jwk,
        thumbprint: cmd.thumbprint,
        contact,
        termsOfServiceAgreed: cmd.termsOfServiceAgreed === true,
        eabKeyId: cmd.eabKeyId,
      }),
    ],
    reservation: [event('AccountKeyReserved', { accountId: cmd.accountId, thumbprint: cmd.thumbprint })],
  };
}

/** Account update: a contact change is recorded only when it changes something. */
export function decideUpdateAccount(state: AccountState | null, payload: Record<string, unknown>): DomainEvent[] {
  assertAccountActive(state);
  const events: DomainEvent[] = [];
  if (payload.contact !== undefined) {
    const contact = validateContact(payload.contact);
    if (JSON.stringify(contact) !== JSON.stringify(state.contact)) events.push(event('AccountContactUpdated', { contact }));
  }
  if (payload.status !== undefined) {
    if (payload.status !== 'deactivated') throw new AcmeError('malformed', `an account's status can only be changed to "deactivated"`);
    events.push(event('AccountDeactivated', { by: 'account', reason: null }));
  }
  return events;
}

/** keyChange (RFC 8555 §7.3.5); the reservation streams of both keys change in the same append. */
export function decideKeyChange(state: AccountState | null, newJwk: JwkPublic, newThumbprint: string): DomainEvent[] {
  assertAccountActive(state);
  if (newThumbprint === state.thumbprint) throw new AcmeError('malformed', 'the new key is the same as the current key');
  return [event('AccountKeyChanged', { oldThumbprint: state.thumbprint, newThumbprint, jwk: newJwk })];
}
