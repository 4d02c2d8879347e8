import { assertStreamEvent, type DomainEvent, type JwkPublic, requireCreated, StreamIntegrityError } from '../events';

/** The account aggregate (stream `account-<id>`) as folded from its events. */
export interface AccountState {
  accountId: string;
  jwk: JwkPublic;
  thumbprint: string;
  contact: string[];
  termsOfServiceAgreed: boolean;
  status: 'valid' | 'deactivated';
  eabKeyId: string | null;
}

/** No account before its AccountRegistered event. */
export const initialAccountState: AccountState | null = null;

export function evolveAccount(state: AccountState | null, e: DomainEvent): AccountState | null {
  assertStreamEvent('account', e);
  if (e.type === 'AccountRegistered') {
    if (state) throw new StreamIntegrityError(`account ${state.accountId} is registered twice`);
    return { ...e.data, status: 'valid' };
  }
  const s = requireCreated(state, e);
  switch (e.type) {
    case 'AccountContactUpdated':
      return { ...s, contact: e.data.contact };
    case 'AccountKeyChanged':
      return { ...s, jwk: e.data.jwk, thumbprint: e.data.newThumbprint };
    case 'AccountDeactivated':
      return { ...s, status: 'deactivated' };
  }
}
