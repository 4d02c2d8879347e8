import { type AuthorizationState, evolveAuthorization } from '../domain/authorization';
import { evolveOrder, type OrderState, orderStatus, type OrderStatus } from '../domain/order';
import { streams } from '../domain/streams';
import type { AcmeDeps } from './acme-deps';
import type { StreamLink } from '../eventstore/event-store';
import { fold, type ReadStreams } from './aggregate-store';

export interface OrderView {
  order: OrderState;
  revision: number;
  authorizations: AuthorizationState[];
  status: OrderStatus;
}

export async function loadAuthorization(deps: AcmeDeps, authzId: string, read?: ReadStreams | null) {
  return deps.aggregates.load<AuthorizationState>(streams.authz(authzId), evolveAuthorization, read);
}

/** An order's authorizations, read from their streams in one round trip (its status is derived from them). */
export async function orderAuthorizations(deps: AcmeDeps, order: OrderState): Promise<AuthorizationState[]> {
  return (await deps.aggregates.loadMany<AuthorizationState>(order.authorizationIds.map(streams.authz), evolveAuthorization))
    .map((a) => a.state)
    .filter((a): a is AuthorizationState => a !== null);
}

/** The streams of an order view: the order's, and those of the authorizations its OrderCreated names. */
export function orderViewStreams(orderId: string): { streams: string[]; linked: StreamLink } {
  return { streams: [streams.order(orderId)], linked: { eventType: 'OrderCreated', field: 'authorizationIds', prefix: streams.authz('') } };
}

/**
 * An order with its authorizations and its derived status, all read from their streams in one
 * statement: the authorization ids come from the order's OrderCreated event. Order polls are the
 * most frequent request of a flow, so this is a round trip (and a transaction) saved on each;
 * `prefetched`, when the request read `orderViewStreams` already, saves it altogether.
 */
export async function loadOrderView(deps: AcmeDeps, orderId: string, prefetched?: ReadStreams | null): Promise<OrderView | null> {
  const orderStream = streams.order(orderId);
  const wanted = orderViewStreams(orderId);
  const read = prefetched ?? (await deps.aggregates.store.readStreams(wanted.streams, wanted.linked));
  const loaded = fold<OrderState>(read.get(orderStream) ?? [], evolveOrder);
  if (!loaded.state) return null;
  const authorizations = loaded.state.authorizationIds
    .map((id) => fold<AuthorizationState>(read.get(streams.authz(id)) ?? [], evolveAuthorization).state)
    .filter((a): a is AuthorizationState => a !== null);
  return { order: loaded.state, revision: loaded.revision, authorizations, status: orderStatus(loaded.state, authorizations, deps.now()) };
}
