import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { parseAndCheckCsr } from '../ca/csr';
import { type AuthorizationState, decideDeactivateAuthorization, decideRequestValidation, offeredChallengeTypes } from '../domain/authorization';
import { type AccountState, evolveAccount } from '../domain/account';
import { assertIdentifiersAllowed, type EabKeyState, evolveEabKey } from '../domain/eab';
import { AcmeError, type Identifier } from '../domain/errors';
import { type DomainEvent, event } from '../domain/events';
import { authorizationName, isWildcard, normalizeIdentifiers } from '../domain/identifiers';
import { decideFinalize } from '../domain/order';
import { streams } from '../domain/streams';
import { withRetry } from './aggregate-store';
import { ACME_DEPS, type AcmeDeps, type RequestMeta, settle } from './acme-deps';
import { loadAuthorization, loadOrderView, type OrderView } from './order-view';

export class NewOrderCommand {
  constructor(readonly accountId: string, readonly payload: Record<string, unknown>, readonly meta: RequestMeta) {}
}
export class NewAuthzCommand {
  constructor(readonly accountId: string, readonly payload: Record<string, unknown>, readonly meta: RequestMeta) {}
}
export class RespondChallengeCommand {
  constructor(readonly accountId: string, readonly authzId: string, readonly challengeId: string, readonly keyAuthorization: string, readonly meta: RequestMeta) {}
}
export class DeactivateAuthzCommand {
  constructor(readonly accountId: string, readonly authzId: string, readonly meta: RequestMeta) {}
}
export class FinalizeOrderCommand {
  constructor(readonly accountId: string, readonly orderId: string, readonly payload: Record<string, unknown>, readonly accountThumbprint: string, readonly meta: RequestMeta) {}
}

function parseDate(value: unknown, name: string): Date | null {
  if (value === undefined || value === null) return null;
  const d = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new AcmeError('malformed', `${name} must be an RFC 3339 date`);
  return d;
}

function newAuthorization(deps: AcmeDeps, accountId: string, identifier: Identifier, preAuthorization: boolean): { authzId: string; events: DomainEvent[] } {
  const authzId = deps.newId();
  const wildcard = isWildcard(identifier.value);
  const challenges = offeredChallengeTypes(wildcard).map((type) => ({ challengeId: deps.newId(), type, token: deps.newToken() }));
  const expires = new Date(deps.now().getTime() + deps.policy.pendingAuthorizationLifetimeMs).toISOString();
  return {
    authzId,
    events: [
      event('AuthorizationCreated', {
        authzId,
        accountId,
        identifier: { type: 'dns', value: authorizationName(identifier.value) },
        wildcard,
        expires,
        challenges,
        preAuthorization,
      }),
    ],
  };
}

/** A valid authorization of the same account and name, validated within the reuse window. */
async function reusableAuthorization(deps: AcmeDeps, accountId: string, identifier: Identifier): Promise<string | null> {
  const r = await deps.pool.query(
    `SELECT authz_id FROM rm_authorizations
     WHERE account_id = $1 AND identifier = $2 AND wildcard = $3 AND status = 'valid'
       AND expires > $4 AND validated_at > $5
     ORDER BY expires DESC LIMIT 1`,
    [accountId, authorizationName(identifier.value), isWildcard(identifier.value), deps.now(), new Date(deps.now().getTime() - deps.policy.authorizationReuseMs)],
  );
  return r.rows[0]?.authz_id ?? null;
}

/** An account bound through EAB may order only the names its key allows. */
async function assertAllowedByEab(deps: AcmeDeps, accountId: string, identifiers: Identifier[]): Promise<void> {
  const account = (await deps.aggregates.load<AccountState>(streams.account(accountId), evolveAccount)).state;
  if (!account?.eabKeyId) return;
  const key = (await deps.aggregates.load<EabKeyState>(streams.eabKey(account.eabKeyId), evolveEabKey)).state;
  assertIdentifiersAllowed(identifiers, key?.allowedIdentifiers ?? []);
}

