import { type AuthorizationState, authorizationStatus, type ChallengeState } from '../../domain/authorization';
import type { AccountState } from '../../domain/account';
import type { AcmeError } from '../../domain/errors';
import type { ProblemData } from '../../domain/events';
import { orderError } from '../../domain/order';
import type { RenewalWindow } from '../../domain/policy/renewal-info';
import type { OrderView } from '../../commands/order-view';
import type { AcmeUrls } from '../urls';
import type {
  WireAccount,
  WireAuthorization,
  WireChallenge,
  WireDirectory,
  WireDirectoryMeta,
  WireOrder,
  WireOrdersList,
  WireProblem,
  WireRenewalInfo,
} from '../wire';

/** The one place where domain and view state become ACME JSON (RFC 8555 §7.1, RFC 9773 §4.2). */

export function renderDirectory(urls: AcmeUrls, meta: WireDirectoryMeta): WireDirectory {
  return {
    newNonce: urls.newNonce(),
    newAccount: urls.newAccount(),
    newOrder: urls.newOrder(),
    newAuthz: urls.newAuthz(),
    revokeCert: urls.revokeCert(),
    keyChange: urls.keyChange(),
    renewalInfo: urls.renewalInfo(),
    meta,
  };
}

export function renderAccount(urls: AcmeUrls, accountId: string, a: AccountState): WireAccount {
  return { status: a.status, contact: a.contact, termsOfServiceAgreed: a.termsOfServiceAgreed, orders: urls.accountOrders(accountId) };
}

export function renderOrdersList(urls: AcmeUrls, orderIds: string[]): WireOrdersList {
  return { orders: orderIds.map((id) => urls.order(id)) };
}

export function renderChallenge(urls: AcmeUrls, authzId: string, c: ChallengeState): WireChallenge {
  return {
    type: c.type,
    url: urls.challenge(authzId, c.challengeId),
    status: c.status,
    token: c.token,
    ...(c.validated ? { validated: c.validated } : {}),
    ...(c.error ? { error: renderRecordedProblem(c.error) } : {}),
  };
}

export function renderAuthorization(urls: AcmeUrls, a: AuthorizationState, now: Date): WireAuthorization {
  const status = authorizationStatus(a, now);
  // Once valid, only the challenge that succeeded is shown (as Boulder does).
  const challenges = a.status === 'valid' ? a.challenges.filter((c) => c.status === 'valid') : a.challenges;
  return {
    identifier: a.identifier,
    status,
    expires: a.expires,
    challenges: challenges.map((c) => renderChallenge(urls, a.authzId, c)),
    ...(a.wildcard ? { wildcard: true as const } : {}),
  };
}

export function renderOrder(urls: AcmeUrls, v: OrderView, now: Date): WireOrder {
  const o = v.order;
  const error = orderError(o, v.authorizations, now);
  return {
    status: v.status,
    expires: o.expires,
    identifiers: o.identifiers,
    ...(o.notBefore ? { notBefore: o.notBefore } : {}),
    ...(o.notAfter ? { notAfter: o.notAfter } : {}),
    ...(o.profile ? { profile: o.profile } : {}),
    ...(o.replaces ? { replaces: o.replaces.certId } : {}),
    authorizations: o.authorizationIds.map((id) => urls.authz(id)),
    finalize: urls.finalize(o.orderId),
    ...(o.certificateId ? { certificate: urls.certificate(o.certificateId) } : {}),
    ...(v.status === 'invalid' && error ? { error: renderRecordedProblem(error) } : {}),
  };
}

export function renderRenewalInfo(window: RenewalWindow): WireRenewalInfo {
  return { suggestedWindow: window };
}

/** A problem document answering a request, with the response's HTTP status as its `status`. */
export function renderProblem(err: AcmeError, status: number): WireProblem {
  return { ...err.toProblem(), status };
}

/** A problem the history recorded (an order's or a challenge's error) goes out as it was recorded. */
function renderRecordedProblem(p: ProblemData): WireProblem {
  return p as WireProblem;
}
