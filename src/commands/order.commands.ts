import type { JWK } from 'jose';
import { parseAndCheckCsr } from '../ca/csr';
import { type AuthorizationState, decideAuthorization, decideCreateAuthorization, evolveAuthorization, type ValidationOutcome } from '../domain/authorization';
import { assertIdentifiersAllowed, type EabKeyState, evolveEabKey } from '../domain/eab';
import { AcmeError, type Identifier } from '../domain/errors';
import { authorizationKey, normalizeIdentifiers } from '../domain/identifiers';
import { decideCreateOrder, decideFinalize, evolveOrder, type OrderState, orderStatus } from '../domain/order';
import { checkProfileKey } from '../domain/policy/profiles';
import { streams } from '../domain/streams';
import { orderProfile } from '../jobs/issuance.worker';
import { keyAuthorization } from '../validation/key-authorization';
import { issueCertificate } from '../jobs/issuance.worker';
import { isValidationOutcome } from '../jobs/requested-work';
import { type AcmeDeps, authorizationContext, type RequestMeta } from './acme-deps';
import { assertKeyNotBlocked, type KnownBlocking } from './blocked-keys';
import { recheckCaa } from './caa-recheck';
import { replacedCertificate } from './renewal-info';
import { findReusableAuthorizations } from '../../projections/authorizations/queries';
import { foldRead, type ReadStreams } from './aggregate-store';
import { handleCommand, type StreamWrite } from './handle-command';
import { loadAuthorization, loadOrderView, type OrderView } from './order-view';

export class NewOrderCommand {
  constructor(
    readonly accountId: string,
    readonly payload: Record<string, unknown>,
    readonly meta: RequestMeta,
    readonly eabKeyId: string | null = null,
    /** The account's reusable authorizations, as the request's first statement read them. */
    readonly reusable?: KnownReusable,
  ) {}
}

/** Reusable authorizations read ahead: for which account and names, and what was found. */
export interface KnownReusable {
  accountId: string;
  keys: string[];
  found: Map<string, string>;
}
export class NewAuthzCommand {
  constructor(readonly accountId: string, readonly payload: Record<string, unknown>, readonly meta: RequestMeta, readonly eabKeyId: string | null = null) {}
}
export class RespondChallengeCommand {
  constructor(readonly accountId: string, readonly authzId: string, readonly challengeId: string, readonly accountJwk: JWK, readonly meta: RequestMeta, readonly prefetched: ReadStreams | null = null) {}
}
export class DeactivateAuthzCommand {
  constructor(readonly accountId: string, readonly authzId: string, readonly meta: RequestMeta, readonly prefetched: ReadStreams | null = null) {}
}
export class FinalizeOrderCommand {
  constructor(
    readonly accountId: string,
    readonly orderId: string,
    readonly payload: Record<string, unknown>,
    readonly accountThumbprint: string,
    readonly meta: RequestMeta,
    readonly prefetched: ReadStreams | null = null,
    /** Whether the CSR's key is blocked, as the request's first statement read it. */
    readonly blocking?: KnownBlocking,
  ) {}
}

const actor = (cmd: { accountId: string; meta: RequestMeta }) => ({ ...cmd.meta, actor: `account:${cmd.accountId}` });
const limitContext = (cmd: { accountId: string; meta: RequestMeta }) => ({ accountId: cmd.accountId, ip: cmd.meta.sourceIp, requestId: cmd.meta.requestId });

/** A new authorization's stream write, and its state as the response shows it. */
function createAuthorization(deps: AcmeDeps, accountId: string, identifier: Identifier, preAuthorization: boolean): { write: StreamWrite; state: AuthorizationState } {
  const authzId = deps.newId();
  const events = decideCreateAuthorization({ authzId, accountId, identifier, preAuthorization }, authorizationContext(deps));
  const state = events.reduce<AuthorizationState | null>((s, e) => evolveAuthorization(s, e), null)!;
  return { write: { streamId: streams.authz(authzId), events, expected: 'no_stream' }, state };
}