/** newOrder (RFC 8555 §7.4): the order and its new authorizations are appended atomically. */
@CommandHandler(NewOrderCommand)
export class NewOrderHandler implements ICommandHandler<NewOrderCommand> {
  constructor(@Inject(ACME_DEPS) private readonly deps: AcmeDeps) {}

  async execute(cmd: NewOrderCommand): Promise<OrderView> {
    const deps = this.deps;
    const identifiers = normalizeIdentifiers(cmd.payload.identifiers, { maxIdentifiers: deps.policy.maxIdentifiers });
    await assertAllowedByEab(deps, cmd.accountId, identifiers);
    const now = deps.now();
    const notBefore = parseDate(cmd.payload.notBefore, 'notBefore');
    const notAfter = parseDate(cmd.payload.notAfter, 'notAfter');
    if (notBefore && notAfter && notAfter <= notBefore) throw new AcmeError('malformed', 'notAfter must be later than notBefore');
    if (notAfter && notAfter.getTime() - (notBefore ?? now).getTime() > deps.policy.maxValidityMs) {
      throw new AcmeError('malformed', `the requested validity exceeds the maximum of ${Math.round(deps.policy.maxValidityMs / 86_400_000)} days`);
    }
    if (notAfter && notAfter <= now) throw new AcmeError('malformed', 'notAfter is in the past');
    const orderId = deps.newId();
    const appends: Array<{ streamId: string; events: DomainEvent[]; expected: 'no_stream' }> = [];
    const authorizationIds: string[] = [];
    for (const identifier of identifiers) {
      const reused = await reusableAuthorization(deps, cmd.accountId, identifier);
      if (reused) {
        authorizationIds.push(reused);
        continue;
      }
      const created = newAuthorization(deps, cmd.accountId, identifier, false);
      authorizationIds.push(created.authzId);
      appends.push({ streamId: streams.authz(created.authzId), events: created.events, expected: 'no_stream' });
    }
    const expires = new Date(now.getTime() + deps.policy.orderLifetimeMs).toISOString();
    appends.push({
      streamId: streams.order(orderId),
      expected: 'no_stream',
      events: [
        event('OrderCreated', {
          orderId,
          accountId: cmd.accountId,
          identifiers,
          authorizationIds,
          notBefore: notBefore?.toISOString() ?? null,
          notAfter: notAfter?.toISOString() ?? null,
          expires,
        }),
      ],
    });
    const position = await deps.aggregates.append(appends, { ...cmd.meta, actor: `account:${cmd.accountId}` });
    await settle(deps, position);
    return (await loadOrderView(deps, orderId))!;
  }
}

/** newAuthz pre-authorization (RFC 8555 §7.4.1); wildcards are proven through orders only. */
@CommandHandler(NewAuthzCommand)
export class NewAuthzHandler implements ICommandHandler<NewAuthzCommand> {
  constructor(@Inject(ACME_DEPS) private readonly deps: AcmeDeps) {}

  async execute(cmd: NewAuthzCommand): Promise<string> {
    const [identifier] = normalizeIdentifiers([cmd.payload.identifier], { maxIdentifiers: 1 });
    if (isWildcard(identifier.value)) throw new AcmeError('rejectedIdentifier', 'wildcard identifiers cannot be pre-authorized; request them in an order');
    const created = newAuthorization(this.deps, cmd.accountId, identifier, true);
    const position = await this.deps.aggregates.append([{ streamId: streams.authz(created.authzId), events: created.events, expected: 'no_stream' }], {
      ...cmd.meta,
      actor: `account:${cmd.accountId}`,
    });
    await settle(this.deps, position);
    return created.authzId;
  }
}

export async function ownedAuthorization(deps: AcmeDeps, accountId: string, authzId: string) {
  const loaded = await loadAuthorization(deps, authzId);
  if (!loaded.state || loaded.state.accountId !== accountId) {
    throw new AcmeError('malformed', `no authorization ${authzId} for this account`, [], { status: 404 });
  }
  return loaded;
}

