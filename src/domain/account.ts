import { validateContact } from './contact';
import { AcmeError } from './errors';
import { type DomainEvent, event, type EventDataByType, type JwkPublic } from './events';

/** The account aggregate: state folded from its stream, and the decisions taken on it. */
export interface AccountState {
  accountId: string;
  jwk: JwkPublic;
  thumbprint: string;
  contact: string[];
  termsOfServiceAgreed: boolean;
  status: 'valid' | 'deactivated';
  eabKeyId: string | null;
}

export function evolveAccount(state: AccountState | null, e: DomainEvent): AccountState | null {
  switch (e.type) {
    case 'AccountRegistered':
      return { ...e.data, status: 'valid' };
    case 'AccountContactUpdated':
      return state && { ...state, contact: e.data.contact };
    case 'AccountKeyChanged':
      return state && { ...state, jwk: e.data.jwk, thumbprint: e.data.newThumbprint };
    case 'AccountDeactivated':
      return state && { ...state, status: 'deactivated' };
    default:
      return state;
  }
}

export function assertAccountActive(state: AccountState | null): asserts state is AccountState {
  if (!state) throw new AcmeError('accountDoesNotExist', 'no account exists for this key or URL');
  if (state.status !== 'valid') throw new AcmeError('unauthorized', `account is ${state.status}`);
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

export function decideRegisterAccount(cmd: RegisterAccount): { account: DomainEvent[]; reservation: DomainEvent[] } {
  const contact = validateContact(cmd.contact);
  if (cmd.termsOfServiceAgreed !== undefined && typeof cmd.termsOfServiceAgreed !== 'boolean') {
    throw new AcmeError('malformed', 'termsOfServiceAgreed must be a boolean');
  }
  if (cmd.termsOfServiceRequired && cmd.termsOfServiceAgreed !== true) {
    throw new AcmeError('userActionRequired', 'you must agree to the terms of service (termsOfServiceAgreed: true)');
  }
  const data: EventDataByType['AccountRegistered'] = {
    accountId: cmd.accountId,
    jwk: cmd.jwk,
    thumbprint: cmd.thumbprint,
    contact,
    termsOfServiceAgreed: cmd.termsOfServiceAgreed === true,
    eabKeyId: cmd.eabKeyId,
  };
  return {
    account: [event('AccountRegistered', data)],
    reservation: [event('AccountKeyReserved', { accountId: cmd.accountId, thumbprint: cmd.thumbprint })],
  };
}

/** Account update (RFC 8555 §7.3.2, §7.3.6): contact change and/or deactivation. */
export function decideUpdateAccount(state: AccountState, payload: Record<string, unknown>): DomainEvent[] {
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

export function decideKeyChange(state: AccountState, newJwk: JwkPublic, newThumbprint: string): DomainEvent[] {
  assertAccountActive(state);
  if (newThumbprint === state.thumbprint) throw new AcmeError('malformed', 'the new key is the same as the current key');
  return [event('AccountKeyChanged', { oldThumbprint: state.thumbprint, newThumbprint, jwk: newJwk })];
}

/** Which account a key belongs to, from its reservation stream. */
export function reservedAccount(events: DomainEvent[]): string | null {
  let owner: string | null = null;
  for (const e of events) {
    if (e.type === 'AccountKeyReserved') owner = e.data.accountId;
    if (e.type === 'AccountKeyReleased') owner = null;
  }
  return owner;
}
