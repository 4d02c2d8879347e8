import { type AuthorizationState, authorizationStatus } from './authorization';
import { AcmeError } from './errors';
import { type DomainEvent, event, type EventDataByType, type ProblemData } from './events';

/** The order aggregate. Its status is derived from its authorizations, as Boulder does. */
export type OrderState = EventDataByType['OrderCreated'] & {
  finalization: { names: string[]; keyType: string } | null;
  certificateId: string | null;
  error: ProblemData | null;
};

export type OrderStatus = 'pending' | 'ready' | 'processing' | 'valid' | 'invalid';

export function evolveOrder(state: OrderState | null, e: DomainEvent): OrderState | null {
  switch (e.type) {
    case 'OrderCreated':
      return { ...e.data, finalization: null, certificateId: null, error: null };
    case 'OrderFinalizationRequested':
      return state && { ...state, finalization: { names: e.data.names, keyType: e.data.keyType } };
    case 'OrderCertificateIssued':
      return state && { ...state, certificateId: e.data.certificateId };
    case 'OrderFailed':
      return state && { ...state, error: e.data.error };
    case 'OrderExpired':
      return state && { ...state, error: { type: 'urn:ietf:params:acme:error:malformed', detail: 'the order expired before it was finalized' } };
    default:
      return state;
  }
}

/**
 * RFC 8555 §7.1.6: invalid once failed, expired, or any authorization is invalid, deactivated or
 * expired; valid once issued; processing while issuing; ready when every authorization is valid;
 * pending otherwise. An unfinished order past its own expiry is invalid.
 */
export function orderStatus(order: OrderState, authorizations: AuthorizationState[], now: Date): OrderStatus {
  if (order.certificateId) return 'valid';
  if (order.error) return 'invalid';
  if (order.finalization) return 'processing';
  if (new Date(order.expires) <= now) return 'invalid';
  const statuses = authorizations.map((a) => authorizationStatus(a, now));
  if (statuses.some((s) => s === 'invalid' || s === 'deactivated' || s === 'expired')) return 'invalid';
  if (statuses.length === order.authorizationIds.length && statuses.every((s) => s === 'valid')) return 'ready';
  return 'pending';
}

/** The reason an order is invalid, for its `error` field. */
export function orderError(order: OrderState, authorizations: AuthorizationState[], now: Date): ProblemData | null {
  if (order.error) return order.error;
  if (orderStatus(order, authorizations, now) !== 'invalid') return null;
  const failed = authorizations.find((a) => authorizationStatus(a, now) !== 'valid' && authorizationStatus(a, now) !== 'pending');
  if (failed) {
    const challengeError = failed.challenges.find((c) => c.error)?.error;
    return challengeError ?? { type: 'urn:ietf:params:acme:error:unauthorized', detail: `authorization for ${failed.identifier.value} is ${authorizationStatus(failed, now)}` };
  }
  return { type: 'urn:ietf:params:acme:error:malformed', detail: 'the order expired before it was finalized' };
}

export function decideFinalize(order: OrderState, status: OrderStatus, csr: { der: string; names: string[]; keyType: string }): DomainEvent[] {
  if (status !== 'ready') {
    throw new AcmeError('orderNotReady', `the order is ${status}; it can be finalized only when ready`);
  }
  return [event('OrderFinalizationRequested', { csr: csr.der, names: csr.names, keyType: csr.keyType })];
}

/** Cleanup records that an unfinished order passed its expiry. */
export function decideExpireOrder(order: OrderState, status: OrderStatus, now: Date): DomainEvent[] {
  if (order.error || order.finalization || order.certificateId || new Date(order.expires) > now) return [];
  if (status === 'valid' || status === 'processing') return [];
  return [event('OrderExpired', { expires: order.expires })];
}

/** Cleanup fails an order whose issuance never completed, so the client stops waiting. */
export function decideFailStuckOrder(order: OrderState, stuckForMs: number): DomainEvent[] {
  if (!order.finalization || order.certificateId || order.error) return [];
  return [
    event('OrderFailed', {
      error: { type: 'urn:ietf:params:acme:error:serverInternal', detail: `issuance did not complete within ${Math.round(stuckForMs / 60_000)} minutes; submit a new order` },
    }),
  ];
}