/** An order's identifiers as the policy accepts them, normalized. */
export function orderIdentifiers(deps: AcmeDeps, input: unknown): Identifier[] {
  return normalizeIdentifiers(input, { maxIdentifiers: deps.policy.maxIdentifiers, allowIp: deps.policy.ipIdentifiers ?? false });
}

/** The reuse lookup's arguments: the account's names, valid now and validated within the reuse window. */
export function reuseLookup(deps: AcmeDeps, accountId: string, keys: string[]): [string, string[], Date, Date] {
  const now = deps.now();
  return [accountId, keys, now, new Date(now.getTime() - deps.policy.authorizationReuseMs)];
}

/** Valid authorizations of the account for these names, validated within the reuse window: read ahead, or one query. */
async function reusableAuthorizations(deps: AcmeDeps, accountId: string, identifiers: Identifier[], known?: KnownReusable): Promise<Map<string, string>> {
  const keys = identifiers.map((i) => authorizationKey(i.value));
  if (known && known.accountId === accountId && known.keys.length === keys.length && known.keys.every((k, i) => k === keys[i])) return known.found;
  return findReusableAuthorizations(deps.db, ...reuseLookup(deps, accountId, keys));
}

/** An account bound through EAB may order only the names its key allows. */
async function assertAllowedByEab(deps: AcmeDeps, eabKeyId: string | null, identifiers: Identifier[]): Promise<void> {
  if (!eabKeyId) return;
  const key = (await deps.aggregates.load<EabKeyState>(streams.eabKey(eabKeyId), evolveEabKey)).state;
  assertIdentifiersAllowed(identifiers, key?.allowedIdentifiers ?? []);
}

/** newOrder (RFC 8555 §7.4): the order and its new authorizations are appended atomically. */
export class NewOrderHandler {
  constructor(private readonly deps: AcmeDeps) {}

  async execute(cmd: NewOrderCommand): Promise<OrderView> {
    const deps = this.deps;
    const identifiers = orderIdentifiers(deps, cmd.payload.identifiers);
    await assertAllowedByEab(deps, cmd.eabKeyId, identifiers);
    const replaces = await replacedCertificate(deps, cmd.payload.replaces);
    const reusable = await reusableAuthorizations(deps, cmd.accountId, identifiers, cmd.reusable);
    await deps.limits?.newOrder(limitContext(cmd), identifiers.map((i) => i.value), identifiers.length - reusable.size);
    const reused = await deps.aggregates.loadMany<AuthorizationState>([...new Set(reusable.values())].map(streams.authz), evolveAuthorization);
    const orderId = deps.newId();
    let authorizations: AuthorizationState[] = [];
    const handled = await handleCommand<OrderState>(deps.aggregates, {
      streamId: streams.order(orderId),
      evolve: evolveOrder,
      create: true,
      metadata: actor(cmd),
      decide: () => {
        const alongside: StreamWrite[] = [];
        authorizations = identifiers.map((identifier) => {
          const id = reusable.get(authorizationKey(identifier.value));
          const existing = id ? reused.find((a) => a.state?.authzId === id)?.state : undefined;
          if (existing) return existing;
          const created = createAuthorization(deps, cmd.accountId, identifier, false);
          alongside.push(created.write);
          return created.state;
        });
        const events = decideCreateOrder(
          {
            type: 'CreateOrder',
            orderId,
            accountId: cmd.accountId,
            identifiers,
            authorizationIds: authorizations.map((a) => a.authzId),
            notBefore: cmd.payload.notBefore,
            notAfter: cmd.payload.notAfter,
            profile: cmd.payload.profile,
            replaces,
          },
          { now: deps.now(), policy: { orderLifetimeMs: deps.policy.orderLifetimeMs, maxValidityMs: deps.policy.maxValidityMs, profiles: deps.policy.profiles } },
        );
        return { events, alongside };
      },
    });
    const order = handled.state!;
    return { order, revision: handled.revision, authorizations, status: orderStatus(order, authorizations, deps.now()) };
  }
}

