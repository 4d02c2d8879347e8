import { blockingSerialRead } from '../../../projections/blocked-keys/queries';
import { findOrdersByAccount } from '../../../projections/orders/queries';
import { reusableFound } from '../../../projections/authorizations/queries';
import { findEabSecret } from '../../db/eab-secrets-store';
import { All, Controller, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { JWK } from 'jose';
import {
  ChangeAccountKeyCommand,
  ChangeAccountKeyHandler,
  loadAccount,
  NewAccountCommand,
  NewAccountHandler,
  UpdateAccountCommand,
  UpdateAccountHandler,
} from '../../commands/account.commands';
import { ACME_DEPS, type AcmeDeps } from '../../commands/acme-deps';
import type { AuthorizationState } from '../../domain/authorization';
import { evolveCertificate, type CertificateState } from '../../domain/certificate';
import { AcmeError } from '../../domain/errors';
import { streams } from '../../domain/streams';
import {
  DeactivateAuthzCommand,
  DeactivateAuthzHandler,
  FinalizeOrderCommand,
  FinalizeOrderHandler,
  NewAuthzCommand,
  NewAuthzHandler,
  NewOrderCommand,
  NewOrderHandler,
  ownedAuthorization,
  RespondChallengeCommand,
  RespondChallengeHandler,
} from '../../commands/order.commands';
import { loadOrderView, orderViewStreams } from '../../commands/order-view';
import { RevokeCertificateCommand, RevokeCertificateHandler } from '../../commands/revoke.command';
import { verifyEabBinding } from '../jws/eab';
import { verifyKeyChangeInner } from '../jws/key-change';
import { ACME_PATHS } from '../urls';
import { finalizeKeyHash } from './finalize-key';
import { newOrderReuseRead } from './new-order-reuse';
import { ACME_CONTEXT, type AcmeContext } from './acme-context';
import { JwsService } from './jws.service';
import { MAINTENANCE, type MaintenanceMode } from '../../commands/maintenance';
import { retryAfterSeconds } from './problem-response';
import { renderAccount, renderAuthorization, renderChallenge, renderOrder, renderOrdersList } from './render';

const ID = ':id([A-Za-z0-9_-]{1,64})';

/**
 * The ACME resources (RFC 8555 §7). Every POST is a JWS; reads are POST-as-GET, and GET on a
 * resource answers 405. Each route calls its command handler directly (one handler per command,
 * built by the composition root); errors leave as problem documents through ProblemFilter.
 */
@Controller()
export class AcmeController {
  constructor(
    private readonly newAccountHandler: NewAccountHandler,
    private readonly updateAccountHandler: UpdateAccountHandler,
    private readonly changeAccountKeyHandler: ChangeAccountKeyHandler,
    private readonly newOrderHandler: NewOrderHandler,
    private readonly finalizeOrderHandler: FinalizeOrderHandler,
    private readonly newAuthzHandler: NewAuthzHandler,
    private readonly deactivateAuthzHandler: DeactivateAuthzHandler,
    private readonly respondChallengeHandler: RespondChallengeHandler,
    private readonly revokeCertificateHandler: RevokeCertificateHandler,
    private readonly jws: JwsService,
    @Inject(ACME_CONTEXT) private readonly acme: AcmeContext,
    @Inject(ACME_DEPS) private readonly deps: AcmeDeps,
    @Inject(MAINTENANCE) private readonly maintenance: MaintenanceMode,
  ) {}

  private async headers(reply: FastifyReply) {
    reply.header('Replay-Nonce', await this.acme.nonces.issue());
    reply.header('Cache-Control', 'no-store');
    reply.header('Link', `<${this.acme.urls.directory()}>;rel="index"`);
  }

  /** How long a client should wait before polling a processing resource again (acme.retry_after). */
  private retryAfter(reply: FastifyReply) {
    reply.header('Retry-After', retryAfterSeconds(this.acme.pollRetryAfterMs));
  }

  @Post(ACME_PATHS.newAccount)
  async newAccount(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const v = await this.jws.verify(req, 'jwk');
    const binding = v.payload?.externalAccountBinding;
    const eabKeyId = binding
      ? await verifyEabBinding(binding, { accountJwk: v.jwk, requestUrl: this.acme.urls.newAccount(), lookupKey: (id) => findEabSecret(this.deps.db, id) })
      : null;
    const r = await this.newAccountHandler.execute(new NewAccountCommand(v.jwk, v.thumbprint, v.payload ?? {}, this.jws.meta(req), eabKeyId));
    await this.headers(reply);
    reply.header('Location', this.acme.urls.account(r.accountId));
    reply.status(r.created ? 201 : 200);
    return renderAccount(this.acme.urls, r.accountId, r.account);
  }

  @Post(`${ACME_PATHS.account}/${ID}`)
  @HttpCode(200)
  async account(@Param('id') id: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const v = await this.jws.verify(req, 'kid', { streams: [streams.account(id)] });
    if (v.account!.accountId !== id) throw new AcmeError('unauthorized', 'the account URL does not match the JWS key id');
    const state = v.payload && Object.keys(v.payload).length > 0
      ? await this.updateAccountHandler.execute(new UpdateAccountCommand(id, v.payload, this.jws.meta(req), v.prefetched))
      : (await loadAccount(this.deps, id, v.prefetched)).state!;
    await this.headers(reply);
    return renderAccount(this.acme.urls, id, state);
  }

  @Post(`${ACME_PATHS.account}/${ID}/orders`)
  @HttpCode(200)
  async orders(@Param('id') id: string, @Query('cursor') cursor: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const v = await this.jws.verify(req, 'kid');
    if (v.account!.accountId !== id) throw new AcmeError('unauthorized', "an account's orders are listed only for that account");
    assertPostAsGet(v);
    const size = this.deps.policy.ordersPageSize;
    const after = cursor !== undefined ? decodeCursor(cursor) : null;
    const rows = await findOrdersByAccount(this.deps.db, id, after, size + 1);
    const page = rows.slice(0, size);
    await this.headers(reply);
    if (rows.length > size) {
      const last = page[page.length - 1];
      reply.header('Link', [`<${this.acme.urls.directory()}>;rel="index"`, `<${this.acme.urls.accountOrders(id, encodeCursor(last.createdAt, last.orderId))}>;rel="next"`]);
    }
    return renderOrdersList(this.acme.urls, page.map((row) => row.orderId));
  }

  @Post(ACME_PATHS.keyChange)
  @HttpCode(200)
  async keyChange(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const v = await this.jws.verify(req, 'kid');
    const accountId = v.account!.accountId;
    const inner = await verifyKeyChangeInner(v.payload, {
      requestUrl: String(v.protectedHeader.url),
      accountUrl: this.acme.urls.account(accountId),
      currentThumbprint: v.thumbprint,
    });
    const r = await this.changeAccountKeyHandler.execute(new ChangeAccountKeyCommand(accountId, inner.newJwk, inner.newThumbprint, this.jws.meta(req)));
    if (r.conflictAccountId) {
      throw new AcmeError('malformed', 'the new key is already in use by another account', [], { reason: { kind: 'keyInUse', accountId: r.conflictAccountId } });
    }
    await this.headers(reply);
    return renderAccount(this.acme.urls, accountId, r.account!);
  }

  @Post(ACME_PATHS.newOrder)
  async newOrder(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.maintenance.assertOpen(); // before the JWS: the client's nonce stays usable
    const ask = newOrderReuseRead(this.deps, req.body, this.acme.urls.accountPrefix());
    const v = await this.jws.verify(req, 'kid', ask ? { also: [ask.read] } : undefined);
    const reusable = ask ? { accountId: ask.accountId, keys: ask.keys, found: reusableFound(v.also[0]) } : undefined;
    const view = await this.newOrderHandler.execute(new NewOrderCommand(v.account!.accountId, v.payload ?? {}, this.jws.meta(req), v.account!.eabKeyId ?? null, reusable));
    await this.headers(reply);
    reply.header('Location', this.acme.urls.order(view.order.orderId));
    reply.status(201);
    return renderOrder(this.acme.urls, view, this.deps.now());
  }

  @Post(`${ACME_PATHS.order}/${ID}`)
  @HttpCode(200)
  async order(@Param('id') id: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const v = await this.jws.verify(req, 'kid', orderViewStreams(id));
    assertPostAsGet(v);
    const view = await loadOrderView(this.deps, id, v.prefetched);
    if (!view || view.order.accountId !== v.account!.accountId) throw new AcmeError('malformed', `no order ${id} for this account`, [], { reason: { kind: 'notFound' } });
    await this.headers(reply);
    if (view.status === 'processing') this.retryAfter(reply);
    return renderOrder(this.acme.urls, view, this.deps.now());
  }

  @Post(`${ACME_PATHS.order}/${ID}/finalize`)
  @HttpCode(200)
  async finalize(@Param('id') id: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const keyHash = finalizeKeyHash(req.body);
    const v = await this.jws.verify(req, 'kid', { ...orderViewStreams(id), also: keyHash ? [blockingSerialRead(keyHash)] : [] });
    const blocking = keyHash ? { spkiSha256: keyHash, serial: (v.also[0] as string | null | undefined) ?? null } : undefined;
    const view = await this.finalizeOrderHandler.execute(new FinalizeOrderCommand(v.account!.accountId, id, v.payload ?? {}, v.thumbprint, this.jws.meta(req), v.prefetched, blocking));
    await this.headers(reply);
    reply.header('Location', this.acme.urls.order(id));
    if (view.status === 'processing') this.retryAfter(reply);
    return renderOrder(this.acme.urls, view, this.deps.now());
  }

  @Post(ACME_PATHS.newAuthz)
  async newAuthz(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.maintenance.assertOpen();
    const v = await this.jws.verify(req, 'kid');
    const authz: AuthorizationState = await this.newAuthzHandler.execute(new NewAuthzCommand(v.account!.accountId, v.payload ?? {}, this.jws.meta(req), v.account!.eabKeyId ?? null));
    await this.headers(reply);
    reply.header('Location', this.acme.urls.authz(authz.authzId));
    reply.status(201);
    return renderAuthorization(this.acme.urls, authz, this.deps.now());
  }

  @Post(`${ACME_PATHS.authz}/${ID}`)
  @HttpCode(200)
  async authz(@Param('id') id: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const v = await this.jws.verify(req, 'kid', { streams: [streams.authz(id)] });
    const accountId = v.account!.accountId;
    let state: AuthorizationState;
    if (v.payload && v.payload.status === undefined) assertPostAsGet(v);
    if (v.payload && v.payload.status !== undefined) {
      if (v.payload.status !== 'deactivated') throw new AcmeError('malformed', 'an authorization can only be updated to status "deactivated"');
      state = await this.deactivateAuthzHandler.execute(new DeactivateAuthzCommand(accountId, id, this.jws.meta(req), v.prefetched));
    } else {
      state = (await ownedAuthorization(this.deps, accountId, id, v.prefetched)).state!;
    }
    await this.headers(reply);
    if (state.challenges.some((c) => c.status === 'processing')) this.retryAfter(reply);
    return renderAuthorization(this.acme.urls, state, this.deps.now());
  }

  @Post(`${ACME_PATHS.challenge}/:authzId([A-Za-z0-9_-]{1,64})/${ID}`)
  @HttpCode(200)
  async challenge(@Param('authzId') authzId: string, @Param('id') id: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const v = await this.jws.verify(req, 'kid', { streams: [streams.authz(authzId)] });
    const accountId = v.account!.accountId;
    const state: AuthorizationState =
      v.payload === null
        ? (await ownedAuthorization(this.deps, accountId, authzId, v.prefetched)).state!
        : await this.respondChallengeHandler.execute(new RespondChallengeCommand(accountId, authzId, id, v.jwk as JWK, this.jws.meta(req), v.prefetched));
    const c = state.challenges.find((x) => x.challengeId === id);
    if (!c) throw new AcmeError('malformed', `no challenge ${id}`, [], { reason: { kind: 'notFound' } });
    await this.headers(reply);
    reply.header('Link', [`<${this.acme.urls.directory()}>;rel="index"`, `<${this.acme.urls.authz(authzId)}>;rel="up"`]);
    if (c.status === 'processing') this.retryAfter(reply);
    return renderChallenge(this.acme.urls, authzId, c);
  }

  @Post(`${ACME_PATHS.certificate}/${ID}`)
  @HttpCode(200)
  async certificate(@Param('id') id: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const v = await this.jws.verify(req, 'kid', { streams: [streams.certificate(id)] });
    assertPostAsGet(v);
    const cert = await this.deps.aggregates.load<CertificateState>(streams.certificate(id), evolveCertificate, v.prefetched);
    if (!cert.state || cert.state.accountId !== v.account!.accountId) throw new AcmeError('malformed', `no certificate ${id} for this account`, [], { reason: { kind: 'notFound' } });
    await this.headers(reply);
    reply.type('application/pem-certificate-chain');
    return cert.state.chainPem;
  }

  @Post(ACME_PATHS.revokeCert)
  @HttpCode(200)
  async revoke(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const v = await this.jws.verify(req, 'either');
    const requester = v.account ? { accountId: v.account.accountId } : { jwk: v.jwk };
    await this.revokeCertificateHandler.execute(new RevokeCertificateCommand(requester, v.payload ?? {}, this.jws.meta(req)));
    await this.headers(reply);
    return '';
  }

  /**
   * Every ACME resource except the directory and newNonce is POST only (RFC 8555 §6.3): another
   * method on a resource answers 405. A path that names no resource (any POST reaching this route
   * matched none of the resources above) answers 404.
   */
  @All(['/acme/*'])
  notAllowed(@Req() req: FastifyRequest) {
    const path = req.url.split('?')[0];
    if (req.method === 'POST' || !isAcmeResourcePath(path)) throw new AcmeError('malformed', `no ACME resource at ${path}`, [], { reason: { kind: 'notFound' } });
    throw new AcmeError('malformed', `${req.method} is not allowed here: ACME resources are read with POST-as-GET`, [], { reason: { kind: 'methodNotAllowed', allowed: ['POST'] } });
  }
}

const ID_RE = '[A-Za-z0-9_-]{1,64}';
const RESOURCE_PATHS = [
  ACME_PATHS.newAccount,
  ACME_PATHS.newOrder,
  ACME_PATHS.newAuthz,
  ACME_PATHS.revokeCert,
  ACME_PATHS.keyChange,
  `${ACME_PATHS.account}/${ID_RE}`,
  `${ACME_PATHS.account}/${ID_RE}/orders`,
  `${ACME_PATHS.order}/${ID_RE}`,
  `${ACME_PATHS.order}/${ID_RE}/finalize`,
  `${ACME_PATHS.authz}/${ID_RE}`,
  `${ACME_PATHS.challenge}/${ID_RE}/${ID_RE}`,
  `${ACME_PATHS.certificate}/${ID_RE}`,
].map((p) => new RegExp(`^${p}$`));

/** Whether the path names an ACME resource (that only POST may reach). */
export function isAcmeResourcePath(path: string): boolean {
  return RESOURCE_PATHS.some((re) => re.test(path));
}

function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

/** A read (RFC 8555 §6.3): the payload must be empty, not even `{}`. */
function assertPostAsGet(v: { payload: Record<string, unknown> | null }): void {
  if (v.payload !== null) throw new AcmeError('malformed', 'this resource is read with POST-as-GET: the JWS payload must be empty');
}

/** The cursor this server put in a `next` link; anything else is malformed (400), never a server error. */
function decodeCursor(cursor: unknown): { at: string; id: string } {
  try {
    if (typeof cursor !== 'string') throw new Error('not one string');
    const [at, id, ...rest] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof at !== 'string' || typeof id !== 'string' || rest.length > 0) throw new Error('shape');
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(at) || Number.isNaN(Date.parse(at))) throw new Error('date');
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new Error('id');
    return { at, id };
  } catch {
    throw new AcmeError('malformed', 'invalid orders cursor: use the URL of a "next" link as given');
  }
}

