import type { JWK } from 'jose';
import {
  type AccountKeyState,
  type AccountState,
  decideAccount,
  decideAccountKey,
  decideRegisterAccount,
  deactivatedAccount,
  evolveAccountKey,
  evolveAccount,
  reservedAccount,
} from '../domain/account';
import { checkAccountKey } from '../ca/key-policy';
import { decideBindEabKey, type EabKeyState, evolveEabKey } from '../domain/eab';
import { AcmeError } from '../domain/errors';
import { type JwkPublic } from '../domain/events';
import { streams } from '../domain/streams';
import { foldRead, type ReadStreams, toDomainEvent, withRetry } from './aggregate-store';
import { type AcmeDeps, type RequestMeta } from './acme-deps';
import { assertKeyNotBlocked } from './blocked-keys';
import { handleCommand } from './handle-command';

export class NewAccountCommand {
  constructor(
    readonly jwk: JWK,
    readonly thumbprint: string,
    readonly payload: Record<string, unknown>,
    readonly meta: RequestMeta,
    /** The EAB key whose binding verified, when the request carried one. */
    readonly eabKeyId: string | null = null,
  ) {}
}

export class UpdateAccountCommand {
  constructor(
    readonly accountId: string,
    readonly payload: Record<string, unknown>,
    readonly meta: RequestMeta,
    /** The account's stream as the request read it with its key (decided on without reading again). */
    readonly prefetched: ReadStreams | null = null,
  ) {}
}

export class ChangeAccountKeyCommand {
  constructor(
    readonly accountId: string,
    readonly newJwk: JWK,
    readonly newThumbprint: string,
    readonly meta: RequestMeta,
  ) {}
}

export async function loadAccount(deps: AcmeDeps, accountId: string, prefetched?: ReadStreams | null) {
  return deps.aggregates.load<AccountState>(streams.account(accountId), evolveAccount, prefetched);
}

async function keyOwner(deps: AcmeDeps, thumbprint: string): Promise<{ owner: string | null; revision: number }> {
  const events = await deps.aggregates.store.readStream(streams.accountKey(thumbprint));
  return { owner: reservedAccount(events.map(toDomainEvent)), revision: events.length - 1 };
}

/** newAccount (RFC 8555 §7.3, §7.3.1): one account per key, through the key's reservation stream. */
export class NewAccountHandler {
  constructor(private readonly deps: AcmeDeps) {}

  async execute(cmd: NewAccountCommand): Promise<{ accountId: string; created: boolean; account: AccountState }> {
    const deps = this.deps;
    await deps.checkContacts?.(cmd.payload.contact);
    let limited = false;
    return withRetry(async () => {
      const { owner, revision } = await keyOwner(deps, cmd.thumbprint);
      if (owner) {
        // A lookup (onlyReturnExisting included) signed by a deactivated account's key is refused.
        const existing = (await loadAccount(deps, owner)).state!;
        if (existing.status !== 'valid') throw deactivatedAccount();
        return { accountId: owner, created: false, account: existing };
      }
      if (cmd.payload.onlyReturnExisting === true) throw new AcmeError('accountDoesNotExist', 'no account exists for this key');
      await assertKeyNotBlocked(deps.db, checkAccountKey(cmd.jwk), 'badPublicKey');
      if (!limited) {
        limited = true; // a retried append does not spend twice
        await deps.limits?.newAccount({ ip: cmd.meta.sourceIp, requestId: cmd.meta.requestId });
      }
      const accountId = deps.newId();
      const eab = cmd.eabKeyId ? await deps.aggregates.load<EabKeyState>(streams.eabKey(cmd.eabKeyId), evolveEabKey) : null;
      const handled = await handleCommand<AccountState>(deps.aggregates, {
        streamId: streams.account(accountId),
        evolve: evolveAccount,
        create: true,
        metadata: { ...cmd.meta, actor: `account:${accountId}` },
        decide: () => {
          const decided = decideRegisterAccount({
            accountId,
            jwk: cmd.jwk as JwkPublic,
            thumbprint: cmd.thumbprint,
            contact: cmd.payload.contact,
            termsOfServiceAgreed: cmd.payload.termsOfServiceAgreed,
            termsOfServiceRequired: deps.policy.termsOfServiceRequired,
            eabKeyId: cmd.eabKeyId,
          });
          if (deps.policy.eabRequired && !cmd.eabKeyId) {
            throw new AcmeError('externalAccountRequired', 'this server requires an external account binding for new accounts');
          }
          return {
            events: decided.account,
            alongside: [
              { streamId: streams.accountKey(cmd.thumbprint), events: decided.reservation, expected: revision < 0 ? 'no_stream' : revision },
              ...(eab ? [{ streamId: streams.eabKey(cmd.eabKeyId!), events: decideBindEabKey(eab.state, accountId), expected: eab.revision }] : []),
            ],
          };
        },
      });
      return { accountId, created: true, account: handled.state! };
    });
  }
}

