import {
  accountDecider,
  type AccountState,
  accountKeyDecider,
  decideRegisterAccount,
  evolveAccount,
  reservedAccount,
} from '../../../src/domain/account';
import { event } from '../../../src/domain/events';
import { fold, NOW, refusalOf, scenario } from './support/given';
import { accountRegistered } from './support/histories';

const ctx = { now: NOW, policy: { termsOfServiceRequired: true } };
const account = scenario(accountDecider, ctx);
const deactivated = event('AccountDeactivated', { by: 'account', reason: null });
const newJwk = { kty: 'EC', crv: 'P-256', x: 'x2', y: 'y2' };
const register = (over: Record<string, unknown> = {}) =>
  ({ type: 'RegisterAccount', accountId: 'acct-1', jwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }, thumbprint: 'tp-1', contact: ['mailto:ops@example.com'], termsOfServiceAgreed: true, eabKeyId: null, ...over }) as const;

describe('account: evolve', () => {
  test('AccountRegistered creates a valid account with what was registered', () => {
    expect(fold(accountDecider, [accountRegistered()])).toEqual({
      accountId: 'acct-1',
      jwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' },
      thumbprint: 'tp-1',
      contact: ['mailto:ops@example.com'],
      termsOfServiceAgreed: true,
      status: 'valid',
      eabKeyId: null,
    } satisfies AccountState);
  });

  test('AccountContactUpdated replaces the contacts', () => {
    expect(fold(accountDecider, [accountRegistered(), event('AccountContactUpdated', { contact: [] })])?.contact).toEqual([]);
  });

  test('AccountKeyChanged installs the new key and thumbprint', () => {
    const s = fold(accountDecider, [accountRegistered(), event('AccountKeyChanged', { oldThumbprint: 'tp-1', newThumbprint: 'tp-2', jwk: newJwk })]);
    expect(s).toMatchObject({ jwk: newJwk, thumbprint: 'tp-2' });
  });

  test('AccountDeactivated makes the account deactivated', () => {
    expect(fold(accountDecider, [accountRegistered(), deactivated])?.status).toBe('deactivated');
  });
});

describe('account: decide', () => {
  test('registration records the account; the key reservation goes to the key stream', () => {
    account.given([]).when(register()).then([accountRegistered()]);
    expect(decideRegisterAccount({ ...register(), termsOfServiceRequired: true }).reservation).toEqual([
      event('AccountKeyReserved', { accountId: 'acct-1', thumbprint: 'tp-1' }),
    ]);
  });

  test('registration needs the terms agreed when the server requires it, and a boolean', () => {
    account.given([]).when(register({ termsOfServiceAgreed: false })).thenRefuses('userActionRequired', /terms of service/);
    account.given([]).when(register({ termsOfServiceAgreed: 'yes' })).thenRefuses('malformed', /boolean/);
    account.given([]).when(register({ termsOfServiceAgreed: undefined }), { policy: { termsOfServiceRequired: false } }).then([
      event('AccountRegistered', { ...accountRegistered().data, termsOfServiceAgreed: false }),
    ]);
  });

  test('registration validates contacts', () => {
    account.given([]).when(register({ contact: ['tel:+15555550100'] })).thenRefuses('unsupportedContact');
  });

  test('an account is registered once', () => {
    account.given([accountRegistered()]).when(register()).thenRefuses('malformed', /already exists/);
  });

  test('a contact update is recorded normalised, and only when it changes something', () => {
    account.given([accountRegistered()]).when({ type: 'UpdateContact', contact: ['mailto:NOC@Example.ORG'] }).then([
      event('AccountContactUpdated', { contact: ['mailto:NOC@example.org'] }),
    ]);
    account.given([accountRegistered()]).when({ type: 'UpdateContact', contact: ['mailto:ops@example.com'] }).then([]);
    account.given([accountRegistered()]).when({ type: 'UpdateContact', contact: ['mailto:a@b.example?x=1'] }).thenRefuses('invalidContact');
  });

  test('a POST to the account URL may change contacts and deactivate at once; other statuses are malformed', () => {
    account.given([accountRegistered()]).when({ type: 'UpdateAccount', payload: { contact: [], status: 'deactivated' } }).then([
      event('AccountContactUpdated', { contact: [] }),
      deactivated,
    ]);
    account.given([accountRegistered()]).when({ type: 'UpdateAccount', payload: {} }).then([]);
    account.given([accountRegistered()]).when({ type: 'UpdateAccount', payload: { status: 'valid' } }).thenRefuses('malformed', /deactivated/);
  });

  test('deactivation records who did it and why', () => {
    account.given([accountRegistered()]).when({ type: 'DeactivateAccount', by: 'admin', reason: 'abuse report' }).then([
      event('AccountDeactivated', { by: 'admin', reason: 'abuse report' }),
    ]);
  });

  test.each([
    ['UpdateContact', { type: 'UpdateContact', contact: [] }],
    ['UpdateAccount', { type: 'UpdateAccount', payload: {} }],
    ['DeactivateAccount', { type: 'DeactivateAccount', by: 'account', reason: null }],
    ['ChangeAccountKey', { type: 'ChangeAccountKey', newJwk, newThumbprint: 'tp-2' }],
  ] as const)('a deactivated account is refused %s: unauthorized "Account is deactivated"', (_name, command) => {
    // RFC 8555 §7.3.6 and §6.7: 401, not the 403 other unauthorized refusals get.
    expect(account.given([accountRegistered(), deactivated]).when(command).thenRefuses('unauthorized', /^Account is deactivated$/).reason).toEqual({ kind: 'unauthenticated' });
  });

  test('a command on no account is accountDoesNotExist', () => {
    account.given([]).when({ type: 'UpdateContact', contact: [] }).thenRefuses('accountDoesNotExist');
  });

  test('key change records old and new key; the same key is malformed', () => {
    account.given([accountRegistered()]).when({ type: 'ChangeAccountKey', newJwk, newThumbprint: 'tp-2' }).then([
      event('AccountKeyChanged', { oldThumbprint: 'tp-1', newThumbprint: 'tp-2', jwk: newJwk }),
    ]);
    account.given([accountRegistered()]).when({ type: 'ChangeAccountKey', newJwk, newThumbprint: 'tp-1' }).thenRefuses('malformed', /same as the current key/);
  });

  test('the evolved state after a decision is what the next decision sees', () => {
    let s = fold(accountDecider, [accountRegistered()]);
    for (const e of accountDecider.decide(s, { type: 'DeactivateAccount', by: 'account', reason: null }, ctx)) s = evolveAccount(s, e);
    expect(refusalOf(() => accountDecider.decide(s, { type: 'UpdateContact', contact: [] }, ctx)).type).toBe('unauthorized');
  });
});