/** newAuthz pre-authorization (RFC 8555 §7.4.1); wildcards are proven through orders only. */
export class NewAuthzHandler {
  constructor(private readonly deps: AcmeDeps) {}

  async execute(cmd: NewAuthzCommand): Promise<AuthorizationState> {
    const [identifier] = normalizeIdentifiers([cmd.payload.identifier], { maxIdentifiers: 1, allowIp: this.deps.policy.ipIdentifiers ?? false });
    // The same names as newOrder: an authorization counts for revocation too.
    await assertAllowedByEab(this.deps, cmd.eabKeyId, [identifier]);
    await this.deps.limits?.newAuthz(limitContext(cmd), identifier.value);
    const created = createAuthorization(this.deps, cmd.accountId, identifier, true);
    const handled = await handleCommand<AuthorizationState>(this.deps.aggregates, {
      streamId: created.write.streamId,
      evolve: evolveAuthorization,
      create: true,
      metadata: actor(cmd),
      decide: () => created.write.events,
    });
    return handled.state!;
  }
}

export async function ownedAuthorization(deps: AcmeDeps, accountId: string, authzId: string, prefetched?: ReadStreams | null) {
  const loaded = await loadAuthorization(deps, authzId, prefetched);
  return { ...loaded, state: owned(loaded.state, accountId, authzId) };
}

function owned(state: AuthorizationState | null, accountId: string, authzId: string): AuthorizationState {
  if (!state || state.accountId !== accountId) throw new AcmeError('malformed', `no authorization ${authzId} for this account`, [], { reason: { kind: 'notFound' } });
  return state;
}

/**
 * POST {} to a challenge: validation is requested, and this instance validates at once. An
 * outcome within `work.inline.waitMs` is recorded with the request, in one append: nothing was
 * written before it, so a crash meanwhile loses nothing the client was told (it got no answer and
 * asks again). A slower validation goes on after the response: the request is recorded with its
 * safety-net job, and the outcome when it comes (or the job, if this instance dies first).
 */
export class RespondChallengeHandler {
  constructor(private readonly deps: AcmeDeps) {}

  async execute(cmd: RespondChallengeCommand): Promise<AuthorizationState> {
    const deps = this.deps;
    // Started once: a revision conflict decides again on the reread stream, with the same validation.
    let started: Promise<ValidationOutcome> | undefined;
    const handled = await handleCommand<AuthorizationState>(deps.aggregates, {
      streamId: streams.authz(cmd.authzId),
      evolve: evolveAuthorization,
      metadata: actor(cmd),
      known: foldRead(cmd.prefetched, streams.authz(cmd.authzId), evolveAuthorization),
      decide: async (state) => {
        const challenge = owned(state, cmd.accountId, cmd.authzId).challenges.find((c) => c.challengeId === cmd.challengeId);
        if (!challenge) throw new AcmeError('malformed', `no challenge ${cmd.challengeId} in this authorization`, [], { reason: { kind: 'notFound' } });
        if (challenge.status === 'pending') await deps.limits?.challenge(limitContext(cmd), state!.identifier.value);
        const keyAuth = await keyAuthorization(challenge.token, cmd.accountJwk);
        const ctx = authorizationContext(deps);
        const requested = decideAuthorization(state, { type: 'RequestValidation', challengeId: cmd.challengeId, keyAuthorization: keyAuth }, ctx);
        const inline = deps.work.inline;
        if (requested.length === 0 || !inline || inline.waitMs <= 0) return requested;
        const processing = requested.reduce<AuthorizationState | null>((s, e) => evolveAuthorization(s, e), state)!;
        if (!started) {
          started = inline.start(processing, cmd.challengeId);
          started.catch(() => undefined); // an unexpected failure leaves the outcome to the safety-net job
        }
        const outcome = await settledWithin(started, inline.waitMs);
        if (!outcome) return requested;
        return [...requested, ...decideAuthorization(processing, { type: 'RecordValidation', challengeId: cmd.challengeId, outcome }, authorizationContext(deps))];
      },
    });
    const requested = handled.events.find((e) => e.type === 'ChallengeValidationRequested');
    const recorded = handled.events.find(isValidationOutcome);
    if (requested && !recorded) deps.work.validate(cmd.authzId, cmd.challengeId, requested.eventId, { state: handled.state, revision: handled.revision }, started);
    if (recorded?.type === 'ChallengeFailed') await deps.limits?.recordFailedValidation(cmd.accountId, handled.state!.identifier.value);
    return handled.state!;
  }
}

