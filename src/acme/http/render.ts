import { type AuthorizationState, authorizationStatus, type ChallengeState } from '../../domain/authorization';
import type { AccountState } from '../../domain/account';
import { orderError } from '../../domain/order';
import type { OrderView } from '../../commands/order-view';
import type { AcmeUrls } from '../urls';

/** JSON bodies of the ACME resources (RFC 8555 §7.1.2-7.1.5). */
export function renderAccount(urls: AcmeUrls, accountId: string, a: AccountState) {
  return { status: a.status, contact: a.contact, termsOfServiceAgreed: a.termsOfServiceAgreed, orders: urls.accountOrders(accountId) };
}

export function renderChallenge(urls: AcmeUrls, authzId: string, c: ChallengeState) {
  return {
    type: c.type,
    url: urls.challenge(authzId, c.challengeId),
    status: c.status,
    token: c.token,
    ...(c.validated ? { validated: c.validated } : {}),
    ...(c.error ? { error: c.error } : {}),
  };
}

export function renderAuthorization(urls: AcmeUrls, a: AuthorizationState, now: Date) {
  const status = authorizationStatus(a, now);
  // Once valid, only the challenge that succeeded is shown (as Boulder does).
  const challenges = a.status === 'valid' ? a.challenges.filter((c) => c.status === 'valid') : a.challenges;
  return {
    identifier: a.identifier,
    status,
    expires: a.expires,
    challenges: challenges.map((c) => renderChallenge(urls, a.authzId, c)),
    ...(a.wildcard ? { wildcard: true } : {}),
  };
}

export function renderOrder(urls: AcmeUrls, v: OrderView, now: Date) {
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
    ...(v.status === 'invalid' && error ? { error } : {}),
  };
}
