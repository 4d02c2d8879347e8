import type { Db } from '../../src/db/db';

/** The oldest order renewing this certificate that is still alive (issued, or unexpired and not failed), or null. */
export async function findLiveReplacingOrder(db: Db, certificateId: string, now: Date): Promise<string | null> {
  const r = await db.query(
    `SELECT order_id FROM rm_orders WHERE replaces = $1 AND NOT failed AND (certificate_id IS NOT NULL OR expires > $2) ORDER BY created_at LIMIT 1`,
    [certificateId, now],
  );
  return (r.rows[0]?.order_id as string | undefined) ?? null;
}

/** Orders never finalized, not failed, past their expiry, oldest first (cleanup expires them). */
export async function findExpiredUnfinalizedOrders(db: Db, now: Date, limit: number): Promise<string[]> {
  const r = await db.query(
    `SELECT order_id FROM rm_orders WHERE NOT failed AND certificate_id IS NULL AND finalized_at IS NULL AND expires <= $1 ORDER BY expires LIMIT $2`,
    [now, limit],
  );
  return r.rows.map((row) => row.order_id as string);
}

/** Orders finalized before `finalizedBefore` still without a certificate, oldest first (stuck in processing). */
export async function findOrdersStuckInProcessing(db: Db, finalizedBefore: Date, limit: number): Promise<string[]> {
  const r = await db.query(
    `SELECT order_id FROM rm_orders WHERE NOT failed AND certificate_id IS NULL AND finalized_at <= $1 ORDER BY finalized_at LIMIT $2`,
    [finalizedBefore, limit],
  );
  return r.rows.map((row) => row.order_id as string);
}

/** One page of an account's orders in creation order, after the (created_at, order_id) cursor when given. */
export async function findOrdersByAccount(
  db: Db,
  accountId: string,
  after: { at: string; id: string } | null,
  limit: number,
): Promise<Array<{ orderId: string; createdAt: Date }>> {
  const r = await db.query(
    `SELECT order_id, created_at FROM rm_orders WHERE account_id = $1 AND ($2::timestamptz IS NULL OR (created_at, order_id) > ($2, $3))
     ORDER BY created_at, order_id LIMIT $4`,
    [accountId, after?.at ?? null, after?.id ?? '', limit],
  );
  return r.rows.map((row) => ({ orderId: row.order_id, createdAt: row.created_at }));
}

/**
 * An order's status as RFC 8555 §7.1.6 derives it (src/domain/order/status.ts), in SQL over the
 * orders and authorizations read models; `o` is the rm_orders row and `$1` is now.
 */
const ORDER_STATUS_SQL = `CASE
  WHEN o.certificate_id IS NOT NULL THEN 'valid'
  WHEN o.failed THEN 'invalid'
  WHEN o.finalized_at IS NOT NULL THEN 'processing'
  WHEN o.expires <= $1 THEN 'invalid'
  WHEN EXISTS (SELECT 1 FROM rm_authorizations a WHERE a.authz_id = ANY(o.authorization_ids)
    AND (a.status IN ('invalid', 'deactivated', 'expired') OR (a.status = 'valid' AND a.expires <= $1))) THEN 'invalid'
  WHEN cardinality(o.authorization_ids) = (SELECT count(*) FROM rm_authorizations a WHERE a.authz_id = ANY(o.authorization_ids) AND a.status = 'valid') THEN 'ready'
  ELSE 'pending' END`;

export type OrderStatusName = 'pending' | 'ready' | 'processing' | 'valid' | 'invalid';

/** One page of orders with their status at `now`, in creation order, after the (created_at, order_id) cursor when given. */
export async function searchOrders(
  db: Db,
  f: { account?: string; status?: string },
  after: readonly unknown[] | null,
  limit: number,
  now: Date,
): Promise<Array<Record<string, unknown>>> {
  const r = await db.query(
    `SELECT * FROM (SELECT o.order_id, o.account_id, o.identifiers, o.authorization_ids, o.expires, o.created_at, o.finalized_at, o.certificate_id, o.failed,
       ${ORDER_STATUS_SQL} AS status FROM rm_orders o) o
     WHERE ($2::text IS NULL OR account_id = $2) AND ($3::timestamptz IS NULL OR (created_at, order_id) > ($3, $4)) AND ($6::text IS NULL OR status = $6)
     ORDER BY created_at, order_id LIMIT $5`,
    [now, f.account ?? null, after?.[0] ?? null, after?.[1] ?? '', limit, f.status ?? null],
  );
  return r.rows;
}

/** How many orders are in each status at `now` (statuses without orders are absent). */
export async function countOrdersByStatus(db: Db, now: Date): Promise<Array<{ status: OrderStatusName; count: number }>> {
  const r = await db.query(`SELECT ${ORDER_STATUS_SQL} AS status, count(*)::int AS n FROM rm_orders o GROUP BY 1`, [now]);
  return r.rows.map((row) => ({ status: row.status, count: row.n }));
}

/** Every order of the account, oldest first (for `inspect account`). */
export async function listOrdersOfAccount(db: Db, accountId: string): Promise<Array<{ order_id: string; created_at: Date }>> {
  return (await db.query('SELECT order_id, created_at FROM rm_orders WHERE account_id = $1 ORDER BY created_at', [accountId])).rows;
}

/**
 * Whether the account got a certificate for exactly these names (lowercase, sorted, distinct)
 * through an order finalized within the last `windowSeconds`: a renewal for the rate limits.
 */
export async function hasRecentOrderForNames(db: Db, accountId: string, sortedNames: string[], windowSeconds: number): Promise<boolean> {
  const r = await db.query(
    `SELECT 1 FROM rm_orders o WHERE o.account_id = $1 AND o.certificate_id IS NOT NULL AND o.finalized_at > now() - make_interval(secs => $3)
       AND ARRAY(SELECT DISTINCT lower(x->>'value') FROM jsonb_array_elements(o.identifiers) x ORDER BY 1) = $2::text[]
     LIMIT 1`,
    [accountId, sortedNames, windowSeconds],
  );
  return (r.rowCount ?? 0) > 0;
}