describe('account key reservation stream', () => {
  const keys = scenario(accountKeyDecider, { now: NOW });
  const reserved = event('AccountKeyReserved', { accountId: 'acct-1', thumbprint: 'tp-1' });
  const released = event('AccountKeyReleased', { accountId: 'acct-1', thumbprint: 'tp-1' });

  test('evolve: reserved names the owner, released frees the key', () => {
    expect(fold(accountKeyDecider, [reserved])).toEqual({ thumbprint: 'tp-1', accountId: 'acct-1' });
    expect(fold(accountKeyDecider, [reserved, released])).toEqual({ thumbprint: 'tp-1', accountId: null });
    expect(reservedAccount([reserved])).toBe('acct-1');
    expect(reservedAccount([reserved, released])).toBeNull();
  });

  test('a free key is reserved; a released key can be reserved again; the owner re-reserving is a no-op', () => {
    keys.given([]).when({ type: 'ReserveAccountKey', thumbprint: 'tp-1', accountId: 'acct-1' }).then([reserved]);
    keys.given([reserved, released]).when({ type: 'ReserveAccountKey', thumbprint: 'tp-1', accountId: 'acct-2' }).then([
      event('AccountKeyReserved', { accountId: 'acct-2', thumbprint: 'tp-1' }),
    ]);
    keys.given([reserved]).when({ type: 'ReserveAccountKey', thumbprint: 'tp-1', accountId: 'acct-1' }).then([]);
  });

  test("another account's key is a 409 conflict", () => {
    const e = keys.given([reserved]).when({ type: 'ReserveAccountKey', thumbprint: 'tp-1', accountId: 'acct-2' }).thenRefuses('malformed', /already in use/);
    expect(e.reason).toEqual({ kind: 'conflict' });
  });

  test('only the owner releases', () => {
    keys.given([reserved]).when({ type: 'ReleaseAccountKey', thumbprint: 'tp-1', accountId: 'acct-1' }).then([released]);
    keys.given([reserved]).when({ type: 'ReleaseAccountKey', thumbprint: 'tp-1', accountId: 'acct-2' }).then([]);
  });
});
