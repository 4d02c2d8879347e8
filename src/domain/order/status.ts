import { type AuthorizationState } from '../authorization/state';
import { authorizationStatus } from '../authorization/status';
import { isPast } from '../decider';
import type { ProblemData } from '../events';
import { ORDER_EXPIRED_PROBLEM, type OrderState } from './state';

export type OrderStatus = 'pending' | 'ready' | 'processing' | 'valid' | 'invalid';

export interface DerivedOrderStatus {
  status: OrderStatus;
  /** Why the order is invalid (its `error` field); null unless invalid. */
  error: ProblemData | null;
}

/**
 * An order's status (RFC 8555 §7.1.6), derived as Boulder's statusForOrder and Pebble's
 * GetStatus do, from the order's own events, its authorizations and the time:
 *   valid       a certificate was issued (final: later expiry of anything does not undo it)
 *   invalid     finalization failed or expiry was recorded
 *   processing  finalization was accepted and issuance has not finished
 *   invalid     the order is past `expires` (recorded or not)
 *   invalid     any authorization is invalid, deactivated or expired
 *   pending     any authorization is pending (or not found)
 *   ready       every authorization is valid
 * Processing comes before expiry: once the CSR is accepted the order is the CA's to finish
 * (cleanup fails orders stuck there).
 */
export function deriveOrderStatus(order: OrderState, authorizations: readonly AuthorizationState[], now: Date): DerivedOrderStatus {
  if (order.certificateId) return { status: 'valid', error: null };
  if (order.error) return { status: 'invalid', error: order.error };
  if (order.finalization) return { status: 'processing', error: null };
  if (isPast(order.expires, now)) return { status: 'invalid', error: ORDER_EXPIRED_PROBLEM };
  const byId = new Map(authorizations.map((a) => [a.authzId, a]));
  const own = order.authorizationIds.map((id) => byId.get(id) ?? null);
  for (const a of own) {
    if (!a) continue;
    const status = authorizationStatus(a, now);
    if (status === 'invalid' || status === 'deactivated' || status === 'expired') return { status: 'invalid', error: authorizationProblem(a, status) };
  }
  if (own.every((a) => a !== null && authorizationStatus(a, now) === 'valid')) return { status: 'ready', error: null };
  return { status: 'pending', error: null };
}

/** The failed challenge's error when there is one, else what happened to the authorization. */
function authorizationProblem(a: AuthorizationState, status: string): ProblemData {
  const challengeError = a.challenges.find((c) => c.error)?.error;
  return challengeError ?? { type: 'urn:ietf:params:acme:error:unauthorized', detail: `authorization for ${a.identifier.value} is ${status}` };
}

export function orderStatus(order: OrderState, authorizations: readonly AuthorizationState[], now: Date): OrderStatus {
  return deriveOrderStatus(order, authorizations, now).status;
}

/** The reason an order is invalid, for its `error` field. */
export function orderError(order: OrderState, authorizations: readonly AuthorizationState[], now: Date): ProblemData | null {
  return deriveOrderStatus(order, authorizations, now).error;
}