/** The promise's value when it fulfils within `ms`; null when it takes longer or rejects. */
async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([promise.catch(() => null), late]);
  } finally {
    clearTimeout(timer);
  }
}

export class DeactivateAuthzHandler {
  constructor(private readonly deps: AcmeDeps) {}

  async execute(cmd: DeactivateAuthzCommand): Promise<AuthorizationState> {
    const handled = await handleCommand<AuthorizationState>(this.deps.aggregates, {
      streamId: streams.authz(cmd.authzId),
      evolve: evolveAuthorization,
      metadata: actor(cmd),
      known: foldRead(cmd.prefetched, streams.authz(cmd.authzId), evolveAuthorization),
      decide: (state) => decideAuthorization(owned(state, cmd.accountId, cmd.authzId), { type: 'DeactivateAuthorization', by: 'account' }, authorizationContext(this.deps)),
    });
    return handled.state!;
  }
}

/**
 * finalize (RFC 8555 §7.4): the CSR is checked, the request recorded, and the certificate signed
 * within the request, so the answer is normally `valid`. The job row committed with the request
 * finishes the issuance on any instance if this one dies in between.
 */
export class FinalizeOrderHandler {
  constructor(private readonly deps: AcmeDeps) {}

  async execute(cmd: FinalizeOrderCommand): Promise<OrderView> {
    const deps = this.deps;
    const view = await loadOrderView(deps, cmd.orderId, cmd.prefetched);
    if (!view || view.order.accountId !== cmd.accountId) throw new AcmeError('malformed', `no order ${cmd.orderId} for this account`, [], { reason: { kind: 'notFound' } });
    if (view.status !== 'ready') decideFinalize(view.order, view.status, { der: '', names: [], keyType: '' });
    if (typeof cmd.payload.csr !== 'string' || !/^[A-Za-z0-9_-]+$/.test(cmd.payload.csr)) {
      throw new AcmeError('malformed', 'finalize payload needs "csr": the base64url DER of a PKCS#10 request');
    }
    const csrDer = cmd.payload.csr;
    const csr = await parseAndCheckCsr(Buffer.from(csrDer, 'base64url'), view.order.identifiers.map((i) => i.value), cmd.accountThumbprint);
    await assertKeyNotBlocked(deps.db, csr.publicKeyDer, 'badCSR', cmd.blocking);
    checkProfileKey(orderProfile(deps, view.order), csr.keyName);
    await recheckCaa(deps, view.authorizations, actor(cmd));
    await deps.limits?.issuance(limitContext(cmd), csr.names);
    const handled = await handleCommand<OrderState>(deps.aggregates, {
      streamId: streams.order(cmd.orderId),
      evolve: evolveOrder,
      metadata: actor(cmd),
      known: { state: view.order, revision: view.revision },
      decide: (order) => {
        // Decided on the order as it is now; its authorizations were read just above.
        const status = orderStatus(order!, view.authorizations, deps.now());
        return decideFinalize(order!, status, { der: csrDer, names: csr.names, keyType: csr.keyName });
      },
    });
    const requested = handled.events.find((e) => e.type === 'OrderFinalizationRequested')!;
    const issued = await issueCertificate(deps, { order: handled.state!, revision: handled.revision, csr, jobId: requested.eventId });
    return { order: issued.order, revision: issued.revision, authorizations: view.authorizations, status: orderStatus(issued.order, view.authorizations, deps.now()) };
  }
}
