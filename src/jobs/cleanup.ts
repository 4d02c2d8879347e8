import type { Pool } from 'pg';
import type { NonceStore } from '../acme/nonce/nonce-store';
import type { AcmeDeps } from '../commands/acme-deps';
import { withRetry } from '../commands/aggregate-store';
import { loadAuthorization, loadOrderView } from '../commands/order-view';
import { decideExpireAuthorization } from '../domain/authorization';
import { decideExpireOrder, decideFailStuckOrder } from '../domain/order';
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
}

export async function runCleanup(deps: AcmeDeps, nonces: NonceStore, settings: CleanupSettings, now: Date): Promise<CleanupReport> {
  const report: CleanupReport = { authorizationsExpired: 0, ordersExpired: 0, ordersStuck: 0, noncesDeleted: 0 };
  const meta = { actor: 'system:cleanup' };

  for (const id of await ids(deps.pool, `SELECT authz_id AS id FROM rm_authorizations WHERE status = 'pending' AND expires <= $1 ORDER BY expires LIMIT $2`, [now, settings.batchSize])) {
    await withRetry(async () => {
      const a = await loadAuthorization(deps, id);
      const events = a.state ? decideExpireAuthorization(a.state, now) : [];
      if (events.length === 0) return;
      await deps.aggregates.append([{ streamId: streams.authz(id), events, expected: a.revision }], meta);
      report.authorizationsExpired++;
    });
  }

  const orderSql = `SELECT order_id AS id FROM rm_orders WHERE NOT failed AND certificate_id IS NULL AND finalized_at IS NULL AND expires <= $1 ORDER BY expires LIMIT $2`;
  for (const id of await ids(deps.pool, orderSql, [now, settings.batchSize])) {
    await withRetry(async () => {
      const v = await loadOrderView(deps, id);
      const events = v ? decideExpireOrder(v.order, v.status, now) : [];
      if (events.length === 0) return;
      await deps.aggregates.append([{ streamId: streams.order(id), events, expected: v!.revision }], meta);
      report.ordersExpired++;
    });
  }

  const stuckSql = `SELECT order_id AS id FROM rm_orders WHERE NOT failed AND certificate_id IS NULL AND finalized_at <= $1 ORDER BY finalized_at LIMIT $2`;
  for (const id of await ids(deps.pool, stuckSql, [new Date(now.getTime() - settings.stuckProcessingMs), settings.batchSize])) {
    await withRetry(async () => {
      const v = await loadOrderView(deps, id);
      const events = v ? decideFailStuckOrder(v.order, settings.stuckProcessingMs) : [];
      if (events.length === 0) return;
      await deps.aggregates.append([{ streamId: streams.order(id), events, expected: v!.revision }], meta);
      report.ordersStuck++;
    });
  }

  report.noncesDeleted = await nonces.purgeExpired(settings.batchSize, now);
  return report;
}

async function ids(pool: Pool, sql: string, params: unknown[]): Promise<string[]> {
  return (await pool.query(sql, params)).rows.map((r) => r.id as string);
}
