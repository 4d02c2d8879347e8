import { assertStreamEvent, type DomainEvent, type EventDataByType, type ProblemData, requireCreated, StreamIntegrityError } from '../events';

/** The order aggregate (stream `order-<id>`). Its status is derived (./status.ts), not stored. */
export type OrderState = EventDataByType['OrderCreated'] & {
  finalization: { names: string[]; keyType: string } | null;
  certificateId: string | null;
  /** Why the order is invalid, once an event said so (failed finalization, expiry). */
  error: ProblemData | null;
};

export const initialOrderState: OrderState | null = null;

export const ORDER_EXPIRED_PROBLEM: ProblemData = {
  type: 'urn:ietf:params:acme:error:malformed',
  detail: 'the order expired before it was finalized',
};

export function evolveOrder(state: OrderState | null, e: DomainEvent): OrderState | null {
  assertStreamEvent('order', e);
  if (e.type === 'OrderCreated') {
    if (state) throw new StreamIntegrityError(`order ${state.orderId} is created twice`);
    return { ...e.data, finalization: null, certificateId: null, error: null };
  }
  const s = requireCreated(state, e);
  switch (e.type) {
    case 'OrderFinalizationRequested':
      return { ...s, finalization: { names: e.data.names, keyType: e.data.keyType } };
    case 'OrderCertificateIssued':
      return { ...s, certificateId: e.data.certificateId };
    case 'OrderFailed':
      return { ...s, error: e.data.error };
    case 'OrderExpired':
      return { ...s, error: ORDER_EXPIRED_PROBLEM };
  }
}