export class UpdateAccountHandler {
  constructor(private readonly deps: AcmeDeps) {}

  async execute(cmd: UpdateAccountCommand): Promise<AccountState> {
    await this.deps.checkContacts?.(cmd.payload.contact);
    const handled = await handleCommand<AccountState>(this.deps.aggregates, {
      streamId: streams.account(cmd.accountId),
      evolve: evolveAccount,
      metadata: { ...cmd.meta, actor: `account:${cmd.accountId}` },
      known: foldRead(cmd.prefetched, streams.account(cmd.accountId), evolveAccount),
      decide: (state) => decideAccount(state, { type: 'UpdateAccount', payload: cmd.payload }, { now: this.deps.now(), policy: this.deps.policy }),
    });
    return handled.state!;
  }
}

/** keyChange (RFC 8555 §7.3.5): reserve the new key, release the old one, in one atomic append. */
export class ChangeAccountKeyHandler {
  constructor(private readonly deps: AcmeDeps) {}

  async execute(cmd: ChangeAccountKeyCommand): Promise<{ conflictAccountId?: string; account?: AccountState }> {
    const deps = this.deps;
    await assertKeyNotBlocked(deps.db, checkAccountKey(cmd.newJwk), 'badPublicKey');
    const newKey = await keyOwner(deps, cmd.newThumbprint);
    if (newKey.owner && newKey.owner !== cmd.accountId) return { conflictAccountId: newKey.owner };
    const handled = await handleCommand<AccountState>(deps.aggregates, {
      streamId: streams.account(cmd.accountId),
      evolve: evolveAccount,
      metadata: { ...cmd.meta, actor: `account:${cmd.accountId}` },
      decide: async (state) => {
        const events = decideAccount(state, { type: 'ChangeAccountKey', newJwk: cmd.newJwk as JwkPublic, newThumbprint: cmd.newThumbprint }, { now: deps.now(), policy: deps.policy });
        const reserved = await loadKey(deps, cmd.newThumbprint);
        const released = await loadKey(deps, state!.thumbprint);
        return {
          events,
          alongside: [
            { streamId: streams.accountKey(cmd.newThumbprint), events: decideAccountKey(reserved.state, { type: 'ReserveAccountKey', thumbprint: cmd.newThumbprint, accountId: cmd.accountId }), expected: reserved.revision < 0 ? 'no_stream' : reserved.revision },
            { streamId: streams.accountKey(state!.thumbprint), events: decideAccountKey(released.state, { type: 'ReleaseAccountKey', thumbprint: state!.thumbprint, accountId: cmd.accountId }), expected: released.revision },
          ],
        };
      },
    }).catch(async (e) => {
      // The new key was taken between the check and the append: answer with its owner.
      const taken = await keyOwner(deps, cmd.newThumbprint);
      if (taken.owner && taken.owner !== cmd.accountId) return null;
      throw e;
    });
    if (!handled) return { conflictAccountId: (await keyOwner(deps, cmd.newThumbprint)).owner! };
    return { account: handled.state! };
  }
}

function loadKey(deps: AcmeDeps, thumbprint: string) {
  return deps.aggregates.load<AccountKeyState>(streams.accountKey(thumbprint), evolveAccountKey);
}