/** Load an account's authorization, decide, append with its revision, and answer with the new state. */
function changeAuthorization(
  deps: AcmeDeps,
  cmd: { accountId: string; authzId: string; meta: RequestMeta },
  decide: (state: AuthorizationState) => DomainEvent[],
): Promise<AuthorizationState> {
  return withRetry(async () => {
    const loaded = await ownedAuthorization(deps, cmd.accountId, cmd.authzId);
    const events = decide(loaded.state!);
    const position = await deps.aggregates.append([{ streamId: streams.authz(cmd.authzId), events, expected: loaded.revision }], {
      ...cmd.meta,
      actor: `account:${cmd.accountId}`,
    });
    await settle(deps, position);
    return (await loadAuthorization(deps, cmd.authzId)).state!;
  });
}

/** POST {} to a challenge: validation is requested; a durable job performs it (job_dispatch). */
@CommandHandler(RespondChallengeCommand)
export class RespondChallengeHandler implements ICommandHandler<RespondChallengeCommand> {
  constructor(@Inject(ACME_DEPS) private readonly deps: AcmeDeps) {}

  execute(cmd: RespondChallengeCommand) {
    return changeAuthorization(this.deps, cmd, (state) => decideRequestValidation(state, cmd.challengeId, cmd.keyAuthorization, this.deps.now()));
  }
}

@CommandHandler(DeactivateAuthzCommand)
export class DeactivateAuthzHandler implements ICommandHandler<DeactivateAuthzCommand> {
  constructor(@Inject(ACME_DEPS) private readonly deps: AcmeDeps) {}

  execute(cmd: DeactivateAuthzCommand) {
    return changeAuthorization(this.deps, cmd, (state) => decideDeactivateAuthorization(state, this.deps.now(), 'account'));
  }
}

/** finalize (RFC 8555 §7.4): the CSR is checked now; issuance runs as a durable job. */
@CommandHandler(FinalizeOrderCommand)
export class FinalizeOrderHandler implements ICommandHandler<FinalizeOrderCommand> {
  constructor(@Inject(ACME_DEPS) private readonly deps: AcmeDeps) {}

  async execute(cmd: FinalizeOrderCommand): Promise<OrderView> {
    const deps = this.deps;
    const view = await withRetry(async () => {
      const v = await loadOrderView(deps, cmd.orderId);
      if (!v || v.order.accountId !== cmd.accountId) throw new AcmeError('malformed', `no order ${cmd.orderId} for this account`, [], { status: 404 });
      if (v.status !== 'ready') decideFinalize(v.order, v.status, { der: '', names: [], keyType: '' });
      if (typeof cmd.payload.csr !== 'string' || !/^[A-Za-z0-9_-]+$/.test(cmd.payload.csr)) {
        throw new AcmeError('malformed', 'finalize payload needs "csr": the base64url DER of a PKCS#10 request');
      }
      const der = Buffer.from(cmd.payload.csr, 'base64url');
      const csr = await parseAndCheckCsr(der, v.order.identifiers.map((i) => i.value), cmd.accountThumbprint);
      const events = decideFinalize(v.order, v.status, { der: cmd.payload.csr, names: csr.names, keyType: csr.keyName });
      const position = await deps.aggregates.append([{ streamId: streams.order(cmd.orderId), events, expected: v.revision }], {
        ...cmd.meta,
        actor: `account:${cmd.accountId}`,
      });
      await settle(deps, position);
      return v;
    });
    // Issuance is fast with the internal CA: answer with the final state when it is there soon.
    const deadline = Date.now() + 5000;
    let current = (await loadOrderView(deps, view.order.orderId))!;
    while (current.status === 'processing' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      current = (await loadOrderView(deps, view.order.orderId))!;
    }
    return current;
  }
}
