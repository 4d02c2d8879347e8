import { findExpiredPendingAuthorizations } from '../../projections/authorizations/queries';
import { findExpiredUnfinalizedOrders, findOrdersStuckInProcessing } from '../../projections/orders/queries';
import { purgeQuietLoginAttempts } from '../db/admin-login-attempts-store';
import type { NonceStore } from '../db/nonce-store';
import type { AcmeDeps } from '../commands/acme-deps';
import { handleCommand } from '../commands/handle-command';
import { orderAuthorizations } from '../commands/order-view';
import { type AuthorizationState, decideExpireAuthorization, evolveAuthorization } from '../domain/authorization';
import { decideExpireOrder, decideFailStuckOrder, evolveOrder, type OrderState, orderStatus } from '../domain/order';
import { streams } from '../domain/streams';

/**
 * Housekeeping on the elected instance, in small batches on the background pool: pending
 * authorizations and orders past their expiry get an event saying so; orders stuck in processing
 * fail with a clear error; expired nonces are deleted. The event history itself is never deleted.
 */
export interface CleanupSettings {
  batchSize: number;
  stuckProcessingMs: number;
}

export interface CleanupReport {
  authorizationsExpired: number;
  ordersExpired: number;
  ordersStuck: number;
  noncesDeleted: number;
  /** Rate-limit buckets full again, and admin login counts quiet for a day. */
  rateLimitRowsDeleted: number;
}

/** The nonce store as cleanup uses it (the ACME edge owns nonces; cleanup only purges them). */
export interface ExpiredNonces {
  purgeExpired(batchSize: number, now: Date): Promise<number>;
}

export async function runCleanup(deps: AcmeDeps, nonces: ExpiredNonces, settings: CleanupSettings, now: Date): Promise<CleanupReport> {
  const report: CleanupReport = { authorizationsExpired: 0, ordersExpired: 0, ordersStuck: 0, noncesDeleted: 0, rateLimitRowsDeleted: 0 };
  const meta = { actor: 'system:cleanup' };

  for (const id of await findExpiredPendingAuthorizations(deps.db, now, settings.batchSize)) {
    const handled = await handleCommand<AuthorizationState>(deps.aggregates, {
      streamId: streams.authz(id),
      evolve: evolveAuthorization,
      metadata: meta,
      decide: (state) => (state ? decideExpireAuthorization(state, now) : []),
    });
    if (handled.events.length > 0) report.authorizationsExpired++;
  }

  for (const id of await findExpiredUnfinalizedOrders(deps.db, now, settings.batchSize)) {
    const handled = await changeOrder(deps, id, meta, async (order) => decideExpireOrder(order, orderStatus(order, await orderAuthorizations(deps, order), now), now));
    if (handled.events.length > 0) report.ordersExpired++;
  }

  for (const id of await findOrdersStuckInProcessing(deps.db, new Date(now.getTime() - settings.stuckProcessingMs), settings.batchSize)) {
    const handled = await changeOrder(deps, id, meta, async (order) => decideFailStuckOrder(order, settings.stuckProcessingMs));
    if (handled.events.length > 0) report.ordersStuck++;
  }

  report.noncesDeleted = await nonces.purgeExpired(settings.batchSize, now);
  report.rateLimitRowsDeleted = (await deps.limits?.purgeFull(settings.batchSize)) ?? 0;
  report.rateLimitRowsDeleted += await purgeQuietLoginAttempts(deps.db, settings.batchSize);
  return report;
}

function changeOrder(deps: AcmeDeps, id: string, metadata: { actor: string }, decide: (order: OrderState) => Promise<ReturnType<typeof decideFailStuckOrder>>) {
  return handleCommand<OrderState>(deps.aggregates, { streamId: streams.order(id), evolve: evolveOrder, metadata, decide: (order) => (order ? decide(order) : []) });
}

