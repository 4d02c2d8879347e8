import type { Pool } from 'pg';
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

  for (const id of await ids(deps.pool, `SELECT authz_id AS id FROM rm_authorizations WHERE status = 'pending' AND expires <= $1 ORDER BY expires LIMIT $2`, [now, settings.batchSize])) {
    const handled = await handleCommand<AuthorizationState>(deps.aggregates, {
      streamId: streams.authz(id),
      evolve: evolveAuthorization,
      metadata: meta,
      decide: (state) => (state ? decideExpireAuthorization(state, now) : []),
    });
    if (handled.events.length > 0) report.authorizationsExpired++;
  }

  const orderSql = `SELECT order_id AS id FROM rm_orders WHERE NOT failed AND certificate_id IS NULL AND finalized_at IS NULL AND expires <= $1 ORDER BY expires LIMIT $2`;
  for (const id of await ids(deps.pool, orderSql, [now, settings.batchSize])) {
    const handled = await changeOrder(deps, id, meta, async (order) => decideExpireOrder(order, orderStatus(order, await orderAuthorizations(deps, order), now), now));
    if (handled.events.length > 0) report.ordersExpired++;
  }

  const stuckSql = `SELECT order_id AS id FROM rm_orders WHERE NOT failed AND certificate_id IS NULL AND finalized_at <= $1 ORDER BY finalized_at LIMIT $2`;
  for (const id of await ids(deps.pool, stuckSql, [new Date(now.getTime() - settings.stuckProcessingMs), settings.batchSize])) {
    const handled = await changeOrder(deps, id, meta, async (order) => decideFailStuckOrder(order, settings.stuckProcessingMs));
    if (handled.events.length > 0) report.ordersStuck++;
  }

  report.noncesDeleted = await nonces.purgeExpired(settings.batchSize, now);
  report.rateLimitRowsDeleted = (await deps.limits?.purgeFull(settings.batchSize)) ?? 0;
  const logins = await deps.pool.query(
    `DELETE FROM admin_login_attempts WHERE (username, address) IN (
       SELECT username, address FROM admin_login_attempts WHERE updated_at < now() - interval '24 hours' AND not_before < now() LIMIT $1)`,
    [settings.batchSize],
  );
  report.rateLimitRowsDeleted += logins.rowCount ?? 0;
  return report;
}

function changeOrder(deps: AcmeDeps, id: string, metadata: { actor: string }, decide: (order: OrderState) => Promise<ReturnType<typeof decideFailStuckOrder>>) {
  return handleCommand<OrderState>(deps.aggregates, { streamId: streams.order(id), evolve: evolveOrder, metadata, decide: (order) => (order ? decide(order) : []) });
}


async function ids(pool: Pool, sql: string, params: unknown[]): Promise<string[]> {
  return (await pool.query(sql, params)).rows.map((r) => r.id as string);
}
