import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Inject } from '@nestjs/common';
import type { JWK } from 'jose';
import {
  type AccountState,
  decideKeyChange,
  decideRegisterAccount,
  decideUpdateAccount,
  evolveAccount,
  reservedAccount,
} from '../domain/account';
import { decideBindEabKey, type EabKeyState, evolveEabKey } from '../domain/eab';
import { AcmeError } from '../domain/errors';
import { type DomainEvent, event, type JwkPublic } from '../domain/events';
import { streams } from '../domain/streams';
import { toDomainEvent, withRetry } from './aggregate-store';
import { ACME_DEPS, type AcmeDeps, type RequestMeta, settle } from './acme-deps';

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

export async function loadAccount(deps: AcmeDeps, accountId: string) {
  return deps.aggregates.load<AccountState>(streams.account(accountId), evolveAccount);
}

async function keyOwner(deps: AcmeDeps, thumbprint: string): Promise<{ owner: string | null; revision: number }> {
  const events = await deps.aggregates.store.readStream(streams.accountKey(thumbprint));
  return { owner: reservedAccount(events.map(toDomainEvent)), revision: events.length - 1 };
}

/** newAccount (RFC 8555 §7.3, §7.3.1): one account per key, through the key's reservation stream. */
@CommandHandler(NewAccountCommand)
export class NewAccountHandler implements ICommandHandler<NewAccountCommand> {
  constructor(@Inject(ACME_DEPS) private readonly deps: AcmeDeps) {}

  async execute(cmd: NewAccountCommand): Promise<{ accountId: string; created: boolean; account: AccountState }> {
    return withRetry(async () => {
      const { owner, revision } = await keyOwner(this.deps, cmd.thumbprint);
      if (owner) {
        const existing = await loadAccount(this.deps, owner);
        return { accountId: owner, created: false, account: existing.state! };
      }
      if (cmd.payload.onlyReturnExisting === true) throw new AcmeError('accountDoesNotExist', 'no account exists for this key');
      const accountId = this.deps.newId();
      const decided = decideRegisterAccount({
        accountId,
        jwk: cmd.jwk as JwkPublic,
        thumbprint: cmd.thumbprint,
        contact: cmd.payload.contact,
        termsOfServiceAgreed: cmd.payload.termsOfServiceAgreed,
        termsOfServiceRequired: this.deps.policy.termsOfServiceRequired,
        eabKeyId: cmd.eabKeyId,
      });
      if (this.deps.policy.eabRequired && !cmd.eabKeyId) {
        throw new AcmeError('externalAccountRequired', 'this server requires an external account binding for new accounts');
      }
      const eab = cmd.eabKeyId ? await this.deps.aggregates.load<EabKeyState>(streams.eabKey(cmd.eabKeyId), evolveEabKey) : null;
      const bind = eab ? [{ streamId: streams.eabKey(cmd.eabKeyId!), events: decideBindEabKey(eab.state, accountId), expected: eab.revision }] : [];
      const meta = { ...cmd.meta, actor: `account:${accountId}` };
      const position = await this.deps.aggregates.append(
        [
          { streamId: streams.account(accountId), events: decided.account, expected: 'no_stream' },
          { streamId: streams.accountKey(cmd.thumbprint), events: decided.reservation, expected: revision < 0 ? 'no_stream' : revision },
          ...bind,
        ],
        meta,
      );
      await settle(this.deps, position);
      const account = (await loadAccount(this.deps, accountId)).state!;
      return { accountId, created: true, account };
    });
  }
}

@CommandHandler(UpdateAccountCommand)
export class UpdateAccountHandler implements ICommandHandler<UpdateAccountCommand> {
  constructor(@Inject(ACME_DEPS) private readonly deps: AcmeDeps) {}

  async execute(cmd: UpdateAccountCommand): Promise<AccountState> {
    return withRetry(async () => {
      const loaded = await loadAccount(this.deps, cmd.accountId);
      const events = decideUpdateAccount(loaded.state!, cmd.payload);
      const position = await this.deps.aggregates.append(
        [{ streamId: streams.account(cmd.accountId), events, expected: loaded.revision }],
        { ...cmd.meta, actor: `account:${cmd.accountId}` },
      );
      await settle(this.deps, position);
      return events.reduce<AccountState | null>((s, e) => evolveAccount(s, e), loaded.state)!;
    });
  }
}

/** keyChange (RFC 8555 §7.3.5): reserve the new key, release the old one, in one atomic append. */
@CommandHandler(ChangeAccountKeyCommand)
export class ChangeAccountKeyHandler implements ICommandHandler<ChangeAccountKeyCommand> {
  constructor(@Inject(ACME_DEPS) private readonly deps: AcmeDeps) {}

  async execute(cmd: ChangeAccountKeyCommand): Promise<{ conflictAccountId?: string }> {
    return withRetry(async () => {
      const loaded = await loadAccount(this.deps, cmd.accountId);
      const state = loaded.state!;
      const events = decideKeyChange(state, cmd.newJwk as JwkPublic, cmd.newThumbprint);
      const newKey = await keyOwner(this.deps, cmd.newThumbprint);
      if (newKey.owner) return { conflictAccountId: newKey.owner };
      const oldKey = await keyOwner(this.deps, state.thumbprint);
      const reserve: DomainEvent[] = [event('AccountKeyReserved', { accountId: cmd.accountId, thumbprint: cmd.newThumbprint })];
      const release: DomainEvent[] = [event('AccountKeyReleased', { accountId: cmd.accountId, thumbprint: state.thumbprint })];
      const position = await this.deps.aggregates.append(
        [
          { streamId: streams.account(cmd.accountId), events, expected: loaded.revision },
          { streamId: streams.accountKey(cmd.newThumbprint), events: reserve, expected: newKey.revision < 0 ? 'no_stream' : newKey.revision },
          { streamId: streams.accountKey(state.thumbprint), events: release, expected: oldKey.revision },
        ],
        { ...cmd.meta, actor: `account:${cmd.accountId}` },
      );
      await settle(this.deps, position);
      return {};
    });
  }
}
