import { type AuthorizationState, evolveAuthorization } from '../domain/authorization';
import { evolveOrder, type OrderState, orderStatus, type OrderStatus } from '../domain/order';
import { streams } from '../domain/streams';
import type { AcmeDeps } from './acme-deps';

export interface OrderView {
  order: OrderState;
  revision: number;
  authorizations: AuthorizationState[];
  status: OrderStatus;
}

export async function loadAuthorization(deps: AcmeDeps, authzId: string) {
  return deps.aggregates.load<AuthorizationState>(streams.authz(authzId), evolveAuthorization);
}

/** An order's authorizations, read from their streams (its status is derived from them). */
export async function orderAuthorizations(deps: AcmeDeps, order: OrderState): Promise<AuthorizationState[]> {
  return (await Promise.all(order.authorizationIds.map((id) => loadAuthorization(deps, id))))
    .map((a) => a.state)
    .filter((a): a is AuthorizationState => a !== null);
}

/** An order with its authorizations and its derived status, all read from their streams. */
export async function loadOrderView(deps: AcmeDeps, orderId: string): Promise<OrderView | null> {
  const loaded = await deps.aggregates.load<OrderState>(streams.order(orderId), evolveOrder);
  if (!loaded.state) return null;
  const authorizations = await orderAuthorizations(deps, loaded.state);
  return { order: loaded.state, revision: loaded.revision, authorizations, status: orderStatus(loaded.state, authorizations, deps.now()) };
}
